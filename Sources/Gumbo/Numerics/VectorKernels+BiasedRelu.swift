/// A layer's bias and ReLU (``BiasedReluKernels``) as buffer passes over
/// `rows` rows of `columns` elements, `b` one row:
///
///     h[r, j]   = max(a[r, j] + b[j], 0)
///     ∂a[r, j] (+)= g[r, j] · [h[r, j] > 0]
///     ∂b[j]     += Σ_r g[r, j] · [h[r, j] > 0]     (rows in order)
///
/// A whole vector of lanes at a time, then one by one, with the same
/// operations per element in every build (the ReLU's `0`/`1` derivative
/// multiplied in, so an infinite `g` facing a zero still gives NaN), so the
/// results are the same bit for bit in `Gumbo`, `GumboAVX2` and
/// `GumboAVX512` (this file is linked into their folders, as
/// `VectorKernels.swift` is).
extension VectorKernels {
    /// `max(x, 0)` lane by lane; NaN gives 0, as ``ReluRule`` does.
    @inline(__always)
    static func relu(_ x: Vector) -> Vector { x.replacing(with: 0, where: .!(x .> 0)) }

    /// `max(x, 0)`; NaN gives 0.
    @inline(__always)
    static func relu(_ x: Double) -> Double { x > 0 ? x : 0 }

    /// `h = max(a + b, 0)`, row by row (`h` may be `a`).
    static func biasedRelu(_ a: UnsafePointer<Double>, bias b: UnsafePointer<Double>, _ h: UnsafeMutablePointer<Double>,
                           rows: Int, columns n: Int) {
        let vectorEnd = n / lanes * lanes
        for r in 0..<rows {
            let (a, h) = (a + r * n, h + r * n)
            var j = 0
            while j < vectorEnd {
                store(relu(load(a, j) + load(b, j)), h, j)
                j += lanes
            }
            while j < n {
                h[j] = relu(a[j] + b[j])
                j += 1
            }
        }
    }

    /// The backward pass from the output `h` and its gradient `g`: `∂a`
    /// set (or, with `accumulate`, added) into `ga` unless it is `nil`, and
    /// `∂b` added into `gb` unless it is `nil`.
    static func biasedReluBackward(_ h: UnsafePointer<Double>, _ g: UnsafePointer<Double>, rows: Int, columns n: Int,
                                   inputGradient ga: UnsafeMutablePointer<Double>?, accumulate: Bool,
                                   biasGradient gb: UnsafeMutablePointer<Double>?) {
        switch (ga, gb) {
        case let (ga?, gb?):
            accumulate
                ? biasedReluBackward(h, g, rows: rows, columns: n, AddGradient.self, ga, AddGradient.self, gb)
                : biasedReluBackward(h, g, rows: rows, columns: n, SetGradient.self, ga, AddGradient.self, gb)
        case let (ga?, nil):
            accumulate
                ? biasedReluBackward(h, g, rows: rows, columns: n, AddGradient.self, ga, NoGradient.self, ga)
                : biasedReluBackward(h, g, rows: rows, columns: n, SetGradient.self, ga, NoGradient.self, ga)
        case let (nil, gb?):
            biasedReluBackward(h, g, rows: rows, columns: n, NoGradient.self, gb, AddGradient.self, gb)
        case (nil, nil):
            break
        }
    }

    @inline(__always)
    static func biasedReluBackward<InputStore: PassGradientStore, BiasStore: PassGradientStore>(
        _ h: UnsafePointer<Double>, _ g: UnsafePointer<Double>, rows: Int, columns n: Int,
        _: InputStore.Type, _ ga: UnsafeMutablePointer<Double>, _: BiasStore.Type, _ gb: UnsafeMutablePointer<Double>
    ) {
        let vectorEnd = n / lanes * lanes
        let zero = Vector(repeating: 0)
        for r in 0..<rows {
            let (h, g, ga) = (h + r * n, g + r * n, ga + r * n)
            var j = 0
            while j < vectorEnd {
                let d = load(g, j) * zero.replacing(with: 1, where: load(h, j) .> 0)
                InputStore.store(d, ga, j)
                BiasStore.store(d, gb, j)
                j += lanes
            }
            while j < n {
                let d = g[j] * (h[j] > 0 ? 1 : 0)
                InputStore.store(d, ga, j)
                BiasStore.store(d, gb, j)
                j += 1
            }
        }
    }
}

/// How a pass writes a gradient: set, added, or not at all.
protocol PassGradientStore {
    static func store(_ d: VectorKernels.Vector, _ p: UnsafeMutablePointer<Double>, _ j: Int)
    static func store(_ d: Double, _ p: UnsafeMutablePointer<Double>, _ j: Int)
}

/// `slot = d`.
enum SetGradient: PassGradientStore {
    @inline(__always)
    static func store(_ d: VectorKernels.Vector, _ p: UnsafeMutablePointer<Double>, _ j: Int) {
        VectorKernels.store(d, p, j)
    }
    @inline(__always)
    static func store(_ d: Double, _ p: UnsafeMutablePointer<Double>, _ j: Int) { p[j] = d }
}

/// `slot += d`.
enum AddGradient: PassGradientStore {
    @inline(__always)
    static func store(_ d: VectorKernels.Vector, _ p: UnsafeMutablePointer<Double>, _ j: Int) {
        VectorKernels.store(VectorKernels.load(p, j) + d, p, j)
    }
    @inline(__always)
    static func store(_ d: Double, _ p: UnsafeMutablePointer<Double>, _ j: Int) { p[j] += d }
}

/// No gradient wanted.
enum NoGradient: PassGradientStore {
    @inline(__always)
    static func store(_ d: VectorKernels.Vector, _ p: UnsafeMutablePointer<Double>, _ j: Int) {}
    @inline(__always)
    static func store(_ d: Double, _ p: UnsafeMutablePointer<Double>, _ j: Int) {}
}
