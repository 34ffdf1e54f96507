import Foundation

/// The ziggurat method for the standard exponential distribution
/// (Marsaglia & Tsang 2000, "The Ziggurat Method for Generating Random
/// Variables", J. Stat. Softw. 5(8)), with 256 layers and 53-bit
/// resolution.
///
/// The density `e^{−x}` is covered by 255 rectangles and a base strip, all
/// of area `v`. A draw picks a layer `i` (8 bits) and a point `x = u·xᵢ`
/// in it (53 bits); when `x` lies under the next layer's edge — about
/// 98.9 % of draws — it is returned with no logarithm or exponential. The
/// rest fall in a wedge (accepted against `e^{−x}`) or in the tail beyond
/// `r`, where `r + Exp(1)` is exact by memorylessness.
///
/// Drawing the Gumbel noise of Gumbel-max and Gumbel-softmax as `−log E`
/// with `E` from here takes one logarithm per draw instead of the two of
/// `−log(−log u)`.
@usableFromInline
enum ExponentialZiggurat {
    /// The right edge of the base strip.
    @usableFromInline static let r = 7.69711747013104972
    /// The area of each layer.
    static let area = 3.9496598225815571993e-3

    /// Per layer: the acceptance threshold on the 53-bit integer, the
    /// width per unit of that integer, and `e^{−xᵢ}` at the layer's edge.
    @usableFromInline
    struct Tables: Sendable {
        @usableFromInline let threshold: [UInt64]
        @usableFromInline let width: [Double]
        @usableFromInline let density: [Double]
    }

    /// Marsaglia and Tsang's recurrence, `xᵢ = −log(v/xᵢ₊₁ + e^{−xᵢ₊₁})`,
    /// at 53 bits instead of 32.
    @usableFromInline
    static let tables: Tables = {
        let scale = 0x1p53
        var threshold = [UInt64](repeating: 0, count: 256)
        var width = [Double](repeating: 0, count: 256)
        var density = [Double](repeating: 0, count: 256)
        var edge = r, previous = r
        let baseWidth = area / Foundation.exp(-edge)
        threshold[0] = UInt64((edge / baseWidth) * scale)
        threshold[1] = 0
        width[0] = baseWidth / scale
        width[255] = edge / scale
        density[0] = 1
        density[255] = Foundation.exp(-edge)
        for i in stride(from: 254, through: 1, by: -1) {
            edge = -Foundation.log(area / edge + Foundation.exp(-edge))
            threshold[i + 1] = UInt64((edge / previous) * scale)
            previous = edge
            density[i] = Foundation.exp(-edge)
            width[i] = edge / scale
        }
        return Tables(threshold: threshold, width: width, density: density)
    }()

    /// One standard exponential draw (mean 1), always positive and finite.
    @inlinable
    static func next<G: RandomNumberGenerator>(using generator: inout G, _ tables: Tables) -> Double {
        while true {
            let point = point(generator.next(), tables)
            if point.inside { return point.x }
            if let x = beyondEdge(layer: point.layer, x: point.x, using: &generator, tables) { return x }
        }
    }

    /// The rest of a draw whose point `x` in `layer` lies beyond the next
    /// layer's edge, as ``next(using:_:)`` takes it: the tail, an accepted
    /// wedge point, or else fresh draws. Out of line, so a loop that fills
    /// a buffer (`NoiseSampler`) keeps the common case, ``point(_:_:)``,
    /// and its generator's state in registers.
    @inlinable @inline(never)
    static func nextBeyondCore<G: RandomNumberGenerator>(layer: Int, x: Double, using generator: inout G,
                                                         _ tables: Tables) -> Double {
        var (layer, x) = (layer, x)
        while true {
            if let accepted = beyondEdge(layer: layer, x: x, using: &generator, tables) { return accepted }
            let point = point(generator.next(), tables)
            if point.inside { return point.x }
            (layer, x) = (point.layer, point.x)
        }
    }

    /// The layer and point that 64 random bits pick, and whether the point
    /// lies inside the next layer's edge (accepted at once).
    @inlinable @inline(__always)
    static func point(_ bits: UInt64, _ tables: Tables) -> (layer: Int, x: Double, inside: Bool) {
        let layer = Int(truncatingIfNeeded: bits & 0xFF)
        let integer = bits >> 11
        // The half keeps x off zero (so −log x is finite).
        return (layer, (Double(integer) + 0.5) * tables.width[layer], integer < tables.threshold[layer])
    }

    /// A point beyond its layer's edge: a draw from the tail (layer 0), the
    /// point itself when it falls under the density in the wedge, or `nil`
    /// (draw again).
    @inlinable @inline(__always)
    static func beyondEdge<G: RandomNumberGenerator>(layer: Int, x: Double, using generator: inout G,
                                                     _ tables: Tables) -> Double? {
        if layer == 0 { return r - Foundation.log(generator.nextOpenUniform()) }
        let low = tables.density[layer], high = tables.density[layer - 1]
        return low + generator.nextOpenUniform() * (high - low) < Foundation.exp(-x) ? x : nil
    }
}
