/// A broadcasting operator of two arguments with its partial derivatives
/// beside it. The partials receive the forward result `y` too
/// (`∂(a/b)/∂b = −y/b`).
protocol BinaryRule {
    static func value(_ a: Double, _ b: Double) -> Double
    static func partialA(_ a: Double, _ b: Double, _ y: Double) -> Double
    static func partialB(_ a: Double, _ b: Double, _ y: Double) -> Double
}

/// Forward and backward loops of ``Opcode/binary(_:)``.
///
/// The instruction's ``BroadcastGeometry`` gives rows of the output; along a
/// row each operand is contiguous (step 1) or constant (step 0), and the
/// loops are specialized for the three combinations that occur. The
/// backward pass of a broadcast operand sums the row into a register before
/// touching memory; a dense operand's gradient is stored through a
/// ``GradientStore``.
enum BinaryKernels {
    static func forward(_ op: BinaryOperator, _ i: Instruction, _ m: KernelMemory) {
        switch op {
        case .add: forward(AddRule.self, i, m)
        case .subtract: forward(SubtractRule.self, i, m)
        case .multiply: forward(MultiplyRule.self, i, m)
        case .divide: forward(DivideRule.self, i, m)
        case .maximum: forward(MaximumRule.self, i, m)
        case .minimum: forward(MinimumRule.self, i, m)
        }
    }

    static func backward(_ op: BinaryOperator, _ i: Instruction, _ m: KernelMemory) {
        switch op {
        case .add: backward(AddRule.self, i, m)
        case .subtract: backward(SubtractRule.self, i, m)
        case .multiply: backward(MultiplyRule.self, i, m)
        case .divide: backward(DivideRule.self, i, m)
        case .maximum: backward(MaximumRule.self, i, m)
        case .minimum: backward(MinimumRule.self, i, m)
        }
    }

    @inline(__always)
    static func forward<Rule: BinaryRule>(_: Rule.Type, _ i: Instruction, _ m: KernelMemory) {
        // One element (an ELBO's running total): every operand is one
        // element too, at its offset; no geometry to walk.
        if i.count == 1 {
            m.values[i.output] = Rule.value(m.values[i.input0], m.values[i.input1])
            return
        }
        // Short rows (a class axis of 2–4 against a long batch axis) get a
        // constant width so their loops unroll.
        let rows = BroadcastRows(m, geometry: i.geometry)
        switch rows.length {
        case 2: forward(Rule.self, Width2.self, i, m, rows)
        case 3: forward(Rule.self, Width3.self, i, m, rows)
        case 4: forward(Rule.self, Width4.self, i, m, rows)
        default: forward(Rule.self, AnyWidth.self, i, m, rows)
        }
    }

    @inline(__always)
    static func forward<Rule: BinaryRule, Width: RowWidth>(
        _: Rule.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory, _ start: BroadcastRows
    ) {
        var rows = start
        let n = Width.length(rows.length)
        let a = m.values + i.input0
        let b = m.values + i.input1
        var y = m.values + i.output
        switch (rows.step0, rows.step1) {
        case (1, 1):
            for _ in 0..<rows.count {
                let pa = a + rows.offset0, pb = b + rows.offset1
                for j in 0..<n { y[j] = Rule.value(pa[j], pb[j]) }
                y += n
                rows.advance()
            }
        case (1, 0):
            for _ in 0..<rows.count {
                let pa = a + rows.offset0, vb = b[rows.offset1]
                for j in 0..<n { y[j] = Rule.value(pa[j], vb) }
                y += n
                rows.advance()
            }
        case (0, 1):
            for _ in 0..<rows.count {
                let va = a[rows.offset0], pb = b + rows.offset1
                for j in 0..<n { y[j] = Rule.value(va, pb[j]) }
                y += n
                rows.advance()
            }
        default:
            for _ in 0..<rows.count {
                let va = a[rows.offset0], vb = b[rows.offset1]
                for j in 0..<n { y[j] = Rule.value(va, vb) }
                y += n
                rows.advance()
            }
        }
    }

    @inline(__always)
    static func backward<Rule: BinaryRule>(_: Rule.Type, _ i: Instruction, _ m: KernelMemory) {
        if i.count == 1 {
            backwardSingle(Rule.self, i, m)
            return
        }
        if i.gradient0 >= 0 {
            if i.overwrites(0) {
                backward(Rule.self, LeftOperand.self, Overwrite.self, i, m)
            } else {
                backward(Rule.self, LeftOperand.self, Accumulate.self, i, m)
            }
        }
        if i.gradient1 >= 0 {
            if i.overwrites(1) {
                backward(Rule.self, RightOperand.self, Overwrite.self, i, m)
            } else {
                backward(Rule.self, RightOperand.self, Accumulate.self, i, m)
            }
        }
    }

