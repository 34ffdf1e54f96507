import Foundation

/// What T gradient estimates of one parameter (or one group of parameters,
/// their components concatenated) look like, at fixed parameter values.
///
/// For component j with estimates `g_1j … g_Tj`, mean `m_j` and unbiased
/// variance `v_j`:
///
///     signal-to-noise  |m_j| / √v_j
///     bias             b_j = m_j − r_j              (r the reference gradient)
///     its s.e.         √(v_j / T + s_j²)            (s_j the reference's own s.e.)
///     MSE              (1/T) Σ_t (g_tj − r_j)² = ((T − 1)/T)·v_j + b_j²
///
/// The summaries over components are ``totalVariance`` `Σ v_j`,
/// ``signalToNoise`` `‖m‖ / √Σ v_j`, ``biasNorm`` `‖b‖` with
/// ``biasNormStandardError`` `√Σ se_j²`, and ``totalMeanSquaredError``.
/// `‖b‖` of an unbiased estimator is not 0 but about `√Σ se_j²`: judge
/// bias component by component (``biasStandardError``), or by `‖b‖`
/// against several of its standard errors.
public struct GradientStatistics: Sendable, Equatable {
    /// The parameter's or group's name.
    public let name: String
    /// T, the estimates the figures are over.
    public let trials: Int
    public let mean: [Double]
    /// The unbiased variance of each component.
    public let variance: [Double]
    /// The reference gradient, when there is one for every component.
    public let reference: [Double]?
    /// The reference's standard error per component (0 when exact).
    public let referenceStandardError: [Double]?

    init(name: String, trials: Int, mean: [Double], variance: [Double],
         reference: [Double]?, referenceStandardError: [Double]?) {
        self.name = name
        self.trials = trials
        self.mean = mean
        self.variance = variance
        let hasReference = reference?.count == mean.count && referenceStandardError?.count == mean.count
        self.reference = hasReference ? reference : nil
        self.referenceStandardError = hasReference ? referenceStandardError : nil
    }

    /// The statistics of `estimates` (T vectors of equal length, T ≥ 2),
    /// against a reference when one is given (its standard error 0 unless
    /// given), for estimates made outside the lab.
    public init(name: String, estimates: [[Double]], reference: [Double]? = nil,
                referenceStandardError: [Double]? = nil) throws {
        guard estimates.count >= 2 else { throw LabError.tooFewTrials(estimates.count) }
        let dimension = estimates[0].count
        guard estimates.allSatisfy({ $0.count == dimension }) else {
            throw LabError.invalidSetting("gradient statistics '\(name)': the estimates have different lengths; give vectors of one length")
        }
        if let reference, reference.count != dimension || (referenceStandardError.map { $0.count != dimension } ?? false) {
            throw LabError.invalidSetting("gradient statistics '\(name)': the reference has \(reference.count) components, the estimates \(dimension)")
        }
        var moments = RunningMoments(dimension: dimension)
        for estimate in estimates { moments.add(estimate) }
        self.init(name: name, trials: estimates.count, mean: moments.mean, variance: moments.variance, reference: reference,
                  referenceStandardError: reference.map { referenceStandardError ?? $0.map { _ in 0 } })
    }

    /// The components concatenated, in order.
    init(name: String, concatenating parts: [GradientStatistics]) {
        let complete = parts.allSatisfy { $0.reference != nil }
        self.init(name: name, trials: parts.first?.trials ?? 0,
                  mean: parts.flatMap(\.mean), variance: parts.flatMap(\.variance),
                  reference: complete ? parts.flatMap { $0.reference! } : nil,
                  referenceStandardError: complete ? parts.flatMap { $0.referenceStandardError! } : nil)
    }

    /// `Σ_j v_j`.
    public var totalVariance: Double { variance.reduce(0, +) }

    /// `|m_j| / √v_j` per component: infinite for an exact nonzero
    /// component, NaN for a component that is always 0.
    public var signalToNoisePerComponent: [Double] {
        zip(mean, variance).map { abs($0) / $1.squareRoot() }
    }

    /// `‖m‖ / √Σ v_j`: how far the mean gradient stands out from the noise.
    public var signalToNoise: Double {
        mean.reduce(0) { $0 + $1 * $1 }.squareRoot() / totalVariance.squareRoot()
    }

    /// `m_j − r_j`, when there is a reference.
    public var bias: [Double]? {
        reference.map { zip(mean, $0).map { $0 - $1 } }
    }

    /// `√(v_j / T + s_j²)`: the standard error of each bias component.
    public var biasStandardError: [Double]? {
        referenceStandardError.map { zip(variance, $0).map { ($0 / Double(trials) + $1 * $1).squareRoot() } }
    }

    /// `‖b‖`.
    public var biasNorm: Double? {
        bias.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    }

    /// `√Σ_j se_j²`, the scale of ``biasNorm`` for an unbiased estimator.
    public var biasNormStandardError: Double? {
        biasStandardError.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    }

    /// The mean squared error of each component against the reference.
    public var meanSquaredError: [Double]? {
        bias.map { bias in
            zip(variance, bias).map { Double(trials - 1) / Double(trials) * $0 + $1 * $1 }
        }
    }

    /// `Σ_j` MSE_j.
    public var totalMeanSquaredError: Double? {
        meanSquaredError.map { $0.reduce(0, +) }
    }
}
