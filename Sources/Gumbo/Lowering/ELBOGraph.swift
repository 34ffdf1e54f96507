/// An ELBO lowered into one graph, with the inputs the engine fills before
/// every step and the outputs it reads after.
struct ELBOGraph {
    let graph: Graph
    /// The scalar the optimizer minimizes: minus the surrogate objective,
    /// averaged over particles. Its gradient is the estimators' gradient.
    let loss: Tensor
    /// The objective's value averaged over particles: an unbiased estimate
    /// of the ELBO when no site is relaxed, else the relaxed surrogate.
    let objective: Tensor
    /// The objective of each particle, `[P]`.
    let particleObjectives: Tensor
    let particles: Int
    let noise: [NoiseInput]
    let parameters: [(name: String, input: Tensor, node: IRNode)]
    /// One index input per subsampled plate.
    let subsamples: [(plate: IRPlate, input: Tensor)]
    /// For a chunk (``ELBOChunk``), the index input of the chunk's elements
    /// of its plate, filled once.
    let chunkIndices: Tensor?
    /// For a chunk, the parameters whose input holds only the chunk's rows
    /// (``ChunkSlicing``): the rows `start ..< start + count` of the first axis.
    let slicedParameters: Set<String>
    let baselines: [BaselineSlot]
    let temperatures: [TemperatureSlot]
    /// Whether any site is relaxed (the objective is then a surrogate).
    let isRelaxed: Bool
    /// Whether particles come in antithetic pairs (ARM, DisARM).
    let isPaired: Bool
    /// Sampled values and log-probability terms in program order, labelled
    /// by site: where to look first when a value is not finite.
    let diagnostics: [(label: String, tensor: Tensor)]

    /// A moving-average baseline's state and the cost it tracks.
    struct BaselineSlot {
        let site: String
        let decay: Double
        /// The baseline value read by the graph (shape of the site's cost).
        let input: Tensor
        /// The site's downstream cost averaged over particles (same shape).
        let cost: Tensor
    }

    /// A relaxed site's temperature: a data input set from its schedule, or
    /// a parameter input (`τ = minimum + softplus(u)`) when learned.
    struct TemperatureSlot {
        let site: String
        let schedule: Temperature
        let input: Tensor
        /// The temperature value used by the graph (a scalar).
        let value: Tensor
    }
}
