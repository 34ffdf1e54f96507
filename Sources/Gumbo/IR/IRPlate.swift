/// A plate in the IR: a set of conditionally independent repetitions, vectorized as
/// one batch dimension (never unrolled into one node per element).
///
/// `size` is the full size (the number of data points); `subsampleSize`,
/// when set, is the minibatch drawn each step. Terms inside a subsampled
/// plate are scaled by `size / subsampleSize`, which keeps the ELBO estimate
/// unbiased (Hoffman, Blei, Wang & Paisley 2013, "Stochastic Variational
/// Inference").
public struct IRPlate: Hashable, Sendable {
    public let name: String
    public let size: Int
    public let subsampleSize: Int?

    public init(name: String, size: Int, subsampleSize: Int? = nil) {
        self.name = name
        self.size = size
        self.subsampleSize = subsampleSize
    }

    /// The batch size the plan computes with: the subsample size if set.
    public var batchSize: Int { subsampleSize ?? size }

    /// The factor `size / subsampleSize` that scales terms in this plate.
    public var scale: Double { Double(size) / Double(batchSize) }
}

/// The position of a plate in a program's plate table.
public struct PlateID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: PlateID, b: PlateID) -> Bool { a.index < b.index }
    public var description: String { "p\(index)" }
}
