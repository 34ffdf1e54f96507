import Foundation

/// The support of a learnable parameter, enforced by optimizing an
/// unconstrained value `u` and mapping it through a bijection, as Pyro's
/// `constraints` and TensorFlow Probability's bijectors do.
public enum Constraint: Hashable, Sendable, CustomStringConvertible {
    /// Any real value: `θ = u`.
    case real
    /// `θ > 0`: `θ = softplus(u)`.
    case positive
    /// `0 < θ < 1`: `θ = σ(u)`.
    case probability
    /// A point on the simplex along the last axis: `θ = softmax(u)`.
    case simplex

    /// Maps an unconstrained value to the constrained one (elementwise,
    /// or along the last axis of length `lastAxis` for the simplex).
    public func constrain(_ unconstrained: [Double], lastAxis: Int) -> [Double] {
        switch self {
        case .real: return unconstrained
        case .positive: return unconstrained.map(StableMath.softplus)
        case .probability: return unconstrained.map(StableMath.sigmoid)
        case .simplex:
            var out = unconstrained
            let k = max(lastAxis, 1)
            for start in stride(from: 0, to: out.count, by: k) {
                let row = Array(unconstrained[start..<start + k])
                let lse = StableMath.logSumExp(row)
                for j in 0..<k { out[start + j] = exp(row[j] - lse) }
            }
            return out
        }
    }

    /// The inverse map, used to turn a user's initial value into the
    /// unconstrained value the optimizer starts from. `nil` when a value is
    /// outside the support (the caller reports which).
    public func unconstrain(_ constrained: [Double], lastAxis: Int) -> [Double]? {
        switch self {
        case .real:
            return constrained.allSatisfy(\.isFinite) ? constrained : nil
        case .positive:
            guard constrained.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
            // softplus⁻¹(θ) = log(expm1(θ)), written as θ + log(−expm1(−θ)) for large θ.
            return constrained.map { $0 > 20 ? $0 + log(-expm1(-$0)) : log(expm1($0)) }
        case .probability:
            guard constrained.allSatisfy({ $0 > 0 && $0 < 1 }) else { return nil }
            return constrained.map(StableMath.logit)
        case .simplex:
            let k = max(lastAxis, 1)
            guard constrained.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
            for start in stride(from: 0, to: constrained.count, by: k) {
                let total = constrained[start..<start + k].reduce(0, +)
                if abs(total - 1) > 1e-6 { return nil }
            }
            // softmax is invariant to a shift; log θ is one preimage.
            return constrained.map { log($0) }
        }
    }

    /// What the constraint requires, for error messages.
    public var rule: String {
        switch self {
        case .real: return "a finite real number"
        case .positive: return "greater than 0"
        case .probability: return "strictly between 0 and 1"
        case .simplex: return "positive and summing to 1 along the last axis"
        }
    }

    public var description: String {
        switch self {
        case .real: return "real"
        case .positive: return "positive"
        case .probability: return "probability"
        case .simplex: return "simplex"
        }
    }
}
