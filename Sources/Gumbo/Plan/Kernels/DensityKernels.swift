import Foundation

/// A fused scalar kernel of up to four broadcast operands: the value and
/// its partial derivatives, both taken from the distribution library.
///
/// Operands a kernel does not have read as 0. `constants` carries what the
/// op fixes at build time (Hard Concrete's stretch bounds), or what the
/// compiler hoisted (a Normal's `log std`).
protocol DensityRule {
    static func value(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ constants: DensityConstants) -> Double
    static func partials(
        _ a: Double, _ b: Double, _ c: Double, _ d: Double, _ constants: DensityConstants
    ) -> (Double, Double, Double, Double)
    /// Four elements at once; by default the scalar rule lane by lane.
    static func value(_ a: Vector4, _ b: Vector4, _ c: Vector4, _ d: Vector4, _ constants: DensityConstants) -> Vector4
    static func partials(
        _ a: Vector4, _ b: Vector4, _ c: Vector4, _ d: Vector4, _ constants: DensityConstants
    ) -> (Vector4, Vector4, Vector4, Vector4)
    /// Whether `[N, K]` results with short rows go four points at a time
    /// (``DensityKernels/forwardInBlocks(_:_:_:_:_:_:)``): only for a
    /// vector form that is the scalar form lane by lane, bit for bit, and
    /// faster than it. By default `false`.
    static var blocksShortRows: Bool { get }
}

extension DensityRule {
    static var blocksShortRows: Bool { false }

    @inline(__always)
    static func value(_ a: Vector4, _ b: Vector4, _ c: Vector4, _ d: Vector4, _ k: DensityConstants) -> Vector4 {
        Vector4(value(a[0], b[0], c[0], d[0], k), value(a[1], b[1], c[1], d[1], k),
                value(a[2], b[2], c[2], d[2], k), value(a[3], b[3], c[3], d[3], k))
    }

    @inline(__always)
    static func partials(
        _ a: Vector4, _ b: Vector4, _ c: Vector4, _ d: Vector4, _ k: DensityConstants
    ) -> (Vector4, Vector4, Vector4, Vector4) {
        var result = (Vector4(), Vector4(), Vector4(), Vector4())
        for lane in 0..<4 {
            let p = partials(a[lane], b[lane], c[lane], d[lane], k)
            result.0[lane] = p.0
            result.1[lane] = p.1
            result.2[lane] = p.2
            result.3[lane] = p.3
        }
        return result
    }
}

/// Four consecutive elements along a row for an operand of step 1, or its
/// one element four times for step 0.
@inline(__always)
func lanes(_ p: UnsafeMutablePointer<Double>, _ j: Int, step: Int) -> Vector4 {
    step == 0 ? Vector4(repeating: p[0]) : p.vector(at: j)
}

struct DensityConstants {
    var first: Double
    var second: Double
    var third: Double
}

/// Forward and backward loops of ``Opcode/elementwiseDensity(_:)``: fused
/// log-densities, KL divergences and Hard Concrete functions of broadcast
/// operands, by the distribution library's scalar kernels
/// (`Sources/Gumbo/Distributions`; formulas and sources in
/// `Docs/Distributions.md`).
///
/// The forward loop walks the result row by row (``BroadcastRows``), with
/// short rows at a constant width. The backward pass makes one sweep per
/// operand that needs a gradient, storing it as the binary kernels do: dense
/// operands element by element, a repeated short row or a single element
/// in registers, stored once. An op with several operand gradients
/// therefore evaluates its partials once per such operand.
enum DensityKernels {
    static func forward(_ kind: ElementwiseDensity, _ i: Instruction, _ m: KernelMemory) {
        switch kind {
        case .normal: forwardNormal(i, m)
        case .bernoulli: forward(BernoulliRule.self, i, m, bounds(i))
        case .gumbel: forward(GumbelRule.self, i, m, bounds(i))
        case .relaxedBernoulli: forward(RelaxedBernoulliRule.self, i, m, bounds(i))
        case .hardConcrete: forward(HardConcreteRule.self, i, m, bounds(i))
        case .normalKL: forward(NormalKLRule.self, i, m, bounds(i))
        case .bernoulliKL: forward(BernoulliKLRule.self, i, m, bounds(i))
        case .hardConcreteGate: forward(HardConcreteGateRule.self, i, m, bounds(i))
        case .hardConcreteProbabilityNonzero: forward(HardConcreteNonzeroRule.self, i, m, bounds(i))
        }
    }