    /// One element: each requested gradient stores `0 + g · ∂`, the sum the
    /// general loop forms for an operand of stride 0 (as every operand of a
    /// one-element result is), so the results match it bit for bit.
    @inline(__always)
    static func backwardSingle<Rule: BinaryRule>(_: Rule.Type, _ i: Instruction, _ m: KernelMemory) {
        let a = m.values[i.input0], b = m.values[i.input1], y = m.values[i.output]
        let g = m.gradients[i.outputGradient]
        @inline(__always) func store(_ contribution: Double, _ slot: Int, _ position: Int) {
            if i.overwrites(position) {
                Overwrite.store(contribution, at: m.gradients + slot)
            } else {
                Accumulate.store(contribution, at: m.gradients + slot)
            }
        }
        if i.gradient0 >= 0 { store(0.0 + g * Rule.partialA(a, b, y), i.gradient0, 0) }
        if i.gradient1 >= 0 { store(0.0 + g * Rule.partialB(a, b, y), i.gradient1, 1) }
    }

    /// The gradient of one operand (`Side`), by its layout across rows:
    ///
    /// - varying per row: each row's contributions stored where they belong,
    ///   with contiguous and constant operands read without strides;
    /// - one short row repeated (`[K]` against `[N, K]`, `K ≤ 4`): summed
    ///   down each column in a SIMD register, stored once per column;
    /// - a single element: summed over everything in a register, stored once.
    ///
    /// The last two never chain read-modify-writes through memory.
    @inline(__always)
    static func backward<Rule: BinaryRule, Side: BinaryOperandSide, Store: GradientStore>(
        _: Rule.Type, _: Side.Type, _: Store.Type, _ i: Instruction, _ m: KernelMemory
    ) {
        let rows = BroadcastRows(m, geometry: i.geometry)
        switch rows.length {
        case 2: backward(Rule.self, Side.self, Store.self, Width2.self, i, m, rows)
        case 3: backward(Rule.self, Side.self, Store.self, Width3.self, i, m, rows)
        case 4: backward(Rule.self, Side.self, Store.self, Width4.self, i, m, rows)
        default: backward(Rule.self, Side.self, Store.self, AnyWidth.self, i, m, rows)
        }
    }

    @inline(__always)
    static func backward<Rule: BinaryRule, Side: BinaryOperandSide, Store: GradientStore, Width: RowWidth>(
        _: Rule.Type, _: Side.Type, _: Store.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory,
        _ start: BroadcastRows
    ) {
        let n = Width.length(start.length)
        let a = m.values + i.input0, b = m.values + i.input1
        let y = m.values + i.output
        let g = m.gradients + i.outputGradient
        let target = m.gradients + Side.gradient(i)
        let (sa, sb) = (start.step0, start.step1)
        var rows = start
        var row = 0
        switch start.layout(ofOperand: Side.index) {
        case .oneRow where n <= 4 && rows.count > 1:
            // One short row repeated: a register per column, one pass.
            var total = SIMD4<Double>(repeating: 0)
            for _ in 0..<rows.count {
                let pa = a + rows.offset0, pb = b + rows.offset1
                for j in 0..<n {
                    total[j] += g[row + j] * Side.partial(Rule.self, pa[j * sa], pb[j * sb], y[row + j])
                }
                row += n
                rows.advance()
            }
            for j in 0..<n { Store.store(total[j], at: target + j) }
        case .singleElement where rows.count > 1 || n > 1:
            var total = 0.0
            for _ in 0..<rows.count {
                let pa = a + rows.offset0, pb = b + rows.offset1
                for j in 0..<n { total += g[row + j] * Side.partial(Rule.self, pa[j * sa], pb[j * sb], y[row + j]) }
                row += n
                rows.advance()
            }
            Store.store(total, at: target)
        default:
            // Per row. A wide repeated row also lands here: consecutive
            // elements go to different slots, so the accumulation does not
            // chain. Overwrite only happens when every element is written once.
            for _ in 0..<rows.count {
                let pa = a + rows.offset0, pb = b + rows.offset1
                let py = y + row, pg = g + row
                let out = target + Side.offset(rows)
                if Side.step(rows) == 0 {
                    // One element per row: written once per row when the
                    // operand is dense (then Store may overwrite), shared by
                    // rows otherwise (then Store accumulates).
                    var total = 0.0
                    for j in 0..<n { total += pg[j] * Side.partial(Rule.self, pa[j * sa], pb[j * sb], py[j]) }
                    Store.store(total, at: out)
                } else if sa == 1 && sb == 1 {
                    for j in 0..<n { Store.store(pg[j] * Side.partial(Rule.self, pa[j], pb[j], py[j]), at: out + j) }
                } else if sa == 1 {
                    let vb = pb[0]
                    for j in 0..<n { Store.store(pg[j] * Side.partial(Rule.self, pa[j], vb, py[j]), at: out + j) }
                } else {
                    let va = pa[0]
                    for j in 0..<n { Store.store(pg[j] * Side.partial(Rule.self, va, pb[j], py[j]), at: out + j) }
                }
                row += n
                rows.advance()
            }
        }
    }
}

