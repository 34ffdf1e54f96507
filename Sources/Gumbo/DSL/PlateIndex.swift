/// The index variable of a plate, `i` in `Plate("data", size: N) { i in … }`.
///
/// Writing `x[i]` selects the element of `x` that belongs to plate element
/// `i`: the first axis of `x` becomes the plate's batch axis, and every
/// computation on it is vectorized over the plate.
public struct PlateIndex: Sendable {
    public let name: String
    public let size: Int
    public let subsampleSize: Int?
}

/// Conditionally independent repetitions: `Plate("data", size: N,
/// subsample: 100) { i in … }`. Sites sampled inside are indexed by `i`
/// (`z[i] ~ …`) and computed as one batch; with `subsample`, each step sees
/// a random minibatch and the terms inside are scaled by `N / subsample`.
public struct Plate: ModelComponent {
    public let index: PlateIndex
    let body: [ModelStatement]

    public init(_ name: String, size: Int, subsample: Int? = nil,
                @ModelBuilder _ body: (PlateIndex) -> [ModelStatement]) {
        let index = PlateIndex(name: name, size: size, subsampleSize: subsample)
        self.index = index
        self.body = body(index)
    }

    public var statements: [ModelStatement] { [.plate(index, body)] }
}
