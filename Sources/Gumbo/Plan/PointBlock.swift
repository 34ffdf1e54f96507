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

extension Width2: ClassWidth {
    static var classes: Int { 2 }

    /// `00 01 10 11 | 20 21 30 31` ↔ `00 10 20 30 | 01 11 21 31`.
    @inline(__always)
    static func columns(_ b: PointBlock) -> PointBlock {
        PointBlock(Vector4(b.v0[0], b.v0[2], b.v1[0], b.v1[2]), Vector4(b.v0[1], b.v0[3], b.v1[1], b.v1[3]), Vector4(), Vector4())
    }

    @inline(__always)
    static func interleave(_ t: PointBlock) -> PointBlock {
        PointBlock(Vector4(t.v0[0], t.v1[0], t.v0[1], t.v1[1]), Vector4(t.v0[2], t.v1[2], t.v0[3], t.v1[3]), Vector4(), Vector4())
    }
}

extension Width3: ClassWidth {
    static var classes: Int { 3 }

    /// `00 01 02 10 | 11 12 20 21 | 22 30 31 32` ↔
    /// `00 10 20 30 | 01 11 21 31 | 02 12 22 32`.
    @inline(__always)
    static func columns(_ b: PointBlock) -> PointBlock {
        PointBlock(Vector4(b.v0[0], b.v0[3], b.v1[2], b.v2[1]),
                   Vector4(b.v0[1], b.v1[0], b.v1[3], b.v2[2]),
                   Vector4(b.v0[2], b.v1[1], b.v2[0], b.v2[3]), Vector4())
    }

    @inline(__always)
    static func interleave(_ t: PointBlock) -> PointBlock {
        PointBlock(Vector4(t.v0[0], t.v1[0], t.v2[0], t.v0[1]),
                   Vector4(t.v1[1], t.v2[1], t.v0[2], t.v1[2]),
                   Vector4(t.v2[2], t.v0[3], t.v1[3], t.v2[3]), Vector4())
    }
}

extension Width4: ClassWidth {
    static var classes: Int { 4 }

    /// The 4 × 4 transpose (its own inverse).
    @inline(__always)
    static func columns(_ b: PointBlock) -> PointBlock {
        PointBlock(Vector4(b.v0[0], b.v1[0], b.v2[0], b.v3[0]), Vector4(b.v0[1], b.v1[1], b.v2[1], b.v3[1]),
                   Vector4(b.v0[2], b.v1[2], b.v2[2], b.v3[2]), Vector4(b.v0[3], b.v1[3], b.v2[3], b.v3[3]))
    }

    @inline(__always)
    static func interleave(_ t: PointBlock) -> PointBlock { columns(t) }
}
