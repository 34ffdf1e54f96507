/// Four consecutive points of an `[N, K]` table (`K` = 2, 3 or 4 classes):
/// its `4K` elements in memory order, as `K` vectors of four.
///
/// A kernel over `[N, K]` that walks one short row of `K` at a time cannot
/// fill a four-lane vector (three of four lanes at `K = 3`). Taken four
/// points at a time, the `4K` elements are exactly `K` vectors, and each
/// operand's vectors are cheap to form (``BlockOperand``):
///
///     K = 3, point p class c written pc:
///     dense [N, K]   00 01 02 10 | 11 12 20 21 | 22 30 31 32   three loads
///     per class [K]  c0 c1 c2 c0 | c1 c2 c0 c1 | c2 c0 c1 c2   built once
///     per point [N]  x0 x0 x0 x1 | x1 x1 x2 x2 | x2 x3 x3 x3   one load, spread
///
/// ``ClassWidth/columns(_:)`` transposes a block to one vector per class
/// (lane `p` = point `p`): per-point sums add the columns, per-class sums
/// add a column's lanes. Lanes `K..<4` of the tuple are unused.
struct PointBlock {
    var v0 = Vector4(), v1 = Vector4(), v2 = Vector4(), v3 = Vector4()

    @inline(__always)
    init() {}

    @inline(__always)
    init(_ v0: Vector4, _ v1: Vector4, _ v2: Vector4, _ v3: Vector4) {
        (self.v0, self.v1, self.v2, self.v3) = (v0, v1, v2, v3)
    }

    /// Vector `v` (`v < 4`; callers' loops run to a constant `K`, so the
    /// switch folds away).
    @inline(__always)
    subscript(v: Int) -> Vector4 {
        get {
            switch v {
            case 0: v0
            case 1: v1
            case 2: v2
            default: v3
            }
        }
        set {
            switch v {
            case 0: v0 = newValue
            case 1: v1 = newValue
            case 2: v2 = newValue
            default: v3 = newValue
            }
        }
    }
}

/// A row width that blocks of four points fill exactly: ``Width2``,
/// ``Width3``, ``Width4``. The two transposes between memory order (``PointBlock``)
/// and one vector per class are the only width-specific code; the rest is
/// built on them here.
protocol ClassWidth: RowWidth {
    /// `K` at compile time.
    static var classes: Int { get }
    /// Memory order → columns: vector `c` holds class `c` of points 0–3.
    static func columns(_ block: PointBlock) -> PointBlock
    /// Columns → memory order (the inverse of ``columns(_:)``).
    static func interleave(_ columns: PointBlock) -> PointBlock
}

extension ClassWidth {
    /// Four points' values, each repeated `K` times in memory order.
    @inline(__always)
    static func spread(_ points: Vector4) -> PointBlock {
        interleave(PointBlock(points, points, points, points))
    }

    /// `K` class values repeated for four points (the block is the same for
    /// every four points): `p[c · stride]` for `c < K`.
    @inline(__always)
    static func pattern(_ p: UnsafeMutablePointer<Double>, stride: Int) -> PointBlock {
        var columns = PointBlock()
        for c in 0..<classes { columns[c] = Vector4(repeating: p[c * stride]) }
        return interleave(columns)
    }

    /// Each point's sum over its classes, `(e₀ + e₁) + e₂ …` in class order.
    @inline(__always)
    static func sumPerPoint(_ block: PointBlock) -> Vector4 {
        let t = columns(block)
        var total = t[0]
        for c in 1..<classes { total += t[c] }
        return total
    }

    /// Each class's sum over the four points (lanes `0..<K`), from
    /// accumulators in memory order: `(p₀ + p₁) + (p₂ + p₃)`.
    @inline(__always)
    static func sumPerClass(_ block: PointBlock) -> Vector4 {
        let t = columns(block)
        var total = Vector4()
        for c in 0..<classes { total[c] = (t[c][0] + t[c][1]) + (t[c][2] + t[c][3]) }
        return total
    }
}

// The transposes build each half of a result from halves of at most two
// source vectors (``pair(_:_:_:_:)``), so each compiles to one `shufpd` or
// `unpcklpd`. Built lane by lane from three or four vectors, they made the
// optimizer scalarize the arithmetic around them (measured in the
// enumerated-expectation kernel: four `divsd` where one `1 / s` was meant).