/// Which operand of a binary op a backward loop differentiates.
protocol BinaryOperandSide {
    static var index: Int { get }
    static func gradient(_ i: Instruction) -> Int
    static func offset(_ rows: BroadcastRows) -> Int
    static func step(_ rows: BroadcastRows) -> Int
    static func partial<Rule: BinaryRule>(_: Rule.Type, _ a: Double, _ b: Double, _ y: Double) -> Double
}

enum LeftOperand: BinaryOperandSide {
    static var index: Int { 0 }
    @inline(__always) static func gradient(_ i: Instruction) -> Int { i.gradient0 }
    @inline(__always) static func offset(_ rows: BroadcastRows) -> Int { rows.offset0 }
    @inline(__always) static func step(_ rows: BroadcastRows) -> Int { rows.step0 }
    @inline(__always) static func partial<Rule: BinaryRule>(_: Rule.Type, _ a: Double, _ b: Double, _ y: Double) -> Double {
        Rule.partialA(a, b, y)
    }
}

enum RightOperand: BinaryOperandSide {
    static var index: Int { 1 }
    @inline(__always) static func gradient(_ i: Instruction) -> Int { i.gradient1 }
    @inline(__always) static func offset(_ rows: BroadcastRows) -> Int { rows.offset1 }
    @inline(__always) static func step(_ rows: BroadcastRows) -> Int { rows.step1 }
    @inline(__always) static func partial<Rule: BinaryRule>(_: Rule.Type, _ a: Double, _ b: Double, _ y: Double) -> Double {
        Rule.partialB(a, b, y)
    }
}

// MARK: Rules

enum AddRule: BinaryRule {
    @inline(__always) static func value(_ a: Double, _ b: Double) -> Double { a + b }
    @inline(__always) static func partialA(_ a: Double, _ b: Double, _ y: Double) -> Double { 1 }
    @inline(__always) static func partialB(_ a: Double, _ b: Double, _ y: Double) -> Double { 1 }
}

enum SubtractRule: BinaryRule {
    @inline(__always) static func value(_ a: Double, _ b: Double) -> Double { a - b }
    @inline(__always) static func partialA(_ a: Double, _ b: Double, _ y: Double) -> Double { 1 }
    @inline(__always) static func partialB(_ a: Double, _ b: Double, _ y: Double) -> Double { -1 }
}

enum MultiplyRule: BinaryRule {
    @inline(__always) static func value(_ a: Double, _ b: Double) -> Double { a * b }
    @inline(__always) static func partialA(_ a: Double, _ b: Double, _ y: Double) -> Double { b }
    @inline(__always) static func partialB(_ a: Double, _ b: Double, _ y: Double) -> Double { a }
}

enum DivideRule: BinaryRule {
    @inline(__always) static func value(_ a: Double, _ b: Double) -> Double { a / b }
    @inline(__always) static func partialA(_ a: Double, _ b: Double, _ y: Double) -> Double { 1 / b }
    /// `∂(a/b)/∂b = −a/b² = −y/b`.
    @inline(__always) static func partialB(_ a: Double, _ b: Double, _ y: Double) -> Double { -y / b }
}

enum MaximumRule: BinaryRule {
    @inline(__always) static func value(_ a: Double, _ b: Double) -> Double { a >= b ? a : b }
    @inline(__always) static func partialA(_ a: Double, _ b: Double, _ y: Double) -> Double { a >= b ? 1 : 0 }
    @inline(__always) static func partialB(_ a: Double, _ b: Double, _ y: Double) -> Double { a >= b ? 0 : 1 }
}

enum MinimumRule: BinaryRule {
    @inline(__always) static func value(_ a: Double, _ b: Double) -> Double { a <= b ? a : b }
    @inline(__always) static func partialA(_ a: Double, _ b: Double, _ y: Double) -> Double { a <= b ? 1 : 0 }
    @inline(__always) static func partialB(_ a: Double, _ b: Double, _ y: Double) -> Double { a <= b ? 0 : 1 }
}
