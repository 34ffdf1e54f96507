import Foundation

/// Log-probabilities of the IR's distribution families, lowered into the
/// graph: elementwise over the layout's prefix and the site's event axes.
extension ProgramLowering {
    /// `log p(value | parameters)` with shape prefix + event.
    ///
    /// A discrete value is a weight vector `w` over the classes, and its
    /// log-probability is `Σ_k w_k log π_k`: exact for a one-hot value (a
    /// hard or enumerated sample), and the linear extension of the discrete
    /// log-probability for a relaxed or straight-through one.
    mutating func logProb(_ family: DistributionFamily, parameters: [LoweredValue], value: LoweredValue,
                          eventRank: Int) throws -> Tensor {
        switch family {
        case .normal:
            let x = try aligned(value, toEventRank: eventRank)
            let mean = try aligned(parameters[0], toEventRank: eventRank)
            let std = try aligned(parameters[1], toEventRank: eventRank)
            return try normalLogProb(x, mean: mean, std: std)
        default:
            let logits = try classLogProbabilities(family, parameters: parameters, eventRank: eventRank)
            let weights = try aligned(value, toEventRank: eventRank + 1)
            return try graph.sum(graph.multiply(weights, logits), axis: -1)
        }
    }

    /// `log N(x; μ, σ) = −½((x − μ)/σ)² − log σ − ½ log 2π`, as one fused
    /// operation (``Normal/logProb(_:mean:std:)`` per element; with a single
    /// `σ`, as for a fixed observation noise, `log σ` and `1/σ` are hoisted
    /// out of the loop).
    mutating func normalLogProb(_ x: Tensor, mean: Tensor, std: Tensor) throws -> Tensor {
        try graph.normalLogProb(x, mean: mean, std: std)
    }

    /// `log π` over the classes, with shape prefix + event + [K].
    ///
    /// Probabilities go through ``GraphBuilder/logProbability(_:)``: a
    /// class of probability 0 scores about −690 rather than −∞ (which would
    /// turn `0 · log 0` into NaN for the classes a value does not take), and
    /// a probability computed outside `[0, 1]` (a parameter or latent the
    /// model uses as one) gives NaN, which training reports by step and
    /// site, where a clamp would have hidden it.
    mutating func classLogProbabilities(_ family: DistributionFamily, parameters: [LoweredValue],
                                        eventRank: Int) throws -> Tensor {
        switch family {
        case .normal:
            throw ModelError(.typeMismatch, subject: "Normal", "a Normal distribution has no classes")
        case .bernoulliLogit, .bernoulliProbability:
            let parameter = try aligned(parameters[0], toEventRank: eventRank)
            let column = try graph.reshape(parameter, to: Shape(parameter.shape.dimensions + [1]))
            let zero: Tensor, one: Tensor
            if family == .bernoulliLogit {
                zero = try graph.logSigmoid(graph.negate(column))
                one = try graph.logSigmoid(column)
            } else {
                zero = try graph.logProbability(graph.subtract(graph.constant(1), column))
                one = try graph.logProbability(column)
            }
            return try graph.concat([zero, one], axis: -1)
        case .categoricalLogits:
            return try graph.logSoftmax(aligned(parameters[0], toEventRank: eventRank + 1), axis: -1)
        case .categoricalProbabilities:
            let probabilities = try aligned(parameters[0], toEventRank: eventRank + 1)
            return try graph.logProbability(probabilities)
        }
    }

    /// The sum of a term over its event axes: shape prefix.
    mutating func sumEvent(_ term: Tensor) throws -> Tensor {
        let p = layout.prefixRank
        guard term.rank > p else { return term }
        let flat = try graph.reshape(term, to: Shape(Array(term.shape.dimensions.prefix(p)) + [term.shape.dimensions.dropFirst(p).reduce(1, *)]))
        return try graph.sum(flat, axis: -1)
    }
}
