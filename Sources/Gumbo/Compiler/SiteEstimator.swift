/// The compiler's decision for one latent site: its estimator and why.
public struct SiteEstimator: Sendable, Equatable {
    public let site: String
    public let family: DistributionFamily
    /// The plates the site lies in, by name.
    public let plates: [String]
    public let estimator: Estimator
    /// Why the compiler chose it (or that the user did).
    public let reason: String
    public let isOverride: Bool
}