    static func backward(_ kind: ElementwiseDensity, _ i: Instruction, _ m: KernelMemory) {
        switch kind {
        case .normal: backwardNormal(i, m)
        case .bernoulli: backward(BernoulliRule.self, i, m, bounds(i))
        case .gumbel: backward(GumbelRule.self, i, m, bounds(i))
        case .relaxedBernoulli: backward(RelaxedBernoulliRule.self, i, m, bounds(i))
        case .hardConcrete: backward(HardConcreteRule.self, i, m, bounds(i))
        case .normalKL: backward(NormalKLRule.self, i, m, bounds(i))
        case .bernoulliKL: backward(BernoulliKLRule.self, i, m, bounds(i))
        case .hardConcreteGate: backward(HardConcreteGateRule.self, i, m, bounds(i))
        case .hardConcreteProbabilityNonzero: backward(HardConcreteNonzeroRule.self, i, m, bounds(i))
        }
    }

    static func bounds(_ i: Instruction) -> DensityConstants {
        DensityConstants(first: i.constant0, second: i.constant1, third: 0)
    }

    /// `Normal.logProb` evaluates `log std` and a division per element. When
    /// `std` is a single element (a fixed observation noise, as in W3), the
    /// log and the reciprocal are taken once here and both passes use
    /// ``NormalSingleStdRule`` — the library's formulas with `1/std`
    /// precomputed, equal to its kernels to within a few ulps (checked by a
    /// test).
    static func forwardNormal(_ i: Instruction, _ m: KernelMemory) {
        guard i.singleElementMask & 0b100 != 0 else {
            forward(NormalRule.self, i, m, bounds(i))
            return
        }
        forward(NormalSingleStdRule.self, i, m, normalConstants(i, m))
    }

    static func backwardNormal(_ i: Instruction, _ m: KernelMemory) {
        guard i.singleElementMask & 0b100 != 0 else {
            backward(NormalRule.self, i, m, bounds(i))
            return
        }
        backward(NormalSingleStdRule.self, i, m, normalConstants(i, m))
    }

    /// `(1/std, log std, Normal.logProb(0, mean: 0, std: 1))`.
    static func normalConstants(_ i: Instruction, _ m: KernelMemory) -> DensityConstants {
        let std = m.values[i.input2]
        return DensityConstants(first: 1 / std, second: Foundation.log(std), third: Normal.logProb(0, mean: 0, std: 1))
    }

    // MARK: Forward

    @inline(__always)
    static func forward<Rule: DensityRule>(_: Rule.Type, _ i: Instruction, _ m: KernelMemory, _ constants: DensityConstants) {
        let rows = BroadcastRows(m, geometry: i.geometry)
        switch rows.length {
        case 2:
            if forwardInBlocks(Rule.self, Width2.self, i, m, rows, constants) { return }
            forward(Rule.self, Width2.self, i, m, rows, constants)
        case 3:
            if forwardInBlocks(Rule.self, Width3.self, i, m, rows, constants) { return }
            forward(Rule.self, Width3.self, i, m, rows, constants)
        case 4:
            if forwardInBlocks(Rule.self, Width4.self, i, m, rows, constants) { return }
            forward(Rule.self, Width4.self, i, m, rows, constants)
        default: forward(Rule.self, AnyWidth.self, i, m, rows, constants)
        }
    }

