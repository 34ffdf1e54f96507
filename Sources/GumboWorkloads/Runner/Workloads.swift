/// The trainable reference workloads by command-line name, in
/// `BENCHMARKS.md` order (W2–W5), with their default data.
public enum Workloads {
    /// `sprinkler`, `gmm`, `spikeslab`, `dvae`.
    public static let names = ["sprinkler", "gmm", "spikeslab", "dvae"]

    /// The workload with its default data, or `nil` for an unknown name.
    public static func named(_ name: String) -> (any Workload)? {
        switch name {
        case "sprinkler": return SprinklerWorkload()
        case "gmm": return MixtureWorkload()
        case "spikeslab": return SpikeAndSlabWorkload()
        case "dvae": return DiscreteVAEWorkload()
        default: return nil
        }
    }
}
