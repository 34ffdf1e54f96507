/// A random input of an ELBO plan, refilled before every step.
struct NoiseInput {
    enum Kind: Equatable {
        /// Standard normal ε (reparameterized Normal sites).
        case normal
        /// Standard Gumbel g per class (Gumbel-max and Gumbel-softmax).
        case gumbel
        /// Standard logistic L (Bernoulli sites under ARM and DisARM,
        /// binary Concrete, Hard Concrete).
        case logistic
        /// Uniform u in (0, 1), one per draw of a hard sample by inversion
        /// (``GraphBuilder/categoricalInverseCDF(probabilities:uniform:)``).
        case uniform
    }

    let site: String
    let tensor: Tensor
    let kind: Kind
    /// With paired particles (ARM, DisARM), the second half of the particle
    /// axis is the antithetic copy (`L → −L`) instead of a copy.
    let antithetic: Bool
    /// In a chunk (``ELBOChunk``), whether the input has one value per
    /// element of the chunk's plate (drawn by the chunk's own stream) rather
    /// than values every chunk must share (drawn once and copied).
    var perChunkElement = false
}