    @inline(__always)
    static func forward<Rule: DensityRule, Width: RowWidth>(
        _: Rule.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory, _ start: BroadcastRows, _ constants: DensityConstants
    ) {
        var rows = start
        let n = Width.length(rows.length)
        let a = m.values + i.input0, b = m.values + i.input1, c = m.values + i.input2, d = m.values + i.input3
        let (s0, s1, s2, s3) = (rows.step0, rows.step1, rows.step2, rows.step3)
        var y = m.values + i.output
        // Rows of four or more with every operand contiguous or constant
        // along the row: four elements at a time.
        let vector = n >= 4 && s0 <= 1 && s1 <= 1 && s2 <= 1 && s3 <= 1
        for _ in 0..<rows.count {
            let pa = a + rows.offset0, pb = b + rows.offset1, pc = c + rows.offset2, pd = d + rows.offset3
            var j = 0
            if vector {
                while j + 4 <= n {
                    y.setVector(Rule.value(lanes(pa, j, step: s0), lanes(pb, j, step: s1), lanes(pc, j, step: s2),
                                           lanes(pd, j, step: s3), constants), at: j)
                    j += 4
                }
            }
            while j < n {
                y[j] = Rule.value(pa[j * s0], pb[j * s1], pc[j * s2], pd[j * s3], constants)
                j += 1
            }
            y += n
            rows.advance()
        }
    }

    // MARK: Backward

    @inline(__always)
    static func backward<Rule: DensityRule>(_: Rule.Type, _ i: Instruction, _ m: KernelMemory, _ constants: DensityConstants) {
        if backwardInOneSweep(Rule.self, i, m, constants) { return }
        if i.gradient0 >= 0 { backward(Rule.self, DensityOperand0.self, i, m, constants) }
        if i.gradient1 >= 0 { backward(Rule.self, DensityOperand1.self, i, m, constants) }
        if i.gradient2 >= 0 { backward(Rule.self, DensityOperand2.self, i, m, constants) }
        if i.gradient3 >= 0 { backward(Rule.self, DensityOperand3.self, i, m, constants) }
    }

    /// One sweep for every operand gradient, when there are two or more
    /// and each is laid out as the result (one row of four or more, every
    /// operand that needs a gradient contiguous along it: equal shapes, as
    /// a guide's `Normal(w; m, σ)` per feature): the partials are
    /// evaluated once per element instead of once per operand, and each
    /// gradient stored as its own sweep would store it (the same values,
    /// written in operand order at each element). Returns whether it ran.
    @inline(__always)
    static func backwardInOneSweep<Rule: DensityRule>(
        _: Rule.Type, _ i: Instruction, _ m: KernelMemory, _ constants: DensityConstants
    ) -> Bool {
        let wanted = (i.gradient0 >= 0 ? 1 : 0) + (i.gradient1 >= 0 ? 1 : 0) + (i.gradient2 >= 0 ? 1 : 0)
            + (i.gradient3 >= 0 ? 1 : 0)
        guard wanted >= 2 else { return false }
        let rows = BroadcastRows(m, geometry: i.geometry)
        let (s0, s1, s2, s3) = (rows.step0, rows.step1, rows.step2, rows.step3)
        guard rows.count == 1, rows.length >= 4, s0 <= 1, s1 <= 1, s2 <= 1, s3 <= 1,
              i.gradient0 < 0 || s0 == 1, i.gradient1 < 0 || s1 == 1,
              i.gradient2 < 0 || s2 == 1, i.gradient3 < 0 || s3 == 1 else { return false }
        let n = rows.length
        let a = m.values + i.input0, b = m.values + i.input1, c = m.values + i.input2, d = m.values + i.input3
        let g = m.gradients + i.outputGradient
        let targets = (m.gradients + max(i.gradient0, 0), m.gradients + max(i.gradient1, 0),
                       m.gradients + max(i.gradient2, 0), m.gradients + max(i.gradient3, 0))
        @inline(__always)
        func store(_ value: Vector4, _ position: Int, _ gradient: Int, _ target: UnsafeMutablePointer<Double>) {
            guard gradient >= 0 else { return }
            if i.overwrites(position) { Overwrite.store(value, at: target) } else { Accumulate.store(value, at: target) }
        }
        @inline(__always)
        func store(_ value: Double, _ position: Int, _ gradient: Int, _ target: UnsafeMutablePointer<Double>) {
            guard gradient >= 0 else { return }
            if i.overwrites(position) { Overwrite.store(value, at: target) } else { Accumulate.store(value, at: target) }
        }
        var j = 0
        while j + 4 <= n {
            let p = Rule.partials(lanes(a, j, step: s0), lanes(b, j, step: s1), lanes(c, j, step: s2),
                                  lanes(d, j, step: s3), constants)
            let scale = g.vector(at: j)
            store(scale * p.0, 0, i.gradient0, targets.0 + j)
            store(scale * p.1, 1, i.gradient1, targets.1 + j)
            store(scale * p.2, 2, i.gradient2, targets.2 + j)
            store(scale * p.3, 3, i.gradient3, targets.3 + j)
            j += 4
        }
        while j < n {
            let p = Rule.partials(a[j * s0], b[j * s1], c[j * s2], d[j * s3], constants)
            store(g[j] * p.0, 0, i.gradient0, targets.0 + j)
            store(g[j] * p.1, 1, i.gradient1, targets.1 + j)
            store(g[j] * p.2, 2, i.gradient2, targets.2 + j)
            store(g[j] * p.3, 3, i.gradient3, targets.3 + j)
            j += 1
        }
        return true
    }

