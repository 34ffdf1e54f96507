import Foundation

/// Reading an ``Estimator`` from its command-line spelling, the inverse of
/// ``Estimator/description``.
///
/// A spelling is a kind followed by options, separated by colons:
///
///     KIND[:OPTION]…        OPTION = name=value | learned
///
/// | kind | options (defaults) |
/// |---|---|
/// | `reparam`, `enumerate`, `local-expectation`, `arm`, `disarm` | none |
/// | `reinforce` | `baseline=none\|ma\|loo` (none), `decay=D` with `baseline=ma` (0.9) |
/// | `gumbel-softmax`, `st-gumbel-softmax` | `tau=T` (0.5), or `anneal=T0:TMIN:RATE`, or `learned` with `tau=T` and `min=M` (0.1) |
/// | `concrete`, `st-concrete` | as Gumbel-softmax, `tau` 2/3 |
/// | `hard-concrete` | `tau=T` (2/3), `lower=L` (−0.1), `upper=U` (1.1) |
///
/// `anneal=T0:TMIN:RATE` is the schedule `τ(t) = max(TMIN, T0·exp(−RATE·t))`;
/// `learned` makes τ a parameter `min + softplus(u)` that starts at `tau`.
///
/// Numbers are printed with six significant digits, so 2/3 is spelled
/// `0.666667`. Reading one back, a number that is exactly how a fraction
/// p/q with q ≤ 16 prints is read as that fraction; every spelling the
/// library prints therefore reads back as the estimator it came from:
///
///     let estimator = try Estimator(parsing: "st-gumbel-softmax:tau=0.5")
///     try Estimator(parsing: estimator.description) == estimator     // true
///     try Estimator(parsing: "concrete:tau=0.666667")                 // τ = 2/3 exactly
extension Estimator {
    /// The estimator a command-line spelling names.
    ///
    /// - Throws: ``EstimatorSpellingError`` naming the part that is wrong:
    ///   an unknown kind, an option the kind does not take, a repeated or
    ///   conflicting option, or a value out of range.
    public init(parsing text: String) throws {
        var parser = EstimatorSpellingParser(text: text)
        self = try parser.parse()
    }

    /// The kinds, as spelled on the command line.
    public static let spelledKinds = [
        "reparam", "enumerate", "reinforce", "gumbel-softmax", "st-gumbel-softmax",
        "concrete", "st-concrete", "hard-concrete", "local-expectation", "arm", "disarm",
    ]
}

/// An estimator spelling that cannot be read: which spelling, which part of
/// it, and what is wrong.
public struct EstimatorSpellingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The whole spelling.
    public let spelling: String
    /// The part that is wrong (a kind, an option, a value).
    public let part: String
    /// What is wrong and what to write instead.
    public let message: String

    public var description: String {
        spelling == part ? "estimator '\(spelling)': \(message)" : "estimator '\(spelling)': '\(part)': \(message)"
    }
}

/// The parser behind ``Estimator/init(parsing:)``: splits the spelling at
/// colons, reads the options into a table, then checks that the kind takes
/// them and that their values are in range.
private struct EstimatorSpellingParser {
    let text: String
    /// Option name → (value, the option as written).
    var options: [String: (value: String, written: String)] = [:]

    init(text: String) { self.text = text }

    func failure(_ part: String, _ message: String) -> EstimatorSpellingError {
        EstimatorSpellingError(spelling: text, part: part, message: message)
    }

