/// A straight-through Gumbel-softmax sample: the hard one-hot value and the
/// relaxed value whose gradient stands in for it (Bengio, Léonard & Courville
/// 2013; Jang, Gu & Poole 2017 §2.2).
///
/// The forward pass uses ``hard``; the backward pass differentiates ``soft``
/// as if it had been used. Keeping the two as one explicit value (rather than
/// `hard − stopGradient(soft) + soft` on a tensor) lets the engine see which
/// is which. ``hard`` is the one-hot vector of the argmax of ``soft``.
///
///     let pair = try GumbelSoftmax.straightThrough(logits: [2, 0], temperature: 1, gumbels: [0.1, 0.3])
///     pair.index   // 0
///     pair.hard    // [1, 0]
public struct StraightThroughSample: Hashable, Sendable {
    /// The class drawn, `argmax_j (z_j + g_j)` (an exact categorical draw).
    public let index: Int
    /// The relaxed sample `softmax((z + g)/τ)`, largest at ``index``.
    public let soft: [Double]

    public init(index: Int, soft: [Double]) {
        precondition(soft.indices.contains(index), "StraightThroughSample: index \(index) is outside the \(soft.count) classes of soft")
        self.index = index
        self.soft = soft
    }

    /// The one-hot vector of ``index``: 1 there, 0 elsewhere.
    public var hard: [Double] {
        var oneHot = [Double](repeating: 0, count: soft.count)
        oneHot[index] = 1
        return oneHot
    }
}