    @inline(__always)
    static func backward<Rule: DensityRule, Side: DensityOperand>(
        _: Rule.Type, _: Side.Type, _ i: Instruction, _ m: KernelMemory, _ constants: DensityConstants
    ) {
        if i.overwrites(Side.index) {
            backward(Rule.self, Side.self, Overwrite.self, i, m, constants)
        } else {
            backward(Rule.self, Side.self, Accumulate.self, i, m, constants)
        }
    }

    @inline(__always)
    static func backward<Rule: DensityRule, Side: DensityOperand, Store: GradientStore>(
        _: Rule.Type, _: Side.Type, _: Store.Type, _ i: Instruction, _ m: KernelMemory, _ constants: DensityConstants
    ) {
        let rows = BroadcastRows(m, geometry: i.geometry)
        switch rows.length {
        case 2:
            if backwardInBlocks(Rule.self, Side.self, Store.self, Width2.self, i, m, rows, constants) { return }
            backward(Rule.self, Side.self, Store.self, Width2.self, i, m, rows, constants)
        case 3:
            if backwardInBlocks(Rule.self, Side.self, Store.self, Width3.self, i, m, rows, constants) { return }
            backward(Rule.self, Side.self, Store.self, Width3.self, i, m, rows, constants)
        case 4:
            if backwardInBlocks(Rule.self, Side.self, Store.self, Width4.self, i, m, rows, constants) { return }
            backward(Rule.self, Side.self, Store.self, Width4.self, i, m, rows, constants)
        default: backward(Rule.self, Side.self, Store.self, AnyWidth.self, i, m, rows, constants)
        }
    }