    mutating func parse() throws -> Estimator {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw failure(text, "empty; write a kind, one of \(Estimator.spelledKinds.joined(separator: ", "))")
        }
        var parts = trimmed.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let kind = parts.removeFirst()
        guard Estimator.spelledKinds.contains(kind) else {
            throw failure(kind, "unknown kind; kinds are \(Estimator.spelledKinds.joined(separator: ", "))")
        }
        try readOptions(parts)
        switch kind {
        case "reparam": try allow([], kind); return .reparameterization
        case "enumerate": try allow([], kind); return .enumeration
        case "local-expectation": try allow([], kind); return .localExpectation
        case "arm": try allow([], kind); return .arm
        case "disarm": try allow([], kind); return .disarm
        case "reinforce":
            try allow(["baseline", "decay"], kind)
            return .reinforce(baseline: try baseline())
        case "gumbel-softmax", "st-gumbel-softmax":
            try allow(["tau", "anneal", "learned", "min"], kind)
            return .gumbelSoftmax(temperature: try temperature(default: 0.5), straightThrough: kind.hasPrefix("st-"))
        case "concrete", "st-concrete":
            try allow(["tau", "anneal", "learned", "min"], kind)
            return .concrete(temperature: try temperature(default: 2.0 / 3.0), straightThrough: kind.hasPrefix("st-"))
        default: // hard-concrete
            try allow(["tau", "lower", "upper"], kind)
            guard case .hardConcrete(let t0, let l0, let u0) = Estimator.hardConcreteDefault else { preconditionFailure() }
            let tau = try number("tau", default: t0, rule: "a positive number") { $0 > 0 }
            let lower = try number("lower", default: l0, rule: "a number below 0") { $0 < 0 }
            let upper = try number("upper", default: u0, rule: "a number above 1") { $0 > 1 }
            return .hardConcrete(temperature: tau, lower: lower, upper: upper)
        }
    }

    /// Fills ``options``. `anneal` takes the two colon-separated parts after
    /// it as well; `learned` is a flag.
    mutating func readOptions(_ parts: [String]) throws {
        var index = 0
        while index < parts.count {
            let part = parts[index]
            index += 1
            guard !part.isEmpty else { throw failure(text, "an empty option (two colons in a row, or a colon at the end)") }
            let name: String
            var value: String
            var written = part
            if let equals = part.firstIndex(of: "=") {
                name = String(part[..<equals])
                value = String(part[part.index(after: equals)...])
            } else if part == "learned" {
                name = part
                value = ""
            } else {
                throw failure(part, "not an option; options are written name=value (e.g. tau=0.5), or the flag learned")
            }
            if name == "anneal" {
                guard index + 2 <= parts.count else {
                    throw failure(([part] + parts[index...]).joined(separator: ":"), "anneal takes three numbers, anneal=T0:TMIN:RATE")
                }
                value += ":" + parts[index] + ":" + parts[index + 1]
                written += ":" + parts[index] + ":" + parts[index + 1]
                index += 2
            }
            guard options[name] == nil else { throw failure(written, "option \(name) is given twice") }
            options[name] = (value, written)
        }
    }

    func allow(_ names: Set<String>, _ kind: String) throws {
        for (name, option) in options.sorted(by: { $0.key < $1.key }) where !names.contains(name) {
            let accepted = names.isEmpty ? "\(kind) takes no options" : "\(kind) takes \(names.sorted().joined(separator: ", "))"
            throw failure(option.written, "unknown option \(name); \(accepted)")
        }
    }

    func number(_ name: String, default value: Double, rule: String, where valid: (Double) -> Bool) throws -> Double {
        guard let option = options[name] else { return value }
        return try Self.number(option.value, part: option.written, rule: "\(name) must be \(rule)", valid: valid, failure: failure)
    }

    static func number(_ text: String, part: String, rule: String, valid: (Double) -> Bool,
                       failure: (String, String) -> EstimatorSpellingError) throws -> Double {
        guard let parsed = readNumber(text), valid(parsed) else {
            throw failure(part, "\(rule), got '\(text)'")
        }
        return parsed
    }

    func baseline() throws -> Baseline {
        let decayGiven = options["decay"] != nil
        switch options["baseline"]?.value {
        case nil, "none":
            if let decay = options["decay"] {
                throw failure(decay.written, "decay applies to the moving-average baseline; write reinforce:baseline=ma:\(decay.written)")
            }
            return .none
        case "loo":
            if let decay = options["decay"] {
                throw failure(decay.written, "decay applies to the moving-average baseline, not to leave-one-out")
            }
            return .leaveOneOut
        case "ma":
            guard decayGiven else { return .movingAverageDefault }
            return .movingAverage(decay: try number("decay", default: 0.9, rule: "in [0, 1)") { $0 >= 0 && $0 < 1 })
        case let other?:
            throw failure(options["baseline"]!.written, "unknown baseline '\(other)'; baselines are none, ma, loo")
        }
    }

    func temperature(default tau: Double) throws -> Temperature {
        if let anneal = options["anneal"] {
            for name in ["tau", "learned", "min"] where options[name] != nil {
                throw failure(options[name]!.written, "an annealed temperature is given by anneal=T0:TMIN:RATE alone")
            }
            let fields = anneal.value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let rule = "anneal=T0:TMIN:RATE needs 0 < TMIN ≤ T0 and RATE ≥ 0, all finite"
            let numbers = try fields.map { try Self.number($0, part: anneal.written, rule: rule, valid: { _ in true }, failure: failure) }
            guard numbers[0] > 0, numbers[1] > 0, numbers[1] <= numbers[0], numbers[2] >= 0 else {
                throw failure(anneal.written, rule)
            }
            return .exponential(initial: numbers[0], minimum: numbers[1], rate: numbers[2])
        }
        let initial = try number("tau", default: tau, rule: "a positive number") { $0 > 0 }
        guard options["learned"] != nil else {
            if let minimum = options["min"] { throw failure(minimum.written, "min applies to a learned temperature; add :learned") }
            return .constant(initial)
        }
        let minimum = try number("min", default: Temperature.defaultLearnedMinimum, rule: "a positive number") { $0 > 0 }
        guard initial > minimum else {
            throw failure(options["tau"]?.written ?? text,
                          "a learned temperature starts above its minimum: tau \(shortNumber(initial)) ≤ min \(shortNumber(minimum))")
        }
        return .learned(initial: initial, minimum: minimum)
    }

    /// A finite number; a six-significant-digit spelling of a fraction p/q
    /// (q ≤ 16) reads as the fraction, so printed spellings round-trip.
    static func readNumber(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        for q in 1...16 {
            let p = (value * Double(q)).rounded()
            let fraction = p / Double(q)
            if shortNumber(fraction) == text { return fraction }
        }
        return value
    }
}
