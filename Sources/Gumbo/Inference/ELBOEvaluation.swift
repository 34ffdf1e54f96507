/// The ELBO of the discrete model under the current guide, estimated with
/// hard samples (and exact expectations where sites are enumerated) — never
/// the relaxed surrogate.
public struct ELBOEvaluation: Sendable, Equatable {
    /// The mean over particles of `log p(x, z) − log q(z)`.
    public let elbo: Double
    /// The standard error of that mean (0 when the value is exact).
    public let standardError: Double
    public let particles: Int
    /// The sites whose expectation was taken exactly.
    public let enumeratedSites: [String]
    /// The exact ELBO, when every latent site is discrete and enumerated.
    public let exactELBO: Double?
    /// `log p(x)`, when every latent site is discrete, either outside plates
    /// or local to one plate (every term reading a local site reads it
    /// element by element, as a mixture's assignments), and the global
    /// sites' joint values times one element's local ones fit 1024 times
    /// the enumeration budget.
    public let logEvidence: Double?
}

extension ELBOEvaluation {
    /// The evaluation of a data set from evaluations of disjoint parts of
    /// it, each under the same parameters (a model with no latent site
    /// shared by the parts, such as an amortized guide's per-point codes):
    /// the ELBOs add, their independent standard errors add in quadrature,
    /// and the exact ELBO and `log p(x)` add when every part has one. For
    /// data sets too large for one plan (``PlanError/tooLarge(elements:)``).
    public static func combining(_ parts: [ELBOEvaluation]) -> ELBOEvaluation {
        func total(_ values: [Double?]) -> Double? {
            values.contains { $0 == nil } || values.isEmpty ? nil : values.reduce(0) { $0 + $1! }
        }
        return ELBOEvaluation(
            elbo: parts.reduce(0) { $0 + $1.elbo },
            standardError: parts.reduce(0) { $0 + $1.standardError * $1.standardError }.squareRoot(),
            particles: parts.map(\.particles).min() ?? 0,
            enumeratedSites: parts.first?.enumeratedSites ?? [],
            exactELBO: total(parts.map(\.exactELBO)),
            logEvidence: total(parts.map(\.logEvidence)))
    }
}