    @inline(__always)
    static func backward<Rule: DensityRule, Side: DensityOperand, Store: GradientStore, Width: RowWidth>(
        _: Rule.Type, _: Side.Type, _: Store.Type, _: Width.Type, _ i: Instruction, _ m: KernelMemory,
        _ start: BroadcastRows, _ constants: DensityConstants
    ) {
        let n = Width.length(start.length)
        let a = m.values + i.input0, b = m.values + i.input1, c = m.values + i.input2, d = m.values + i.input3
        let (s0, s1, s2, s3) = (start.step0, start.step1, start.step2, start.step3)
        let g = m.gradients + i.outputGradient
        let target = m.gradients + Side.gradient(i)
        var rows = start
        var row = 0
        switch start.layout(ofOperand: Side.index) {
        case .oneRow where n <= 4 && rows.count > 1:
            var total = SIMD4<Double>(repeating: 0)
            for _ in 0..<rows.count {
                let pa = a + rows.offset0, pb = b + rows.offset1, pc = c + rows.offset2, pd = d + rows.offset3
                for j in 0..<n {
                    total[j] += g[row + j] * Side.pick(Rule.partials(pa[j * s0], pb[j * s1], pc[j * s2], pd[j * s3], constants))
                }
                row += n
                rows.advance()
            }
            for j in 0..<n { Store.store(total[j], at: target + j) }
        case .singleElement where rows.count > 1 || n > 1:
            var total = 0.0
            for _ in 0..<rows.count {
                let pa = a + rows.offset0, pb = b + rows.offset1, pc = c + rows.offset2, pd = d + rows.offset3
                for j in 0..<n {
                    total += g[row + j] * Side.pick(Rule.partials(pa[j * s0], pb[j * s1], pc[j * s2], pd[j * s3], constants))
                }
                row += n
                rows.advance()
            }
            Store.store(total, at: target)
        default:
            let vector = n >= 4 && s0 <= 1 && s1 <= 1 && s2 <= 1 && s3 <= 1
            for _ in 0..<rows.count {
                let pa = a + rows.offset0, pb = b + rows.offset1, pc = c + rows.offset2, pd = d + rows.offset3
                let out = target + Side.offset(rows)
                if vector {
                    // Four elements at a time: summed in four lanes when the
                    // operand has one element per row, stored four at a time
                    // when it runs along the row.
                    let pg = g + row
                    var sum = Vector4(repeating: 0)
                    var j = 0
                    while j + 4 <= n {
                        let partial = Side.pick(Rule.partials(lanes(pa, j, step: s0), lanes(pb, j, step: s1),
                                                              lanes(pc, j, step: s2), lanes(pd, j, step: s3), constants))
                        if Side.step(rows) == 0 {
                            sum += pg.vector(at: j) * partial
                        } else {
                            Store.store(pg.vector(at: j) * partial, at: out + j)
                        }
                        j += 4
                    }
                    var total = (sum[0] + sum[1]) + (sum[2] + sum[3])
                    while j < n {
                        let partial = Side.pick(Rule.partials(pa[j * s0], pb[j * s1], pc[j * s2], pd[j * s3], constants))
                        if Side.step(rows) == 0 { total += pg[j] * partial } else { Store.store(pg[j] * partial, at: out + j) }
                        j += 1
                    }
                    if Side.step(rows) == 0 { Store.store(total, at: out) }
                } else if Side.step(rows) == 0 {
                    var total = 0.0
                    for j in 0..<n {
                        total += g[row + j] * Side.pick(Rule.partials(pa[j * s0], pb[j * s1], pc[j * s2], pd[j * s3], constants))
                    }
                    Store.store(total, at: out)   // dense only if one element per row
                } else {
                    for j in 0..<n {
                        let partial = Side.pick(Rule.partials(pa[j * s0], pb[j * s1], pc[j * s2], pd[j * s3], constants))
                        Store.store(g[row + j] * partial, at: out + j)
                    }
                }
                row += n
                rows.advance()
            }
        }
    }
}

// MARK: Operand sides

/// Which operand of a fused scalar kernel a backward sweep differentiates.
protocol DensityOperand {
    static var index: Int { get }
    static func gradient(_ i: Instruction) -> Int
    static func offset(_ rows: BroadcastRows) -> Int
    static func step(_ rows: BroadcastRows) -> Int
    static func pick(_ partials: (Double, Double, Double, Double)) -> Double
    static func pick(_ partials: (Vector4, Vector4, Vector4, Vector4)) -> Vector4
}

enum DensityOperand0: DensityOperand {
    static var index: Int { 0 }
    @inline(__always) static func gradient(_ i: Instruction) -> Int { i.gradient0 }
    @inline(__always) static func offset(_ rows: BroadcastRows) -> Int { rows.offset0 }
    @inline(__always) static func step(_ rows: BroadcastRows) -> Int { rows.step0 }
    @inline(__always) static func pick(_ p: (Double, Double, Double, Double)) -> Double { p.0 }
    @inline(__always) static func pick(_ p: (Vector4, Vector4, Vector4, Vector4)) -> Vector4 { p.0 }
}

enum DensityOperand1: DensityOperand {
    static var index: Int { 1 }
    @inline(__always) static func gradient(_ i: Instruction) -> Int { i.gradient1 }
    @inline(__always) static func offset(_ rows: BroadcastRows) -> Int { rows.offset1 }
    @inline(__always) static func step(_ rows: BroadcastRows) -> Int { rows.step1 }
    @inline(__always) static func pick(_ p: (Double, Double, Double, Double)) -> Double { p.1 }
    @inline(__always) static func pick(_ p: (Vector4, Vector4, Vector4, Vector4)) -> Vector4 { p.1 }
}