/// `(a[i], b[j])`.
@inline(__always)
private func pair(_ a: SIMD2<Double>, _ i: Int, _ b: SIMD2<Double>, _ j: Int) -> SIMD2<Double> {
    SIMD2(a[i], b[j])
}

@inline(__always)
private func join(_ low: SIMD2<Double>, _ high: SIMD2<Double>) -> Vector4 {
    Vector4(lowHalf: low, highHalf: high)
}

extension Width2: ClassWidth {
    static var classes: Int { 2 }

    /// `00 01 10 11 | 20 21 30 31` → `00 10 20 30 | 01 11 21 31`.
    @inline(__always)
    static func columns(_ b: PointBlock) -> PointBlock {
        let (a0, a1, b0, b1) = (b.v0.lowHalf, b.v0.highHalf, b.v1.lowHalf, b.v1.highHalf)
        return PointBlock(join(pair(a0, 0, a1, 0), pair(b0, 0, b1, 0)), join(pair(a0, 1, a1, 1), pair(b0, 1, b1, 1)),
                          Vector4(), Vector4())
    }

    @inline(__always)
    static func interleave(_ t: PointBlock) -> PointBlock {
        let (x0, x1, y0, y1) = (t.v0.lowHalf, t.v0.highHalf, t.v1.lowHalf, t.v1.highHalf)
        return PointBlock(join(pair(x0, 0, y0, 0), pair(x0, 1, y0, 1)), join(pair(x1, 0, y1, 0), pair(x1, 1, y1, 1)),
                          Vector4(), Vector4())
    }
}

extension Width3: ClassWidth {
    static var classes: Int { 3 }

    /// `00 01 02 10 | 11 12 20 21 | 22 30 31 32` →
    /// `00 10 20 30 | 01 11 21 31 | 02 12 22 32`.
    @inline(__always)
    static func columns(_ b: PointBlock) -> PointBlock {
        let (a0, a1, b0, b1) = (b.v0.lowHalf, b.v0.highHalf, b.v1.lowHalf, b.v1.highHalf)
        let (c0, c1) = (b.v2.lowHalf, b.v2.highHalf)
        return PointBlock(join(pair(a0, 0, a1, 1), pair(b1, 0, c0, 1)),
                          join(pair(a0, 1, b0, 0), pair(b1, 1, c1, 0)),
                          join(pair(a1, 0, b0, 1), pair(c0, 0, c1, 1)), Vector4())
    }

    @inline(__always)
    static func interleave(_ t: PointBlock) -> PointBlock {
        let (x0, x1, y0, y1) = (t.v0.lowHalf, t.v0.highHalf, t.v1.lowHalf, t.v1.highHalf)
        let (z0, z1) = (t.v2.lowHalf, t.v2.highHalf)
        return PointBlock(join(pair(x0, 0, y0, 0), pair(z0, 0, x0, 1)),
                          join(pair(y0, 1, z0, 1), pair(x1, 0, y1, 0)),
                          join(pair(z1, 0, x1, 1), pair(y1, 1, z1, 1)), Vector4())
    }
}

extension Width4: ClassWidth {
    static var classes: Int { 4 }

    /// The 4 × 4 transpose (its own inverse).
    @inline(__always)
    static func columns(_ b: PointBlock) -> PointBlock {
        let (a0, a1, b0, b1) = (b.v0.lowHalf, b.v0.highHalf, b.v1.lowHalf, b.v1.highHalf)
        let (c0, c1, d0, d1) = (b.v2.lowHalf, b.v2.highHalf, b.v3.lowHalf, b.v3.highHalf)
        return PointBlock(join(pair(a0, 0, b0, 0), pair(c0, 0, d0, 0)), join(pair(a0, 1, b0, 1), pair(c0, 1, d0, 1)),
                          join(pair(a1, 0, b1, 0), pair(c1, 0, d1, 0)), join(pair(a1, 1, b1, 1), pair(c1, 1, d1, 1)))
    }

    @inline(__always)
    static func interleave(_ t: PointBlock) -> PointBlock { columns(t) }
}
