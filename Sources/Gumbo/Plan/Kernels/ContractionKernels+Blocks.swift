/// ``ContractionKernels`` contracting a class axis of `K` = 2–4 of an
/// `[N, K]` table, four outputs (points) at a time (``PointBlock``):
///
///     y_i = Σ_k a_ik b_ik        (W3: Σ_k log π_k · q_ik, per point i)
///
/// Along an output row a factor is dense (`[N, K]`, row-major), per class
/// (a `[K]` row), per point (`[N]`) or a single element (``BlockOperand``),
/// and at least one factor is dense. The row loops of the plain kernel take
/// such a row one output at a time, `K` scalar products each; here four
/// outputs' `4K` products are `K` vector products, and the sums per output
/// one transpose (``ClassWidth/columns(_:)``).
///
/// Results: values and the gradients of dense or per-point factors are the
/// plain loops' bit for bit (the same products, each output's sum in class
/// order). The gradient of a factor shared by every output (a per-class
/// row, `Σ_i g_i b_ik`) is summed in four interleaved partial sums (outputs
/// `i ≡ r mod 4`) combined as `(s₀ + s₁) + (s₂ + s₃)`, then the leftover
/// outputs in order; the plain loop summed the outputs in order. The two
/// differ by rounding only.
extension ContractionKernels {
    /// Both factors' layouts along an output row, if they fit blocks and
    /// one is dense.
    @inline(__always)
    static func blockLayouts<Width: ClassWidth>(
        _: Width.Type, _ i: Instruction, _ rows: BroadcastRows
    ) -> (BlockOperand<Width>.Layout, BlockOperand<Width>.Layout)? {
        guard rows.length >= 4,
              let a = BlockOperand<Width>.layout(pointStride: rows.step0, classStride: i.batchStride0),
              let b = BlockOperand<Width>.layout(pointStride: rows.step1, classStride: i.batchStride1),
              a == .dense || b == .dense
        else { return nil }
        return (a, b)
    }

    /// `y = Σ_k a_k b_k` in blocks; `false` (nothing done) when the
    /// instruction does not qualify.
    @inline(__always)
    static func forwardInBlocks<Width: ClassWidth>(_: Width.Type, _ i: Instruction, _ m: KernelMemory, _ start: BroadcastRows) -> Bool {
        guard let (layoutA, layoutB) = blockLayouts(Width.self, i, start) else { return false }
        var rows = start
        let n = rows.length, classes = Width.classes, full = n / 4
        var y = m.values + i.output
        for _ in 0..<rows.count {
            let a = BlockOperand<Width>(m.values + i.input0 + rows.offset0, layoutA, pointStride: rows.step0, classStride: i.batchStride0)
            let b = BlockOperand<Width>(m.values + i.input1 + rows.offset1, layoutB, pointStride: rows.step1, classStride: i.batchStride1)
            for block in 0..<full {
                let (ba, bb) = (a.block(block), b.block(block))
                var products = PointBlock()
                for v in 0..<classes { products[v] = ba[v] * bb[v] }
                y.setVector(Width.sumPerPoint(products), at: 4 * block)
            }
            for p in (4 * full)..<n {
                var total = a.element(point: p, class: 0) * b.element(point: p, class: 0)
                for c in 1..<classes { total += a.element(point: p, class: c) * b.element(point: p, class: c) }
                y[p] = total
            }
            y += n
            rows.advance()
        }
        return true
    }

    /// One factor's gradient (`Side`) in blocks: `g_i · other_ik` into a
    /// dense factor, `g_i Σ_k other_ik` into a per-point one, `Σ_i g_i
    /// other_ik` into a per-class row shared by every output. `false`
    /// (nothing done) for other layouts, or a per-class factor that differs
    /// between rows.
    @inline(__always)
    static func backwardInBlocks<Side: ContractionSide, Store: GradientStore, Width: ClassWidth>(
        _: Side.Type, _: Store.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory, _ start: BroadcastRows
    ) -> Bool {
        guard let layouts = blockLayouts(Width.self, i, start) else { return false }
        let (ownLayout, otherLayout) = Side.index == 0 ? layouts : (layouts.1, layouts.0)
        switch ownLayout {
        case .dense, .perPoint: break
        case .perClass where start.layout(ofOperand: Side.index) == .singleElement: break
        default: return false
        }
        var rows = start
        let n = rows.length, classes = Width.classes, full = n / 4
        let (kOwn, kOther) = (Side.ownStride(i), Side.otherStride(i))
        var g = m.gradients + i.outputGradient
        var sums = PointBlock()   // per class: the blocks' partial sums
        var rest = Vector4()      // per class: the leftover outputs
        for _ in 0..<rows.count {
            let own = m.gradients + Side.gradient(i) + Side.ownOffset(rows)
            let other = BlockOperand<Width>(m.values + Side.otherInput(i) + Side.otherOffset(rows), otherLayout,
                                            pointStride: Side.otherStep(rows), classStride: kOther)
            switch ownLayout {
            case .dense:
                for block in 0..<full {
                    let (spread, bo) = (Width.spread(g.vector(at: 4 * block)), other.block(block))
                    let out = own + 4 * classes * block
                    for v in 0..<classes { Store.store(spread[v] * bo[v], at: out + 4 * v) }
                }
                for p in (4 * full)..<n {
                    for c in 0..<classes { Store.store(g[p] * other.element(point: p, class: c), at: own + p * classes + c) }
                }
            case .perPoint:
                for block in 0..<full {
                    Store.store(g.vector(at: 4 * block) * Width.sumPerPoint(other.block(block)), at: own + 4 * block)
                }
                for p in (4 * full)..<n {
                    var total = other.element(point: p, class: 0)
                    for c in 1..<classes { total += other.element(point: p, class: c) }
                    Store.store(g[p] * total, at: own + p)
                }
            default:
                for block in 0..<full {
                    let (spread, bo) = (Width.spread(g.vector(at: 4 * block)), other.block(block))
                    for v in 0..<classes { sums[v] += spread[v] * bo[v] }
                }
                for p in (4 * full)..<n {
                    for c in 0..<classes { rest[c] += g[p] * other.element(point: p, class: c) }
                }
            }
            g += n
            rows.advance()
        }
        if ownLayout == .perClass {
            let total = Width.sumPerClass(sums) + rest
            let own = m.gradients + Side.gradient(i)
            for c in 0..<classes { Store.store(total[c], at: own + c * kOwn) }
        }
        return true
    }
}