enum DensityOperand2: DensityOperand {
    static var index: Int { 2 }
    @inline(__always) static func gradient(_ i: Instruction) -> Int { i.gradient2 }
    @inline(__always) static func offset(_ rows: BroadcastRows) -> Int { rows.offset2 }
    @inline(__always) static func step(_ rows: BroadcastRows) -> Int { rows.step2 }
    @inline(__always) static func pick(_ p: (Double, Double, Double, Double)) -> Double { p.2 }
    @inline(__always) static func pick(_ p: (Vector4, Vector4, Vector4, Vector4)) -> Vector4 { p.2 }
}

enum DensityOperand3: DensityOperand {
    static var index: Int { 3 }
    @inline(__always) static func gradient(_ i: Instruction) -> Int { i.gradient3 }
    @inline(__always) static func offset(_ rows: BroadcastRows) -> Int { rows.offset3 }
    @inline(__always) static func step(_ rows: BroadcastRows) -> Int { rows.step3 }
    @inline(__always) static func pick(_ p: (Double, Double, Double, Double)) -> Double { p.3 }
    @inline(__always) static func pick(_ p: (Vector4, Vector4, Vector4, Vector4)) -> Vector4 { p.3 }
}

// MARK: Rules: adapters to the distribution library's kernels

/// `(x, mean, std)`. Four lanes at a time, the library's formulas with
/// ``VectorMath/log(_:)`` for `log std` (within an ulp of `Foundation.log`,
/// so the value within a few ulps of `Normal.logProb`) and the same
/// divisions for the partials (bit for bit `Normal.logProbPartials`).
enum NormalRule: DensityRule {
    @inline(__always)
    static func value(_ x: Double, _ mean: Double, _ std: Double, _ d: Double, _ k: DensityConstants) -> Double {
        Normal.logProb(x, mean: mean, std: std)
    }
    @inline(__always)
    static func partials(_ x: Double, _ mean: Double, _ std: Double, _ d: Double, _ k: DensityConstants) -> (Double, Double, Double, Double) {
        let p = Normal.logProbPartials(x, mean: mean, std: std)
        return (p.value, p.mean, p.std, 0)
    }
    @inline(__always)
    static func value(_ x: Vector4, _ mean: Vector4, _ std: Vector4, _ d: Vector4, _ k: DensityConstants) -> Vector4 {
        let z = (x - mean) / std
        return -0.5 * z * z - VectorMath.log(std) - 0.918_938_533_204_672_7
    }
    @inline(__always)
    static func partials(_ x: Vector4, _ mean: Vector4, _ std: Vector4, _ d: Vector4,
                         _ k: DensityConstants) -> (Vector4, Vector4, Vector4, Vector4) {
        let z = (x - mean) / std
        let dMean = z / std
        return (-dMean, dMean, (z * z - 1) / std, Vector4())
    }
}

/// `(x, mean, ·)` with `1/std`, `log std` and `Normal.logProb(0, 0, 1)` as
/// constants: ``NormalRule`` with the per-element log and divisions
/// hoisted. With `r = 1/std` and `z = (x − mean) r`:
///
///     log p = (−z²/2 − log std) + Normal.logProb(0, mean: 0, std: 1)
///     ∂/∂x = −z r,   ∂/∂mean = z r,   ∂/∂std = (z² − 1) r
///
/// (`Normal.logProbPartials` with each `/std` as `· r`).
enum NormalSingleStdRule: DensityRule {
    static var blocksShortRows: Bool { true }
    @inline(__always)
    static func value(_ x: Double, _ mean: Double, _ c: Double, _ d: Double, _ k: DensityConstants) -> Double {
        let z = (x - mean) * k.first
        return -0.5 * z * z - k.second + k.third
    }
    @inline(__always)
    static func partials(_ x: Double, _ mean: Double, _ c: Double, _ d: Double, _ k: DensityConstants) -> (Double, Double, Double, Double) {
        let z = (x - mean) * k.first
        let dMean = z * k.first
        return (-dMean, dMean, (z * z - 1) * k.first, 0)
    }
    @inline(__always)
    static func value(_ x: Vector4, _ mean: Vector4, _ c: Vector4, _ d: Vector4, _ k: DensityConstants) -> Vector4 {
        let z = (x - mean) * k.first
        return -0.5 * z * z - k.second + k.third
    }
    @inline(__always)
    static func partials(_ x: Vector4, _ mean: Vector4, _ c: Vector4, _ d: Vector4,
                         _ k: DensityConstants) -> (Vector4, Vector4, Vector4, Vector4) {
        let z = (x - mean) * k.first
        let dMean = z * k.first
        return (-dMean, dMean, (z * z - 1) * k.first, Vector4())
    }
}

