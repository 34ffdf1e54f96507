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
