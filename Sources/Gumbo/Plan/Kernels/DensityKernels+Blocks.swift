/// ``DensityKernels`` over an `[N, K]` result with `K` = 2–4 (a class axis
/// against a batch of points: W3's `Normal(x_i; μ_k, σ)` on `[1000, 3]`),
/// four points at a time (``PointBlock``): each short row is too short for
/// the row loop's vectors, but four rows are `K` full vectors.
///
/// Taken when the rule's vector form is its scalar form lane by lane
/// (``DensityRule/blocksShortRows``), the rows are linear
/// (``BroadcastRows/isLinear``) and every operand is dense, per class, per
/// point or a single element (``BlockOperand``). The `N mod 4` points left
/// over take the scalar rule.
///
/// Results, by what the backward sweep stores:
/// - values, and gradients of dense operands, are the row loop's bit for
///   bit (each element is the same expression);
/// - a per-point operand's gradient sums the row's classes as the row loop
///   does (``rowSum(_:_:)``): bit for bit;
/// - a per-class or single operand's gradient, `Σ_i g_ik ∂_ik` over the
///   points, is summed in four interleaved partial sums (points `i ≡ r mod 4`)
///   combined as `(s₀ + s₁) + (s₂ + s₃)`, then the leftover points in order.
///   The row loop summed the points in order; the two differ by rounding
///   only (and the interleaved sum's error bound is the smaller).
extension DensityKernels {
    /// The operands of a linear `[N, K]` geometry, each readable in blocks.
    struct Blocks<Width: ClassWidth> {
        let operands: (BlockOperand<Width>, BlockOperand<Width>, BlockOperand<Width>, BlockOperand<Width>)
        let points: Int

        @inline(__always)
        init?(_ i: Instruction, _ m: KernelMemory, _ rows: BroadcastRows) {
            guard rows.isLinear, rows.count >= 4, rows.length == Width.classes,
                  let a = BlockOperand<Width>(m.values + i.input0, pointStride: rows.rowStride0, classStride: rows.step0),
                  let b = BlockOperand<Width>(m.values + i.input1, pointStride: rows.rowStride1, classStride: rows.step1),
                  let c = BlockOperand<Width>(m.values + i.input2, pointStride: rows.rowStride2, classStride: rows.step2),
                  let d = BlockOperand<Width>(m.values + i.input3, pointStride: rows.rowStride3, classStride: rows.step3)
            else { return nil }
            operands = (a, b, c, d)
            points = rows.count
        }

        @inline(__always)
        subscript(k: Int) -> BlockOperand<Width> {
            switch k {
            case 0: operands.0
            case 1: operands.1
            case 2: operands.2
            default: operands.3
            }
        }

        /// The rule's four arguments at point `p`, class `c`.
        @inline(__always)
        func elements(_ p: Int, _ c: Int) -> (Double, Double, Double, Double) {
            (operands.0.element(point: p, class: c), operands.1.element(point: p, class: c),
             operands.2.element(point: p, class: c), operands.3.element(point: p, class: c))
        }
    }

    /// `y = rule(a, b, c, d)` over the blocks; `false` (nothing done) when
    /// the instruction does not qualify.
    @inline(__always)
    static func forwardInBlocks<Rule: DensityRule, Width: ClassWidth>(
        _: Rule.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory, _ rows: BroadcastRows, _ k: DensityConstants
    ) -> Bool {
        guard Rule.blocksShortRows, let o = Blocks<Width>(i, m, rows) else { return false }
        let classes = Width.classes
        let y = m.values + i.output
        let full = o.points / 4
        for block in 0..<full {
            let (a, b, c, d) = (o[0].block(block), o[1].block(block), o[2].block(block), o[3].block(block))
            let out = y + 4 * classes * block
            for v in 0..<classes { out.setVector(Rule.value(a[v], b[v], c[v], d[v], k), at: 4 * v) }
        }
        for p in (4 * full)..<o.points {
            for c in 0..<classes {
                let e = o.elements(p, c)
                y[p * classes + c] = Rule.value(e.0, e.1, e.2, e.3, k)
            }
        }
        return true
    }

    /// One operand's gradient (`Side`) over the blocks; `false` when the
    /// instruction does not qualify.
    @inline(__always)
    static func backwardInBlocks<Rule: DensityRule, Side: DensityOperand, Store: GradientStore, Width: ClassWidth>(
        _: Rule.Type, _: Side.Type, _: Store.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory,
        _ rows: BroadcastRows, _ k: DensityConstants
    ) -> Bool {
        guard Rule.blocksShortRows, let o = Blocks<Width>(i, m, rows) else { return false }
        let classes = Width.classes
        let g = m.gradients + i.outputGradient
        let target = m.gradients + Side.gradient(i)
        let full = o.points / 4

        /// `g · ∂` for the block's `K` vectors.
        @inline(__always)
        func products(_ block: Int) -> PointBlock {
            let (a, b, c, d) = (o[0].block(block), o[1].block(block), o[2].block(block), o[3].block(block))
            let pg = g + 4 * classes * block
            var result = PointBlock()
            for v in 0..<classes { result[v] = pg.vector(at: 4 * v) * Side.pick(Rule.partials(a[v], b[v], c[v], d[v], k)) }
            return result
        }

        /// `g · ∂` at point `p`, class `c`.
        @inline(__always)
        func product(_ p: Int, _ c: Int) -> Double {
            let e = o.elements(p, c)
            return g[p * classes + c] * Side.pick(Rule.partials(e.0, e.1, e.2, e.3, k))
        }

        switch o[Side.index].layout {
        case .dense:
            for block in 0..<full {
                let t = products(block), out = target + 4 * classes * block
                for v in 0..<classes { Store.store(t[v], at: out + 4 * v) }
            }
            for p in (4 * full)..<o.points {
                for c in 0..<classes { Store.store(product(p, c), at: target + p * classes + c) }
            }
        case .perPoint:
            for block in 0..<full { Store.store(rowSum(Width.self, Width.columns(products(block))), at: target + 4 * block) }
            for p in (4 * full)..<o.points {
                var row = PointBlock()
                for c in 0..<classes { row[c] = Vector4(repeating: product(p, c)) }
                Store.store(rowSum(Width.self, row)[0], at: target + p)
            }
        case .perClass, .single:
            var sums = PointBlock()
            for block in 0..<full {
                let t = products(block)
                for v in 0..<classes { sums[v] += t[v] }
            }
            var total = Width.sumPerClass(sums)
            for p in (4 * full)..<o.points {
                for c in 0..<classes { total[c] += product(p, c) }
            }
            if o[Side.index].layout == .perClass {
                for c in 0..<classes { Store.store(total[c], at: target + c) }
            } else {
                var all = total[0]
                for c in 1..<classes { all += total[c] }
                Store.store(all, at: target)
            }
        }
        return true
    }

    /// Each point's sum over its classes (`columns`, one vector per class)
    /// in the order of the row loop: in order from zero for `K` < 4, and at
    /// `K = 4` as its four-lane path, `((0 + e₀) + (0 + e₁)) + ((0 + e₂) + (0 + e₃))`.
    @inline(__always)
    static func rowSum<Width: ClassWidth>(_: Width.Type, _ columns: PointBlock) -> Vector4 {
        let zero = Vector4()
        guard Width.classes == 4 else {
            var total = zero + columns[0]
            for c in 1..<Width.classes { total += columns[c] }
            return total
        }
        return ((zero + columns[0]) + (zero + columns[1])) + ((zero + columns[2]) + (zero + columns[3]))
    }
}