/// `(x, logit)`.
enum BernoulliRule: DensityRule {
    @inline(__always)
    static func value(_ x: Double, _ logit: Double, _ c: Double, _ d: Double, _ k: DensityConstants) -> Double {
        Bernoulli.logProb(x, logit: logit)
    }
    @inline(__always)
    static func partials(_ x: Double, _ logit: Double, _ c: Double, _ d: Double, _ k: DensityConstants) -> (Double, Double, Double, Double) {
        let p = Bernoulli.logProbPartials(x, logit: logit)
        return (p.value, p.logit, 0, 0)
    }
}

/// `(x, location, scale)`.
enum GumbelRule: DensityRule {
    @inline(__always)
    static func value(_ x: Double, _ location: Double, _ scale: Double, _ d: Double, _ k: DensityConstants) -> Double {
        Gumbel.logProb(x, location: location, scale: scale)
    }
    @inline(__always)
    static func partials(_ x: Double, _ location: Double, _ scale: Double, _ d: Double, _ k: DensityConstants) -> (Double, Double, Double, Double) {
        let p = Gumbel.logProbPartials(x, location: location, scale: scale)
        return (p.value, p.location, p.scale, 0)
    }
}

/// `(logitOfValue, logit, temperature)`.
enum RelaxedBernoulliRule: DensityRule {
    @inline(__always)
    static func value(_ s: Double, _ logit: Double, _ temperature: Double, _ d: Double, _ k: DensityConstants) -> Double {
        RelaxedBernoulli.logProb(logitOfValue: s, logit: logit, temperature: temperature)
    }
    @inline(__always)
    static func partials(_ s: Double, _ logit: Double, _ temperature: Double, _ d: Double, _ k: DensityConstants) -> (Double, Double, Double, Double) {
        let p = RelaxedBernoulli.logProbPartials(logitOfValue: s, logit: logit, temperature: temperature)
        return (p.logitOfValue, p.logit, p.temperature, 0)
    }
}

/// `(z, logit, temperature)`, stretch bounds `(lower, upper)` as constants.
enum HardConcreteRule: DensityRule {
    @inline(__always)
    static func value(_ z: Double, _ logit: Double, _ temperature: Double, _ d: Double, _ k: DensityConstants) -> Double {
        HardConcrete.logProb(z, logit: logit, temperature: temperature, lower: k.first, upper: k.second)
    }
    @inline(__always)
    static func partials(_ z: Double, _ logit: Double, _ temperature: Double, _ d: Double, _ k: DensityConstants) -> (Double, Double, Double, Double) {
        let p = HardConcrete.logProbPartials(z, logit: logit, temperature: temperature, lower: k.first, upper: k.second)
        return (p.value, p.logit, p.temperature, 0)
    }
}

/// `(mean, std, toMean, toStd)`.
enum NormalKLRule: DensityRule {
    @inline(__always)
    static func value(_ mean: Double, _ std: Double, _ toMean: Double, _ toStd: Double, _ k: DensityConstants) -> Double {
        Normal.klDivergence(mean: mean, std: std, toMean: toMean, toStd: toStd)
    }
    @inline(__always)
    static func partials(_ mean: Double, _ std: Double, _ toMean: Double, _ toStd: Double, _ k: DensityConstants) -> (Double, Double, Double, Double) {
        let p = Normal.klDivergencePartials(mean: mean, std: std, toMean: toMean, toStd: toStd)
        return (p.mean, p.std, p.toMean, p.toStd)
    }
}

