/// A distribution parameter that breaks its rule.
///
/// Thrown by the validating initializers (and by the few functions that take
/// several vectors that must agree). Each message names the distribution, the
/// parameter, its value and the rule, and says what to do:
///
///     Normal: std = -1.0 breaks the rule std > 0; pass a std greater than 0
///
/// Values outside a distribution's support are not errors: `logProb` of such a
/// value is `-infinity`.
public enum DistributionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter is NaN or infinite.
    case notFinite(distribution: String, parameter: String, value: Double)
    /// A parameter must be greater than `bound` (a std, scale or temperature
    /// greater than 0; the upper end of a hard-concrete stretch greater than 1).
    case notGreaterThan(distribution: String, parameter: String, value: Double, bound: Double)
    /// A parameter must be less than `bound` (the lower end of a
    /// hard-concrete stretch less than 0).
    case notLessThan(distribution: String, parameter: String, value: Double, bound: Double)
    /// A probability outside [0, 1].
    case notAProbability(distribution: String, parameter: String, value: Double)
    /// Probabilities whose sum differs from 1 by more than
    /// ``normalizationTolerance``.
    case notNormalized(distribution: String, parameter: String, sum: Double)
    /// An empty vector of logits or probabilities.
    case empty(distribution: String, parameter: String)
    /// Two vectors that must have one entry per class have different lengths.
    case lengthMismatch(distribution: String, parameter: String, count: Int, otherParameter: String, otherCount: Int)

    /// How far from 1 the sum of a probability vector may be: 1e-6, loose
    /// enough for probabilities written to six digits or summed in single
    /// precision, tight enough to catch unnormalized weights.
    public static let normalizationTolerance = 1e-6

    public var description: String {
        switch self {
        case let .notFinite(distribution, parameter, value):
            return "\(distribution): \(parameter) = \(value) is not a finite number; every parameter must be finite, so check the computation that produced it"
        case let .notGreaterThan(distribution, parameter, value, bound):
            let bound = DistributionError.format(bound)
            return "\(distribution): \(parameter) = \(value) breaks the rule \(parameter) > \(bound); pass a \(parameter) greater than \(bound)"
        case let .notLessThan(distribution, parameter, value, bound):
            let bound = DistributionError.format(bound)
            return "\(distribution): \(parameter) = \(value) breaks the rule \(parameter) < \(bound); pass a \(parameter) less than \(bound)"
        case let .notAProbability(distribution, parameter, value):
            return "\(distribution): \(parameter) = \(value) breaks the rule 0 ≤ \(parameter) ≤ 1; pass a probability in [0, 1], or give log-odds to the logit initializer"
        case let .notNormalized(distribution, parameter, sum):
            return "\(distribution): \(parameter) sum to \(sum), breaking the rule that they sum to 1 (within 1e-6); normalize them (divide each by their sum), or pass unnormalized log-weights as logits"
        case let .empty(distribution, parameter):
            return "\(distribution): \(parameter) is empty, breaking the rule that there is at least one class; pass one entry per class"
        case let .lengthMismatch(distribution, parameter, count, otherParameter, otherCount):
            return "\(distribution): \(parameter) has \(DistributionError.entries(count)) but \(otherParameter) has \(otherCount), breaking the rule of one entry per class in each; pass vectors of the same length"
        }
    }
}

// MARK: Formatting

extension DistributionError {
    /// A bound as it would be written in a rule: `0`, not `0.0`.
    static func format(_ bound: Double) -> String {
        bound == bound.rounded() && abs(bound) < 1e15 ? String(Int(bound)) : String(bound)
    }

    static func entries(_ count: Int) -> String {
        count == 1 ? "1 entry" : "\(count) entries"
    }
}

// MARK: Checks shared by the initializers

extension DistributionError {
    /// Throws ``notFinite(distribution:parameter:value:)`` unless `value` is finite.
    static func checkFinite(_ value: Double, _ parameter: String, in distribution: String) throws {
        guard value.isFinite else {
            throw DistributionError.notFinite(distribution: distribution, parameter: parameter, value: value)
        }
    }

    /// Finite and greater than `bound`.
    static func checkGreater(_ value: Double, than bound: Double, _ parameter: String, in distribution: String) throws {
        try checkFinite(value, parameter, in: distribution)
        guard value > bound else {
            throw DistributionError.notGreaterThan(distribution: distribution, parameter: parameter, value: value, bound: bound)
        }
    }

    /// Finite and less than `bound`.
    static func checkLess(_ value: Double, than bound: Double, _ parameter: String, in distribution: String) throws {
        try checkFinite(value, parameter, in: distribution)
        guard value < bound else {
            throw DistributionError.notLessThan(distribution: distribution, parameter: parameter, value: value, bound: bound)
        }
    }

    /// A probability: finite and in [0, 1].
    static func checkProbability(_ value: Double, _ parameter: String, in distribution: String) throws {
        try checkFinite(value, parameter, in: distribution)
        guard value >= 0, value <= 1 else {
            throw DistributionError.notAProbability(distribution: distribution, parameter: parameter, value: value)
        }
    }

    /// A non-empty vector of finite logits, named `logits[i]` in messages.
    static func checkLogits(_ logits: [Double], _ parameter: String = "logits", in distribution: String) throws {
        guard !logits.isEmpty else {
            throw DistributionError.empty(distribution: distribution, parameter: parameter)
        }
        for (i, logit) in logits.enumerated() {
            try checkFinite(logit, "\(parameter)[\(i)]", in: distribution)
        }
    }

    /// A non-empty probability vector: each entry in [0, 1], summing to 1
    /// within ``normalizationTolerance``.
    static func checkProbabilities(_ probabilities: [Double], _ parameter: String = "probabilities", in distribution: String) throws {
        guard !probabilities.isEmpty else {
            throw DistributionError.empty(distribution: distribution, parameter: parameter)
        }
        for (i, p) in probabilities.enumerated() {
            try checkProbability(p, "\(parameter)[\(i)]", in: distribution)
        }
        let sum = probabilities.reduce(0, +)
        guard abs(sum - 1) <= normalizationTolerance else {
            throw DistributionError.notNormalized(distribution: distribution, parameter: parameter, sum: sum)
        }
    }

    /// Two vectors with one entry per class.
    static func checkSameLength(_ count: Int, _ parameter: String, _ otherCount: Int, _ otherParameter: String, in distribution: String) throws {
        guard count == otherCount else {
            throw DistributionError.lengthMismatch(distribution: distribution, parameter: parameter, count: count, otherParameter: otherParameter, otherCount: otherCount)
        }
    }
}
