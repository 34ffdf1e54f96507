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
/// touching memory.
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
        var rows = BroadcastRows(m, geometry: i.geometry)
        let a = m.values + i.input0
        let b = m.values + i.input1
        var y = m.values + i.output
        let n = rows.length
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
        if i.gradient0 >= 0 { backwardA(Rule.self, i, m) }
        if i.gradient1 >= 0 { backwardB(Rule.self, i, m) }
    }

    @inline(__always)
    static func backwardA<Rule: BinaryRule>(_: Rule.Type, _ i: Instruction, _ m: KernelMemory) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let a = m.values + i.input0, b = m.values + i.input1
        var y = m.values + i.output
        var g = m.gradients + i.outputGradient
        let ga = m.gradients + i.gradient0
        let n = rows.length
        let (sa, sb) = (rows.step0, rows.step1)
        for _ in 0..<rows.count {
            let pa = a + rows.offset0, pb = b + rows.offset1, pga = ga + rows.offset0
            if sa == 1 {
                if sb == 1 {
                    for j in 0..<n { pga[j] += g[j] * Rule.partialA(pa[j], pb[j], y[j]) }
                } else {
                    let vb = pb[0]
                    for j in 0..<n { pga[j] += g[j] * Rule.partialA(pa[j], vb, y[j]) }
                }
            } else {
                let va = pa[0]
                var total = 0.0
                for j in 0..<n { total += g[j] * Rule.partialA(va, pb[j * sb], y[j]) }
                pga[0] += total
            }
            y += n
            g += n
            rows.advance()
        }
    }

    @inline(__always)
    static func backwardB<Rule: BinaryRule>(_: Rule.Type, _ i: Instruction, _ m: KernelMemory) {
        var rows = BroadcastRows(m, geometry: i.geometry)
        let a = m.values + i.input0, b = m.values + i.input1
        var y = m.values + i.output
        var g = m.gradients + i.outputGradient
        let gb = m.gradients + i.gradient1
        let n = rows.length
        let (sa, sb) = (rows.step0, rows.step1)
        for _ in 0..<rows.count {
            let pa = a + rows.offset0, pb = b + rows.offset1, pgb = gb + rows.offset1
            if sb == 1 {
                if sa == 1 {
                    for j in 0..<n { pgb[j] += g[j] * Rule.partialB(pa[j], pb[j], y[j]) }
                } else {
                    let va = pa[0]
                    for j in 0..<n { pgb[j] += g[j] * Rule.partialB(va, pb[j], y[j]) }
                }
            } else {
                let vb = pb[0]
                var total = 0.0
                for j in 0..<n { total += g[j] * Rule.partialB(pa[j * sa], vb, y[j]) }
                pgb[0] += total
            }
            y += n
            g += n
            rows.advance()
        }
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