/// `(logit, toLogit)`. Four lanes at a time with finite logits `a`, `b`,
/// in the form that needs one sigmoid and two softplus evaluations
/// (``VectorMath``) instead of the scalar kernel's six logistic functions:
///
///     KL(σ(a) ‖ σ(b)) = σ(a)(a − b) − softplus(a) + softplus(b)
///
/// (from `log σ(x) − log σ(−x) = x` and `log σ(−x) = −softplus(x)`),
/// clamped at 0 as the scalar kernel is; partials
/// `∂/∂a = σ(a)σ(−a)(a − b)`, `∂/∂b = σ(b) − σ(a)`. Lanes with an infinite
/// or NaN logit take the scalar kernel.
enum BernoulliKLRule: DensityRule {
    @inline(__always)
    static func value(_ logit: Double, _ toLogit: Double, _ c: Double, _ d: Double, _ k: DensityConstants) -> Double {
        Bernoulli.klDivergence(logit: logit, toLogit: toLogit)
    }
    @inline(__always)
    static func partials(_ logit: Double, _ toLogit: Double, _ c: Double, _ d: Double, _ k: DensityConstants) -> (Double, Double, Double, Double) {
        let p = Bernoulli.klDivergencePartials(logit: logit, toLogit: toLogit)
        return (p.logit, p.toLogit, 0, 0)
    }

    @inline(__always)
    static func finite(_ a: Vector4, _ b: Vector4) -> Bool {
        // x − x is 0 for finite x and NaN otherwise.
        (a - a) + (b - b) == Vector4(repeating: 0)
    }

    @inline(__always)
    static func value(_ a: Vector4, _ b: Vector4, _ c: Vector4, _ d: Vector4, _ k: DensityConstants) -> Vector4 {
        guard finite(a, b) else {
            return Vector4(value(a[0], b[0], 0, 0, k), value(a[1], b[1], 0, 0, k), value(a[2], b[2], 0, 0, k), value(a[3], b[3], 0, 0, k))
        }
        let divergence = VectorMath.sigmoid(a) * (a - b) - VectorMath.softplus(a) + VectorMath.softplus(b)
        return divergence.replacing(with: 0, where: divergence .< 0)
    }

    @inline(__always)
    static func partials(
        _ a: Vector4, _ b: Vector4, _ c: Vector4, _ d: Vector4, _ k: DensityConstants
    ) -> (Vector4, Vector4, Vector4, Vector4) {
        guard finite(a, b) else {
            var result = (Vector4(), Vector4(), Vector4(), Vector4())
            for lane in 0..<4 {
                let p = partials(a[lane], b[lane], 0, 0, k)
                result.0[lane] = p.0
                result.1[lane] = p.1
            }
            return result
        }
        let p = VectorMath.sigmoid(a)
        return (p * VectorMath.sigmoid(-a) * (a - b), VectorMath.sigmoid(b) - p, Vector4(), Vector4())
    }
}

/// `(logistic noise, logit, temperature)`; no gradient for the noise.
enum HardConcreteGateRule: DensityRule {
    @inline(__always)
    static func value(_ noise: Double, _ logit: Double, _ temperature: Double, _ d: Double, _ k: DensityConstants) -> Double {
        HardConcrete.gate(logistic: noise, logit: logit, temperature: temperature, lower: k.first, upper: k.second)
    }
    @inline(__always)
    static func partials(_ noise: Double, _ logit: Double, _ temperature: Double, _ d: Double, _ k: DensityConstants) -> (Double, Double, Double, Double) {
        let p = HardConcrete.gatePartials(logistic: noise, logit: logit, temperature: temperature, lower: k.first, upper: k.second)
        return (0, p.logit, p.temperature, 0)
    }
}

/// `(logit, temperature)`.
enum HardConcreteNonzeroRule: DensityRule {
    @inline(__always)
    static func value(_ logit: Double, _ temperature: Double, _ c: Double, _ d: Double, _ k: DensityConstants) -> Double {
        HardConcrete.probabilityNonzero(logit: logit, temperature: temperature, lower: k.first, upper: k.second)
    }
    @inline(__always)
    static func partials(_ logit: Double, _ temperature: Double, _ c: Double, _ d: Double, _ k: DensityConstants) -> (Double, Double, Double, Double) {
        let p = HardConcrete.probabilityNonzeroPartials(logit: logit, temperature: temperature, lower: k.first, upper: k.second)
        return (p.logit, p.temperature, 0, 0)
    }
}
