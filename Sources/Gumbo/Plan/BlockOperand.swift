/// One operand of a kernel over an `[N, K]` index space, read four points
/// at a time as a ``PointBlock``. The operand's element for point `p` and
/// class `c` is `base[p · pointStride + c · classStride]`; the strides must
/// make it one of four layouts:
///
///     dense      (K, 1)   an [N, K] table: K loads per block
///     perClass   (0, 1)   a [K] row shared by every point: a fixed block
///     perPoint   (1, 0)   an [N] column shared by the classes: one load, spread
///     single     (0, 0)   one element: a fixed block
struct BlockOperand<Width: ClassWidth> {
    enum Layout {
        case dense, perClass, perPoint, single
    }

    let base: UnsafeMutablePointer<Double>
    let layout: Layout
    let pointStride: Int
    let classStride: Int
    /// What every block reads, for ``Layout/perClass`` and ``Layout/single``.
    let fixed: PointBlock

    /// The layout of these strides, `nil` for none of the four.
    @inline(__always)
    static func layout(pointStride: Int, classStride: Int) -> Layout? {
        switch (pointStride, classStride) {
        case (Width.classes, 1): .dense
        case (0, 1): .perClass
        case (1, 0): .perPoint
        case (0, 0): .single
        default: nil
        }
    }

    /// `nil` for strides of no layout above.
    @inline(__always)
    init?(_ base: UnsafeMutablePointer<Double>, pointStride: Int, classStride: Int) {
        guard let layout = Self.layout(pointStride: pointStride, classStride: classStride) else { return nil }
        self.init(base, layout, pointStride: pointStride, classStride: classStride)
    }

    /// For strides of a known `layout`.
    @inline(__always)
    init(_ base: UnsafeMutablePointer<Double>, _ layout: Layout, pointStride: Int, classStride: Int) {
        self.base = base
        self.layout = layout
        self.pointStride = pointStride
        self.classStride = classStride
        switch layout {
        case .dense, .perPoint: fixed = PointBlock()
        case .perClass: fixed = Width.pattern(base, stride: 1)
        case .single:
            let v = Vector4(repeating: base[0])
            fixed = PointBlock(v, v, v, v)
        }
    }

    /// Points `4b ..< 4b + 4`.
    @inline(__always)
    func block(_ b: Int) -> PointBlock {
        switch layout {
        case .dense:
            let p = base + 4 * Width.classes * b
            var block = PointBlock()
            for v in 0..<Width.classes { block[v] = p.vector(at: 4 * v) }
            return block
        case .perPoint: return Width.spread(base.vector(at: 4 * b))
        case .perClass, .single: return fixed
        }
    }

    @inline(__always)
    func element(point p: Int, class c: Int) -> Double {
        base[p * pointStride + c * classStride]
    }
}
