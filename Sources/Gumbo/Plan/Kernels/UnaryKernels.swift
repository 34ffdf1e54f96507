import Foundation

/// An elementwise function of one argument with its derivative beside it.
///
/// `derivative(x, y)` receives the forward result `y = value(x)` as well,
/// so rules like `exp′ = y` and `σ′ = y(1 − y)` cost no second
/// transcendental call.
///
/// The kernels run the vector forms, four elements at a time (the
/// transcendental ones are ``VectorMath``'s); a rule without its own vector
/// form applies the scalar one lane by lane.
protocol UnaryRule {
    static func value(_ x: Double) -> Double
    static func derivative(_ x: Double, _ y: Double) -> Double
    static func value(_ x: Vector4) -> Vector4
    static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4
}

extension UnaryRule {
    @inline(__always)
    static func value(_ x: Vector4) -> Vector4 {
        Vector4(value(x[0]), value(x[1]), value(x[2]), value(x[3]))
    }

    @inline(__always)
    static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 {
        Vector4(derivative(x[0], y[0]), derivative(x[1], y[1]), derivative(x[2], y[2]), derivative(x[3], y[3]))
    }
}

/// Forward and backward loops of ``Opcode/unary(_:)``, ``Opcode/power``,
/// ``Opcode/clamp`` and ``Opcode/step``: input and output have the same
/// shape, so every loop is one contiguous pass.
enum UnaryKernels {
    static func forward(_ function: UnaryFunction, _ i: Instruction, _ m: KernelMemory) {
        switch function {
        case .negate: forward(NegateRule.self, i, m)
        case .square: forward(SquareRule.self, i, m)
        case .sqrt: forward(SqrtRule.self, i, m)
        case .exp: forward(ExpRule.self, i, m)
        case .log: forward(LogRule.self, i, m)
        case .log1p: forward(Log1pRule.self, i, m)
        case .expm1: forward(Expm1Rule.self, i, m)
        case .softplus: forward(SoftplusRule.self, i, m)
        case .sigmoid: forward(SigmoidRule.self, i, m)
        case .logSigmoid: forward(LogSigmoidRule.self, i, m)
        case .tanh: forward(TanhRule.self, i, m)
        case .relu: forward(ReluRule.self, i, m)
        case .logProbability: forward(LogProbabilityRule.self, i, m)
        }
    }

    static func backward(_ function: UnaryFunction, _ i: Instruction, _ m: KernelMemory) {
        if i.overwrites(0) {
            backward(function, Overwrite.self, i, m)
        } else {
            backward(function, Accumulate.self, i, m)
        }
    }

    @inline(__always)
    static func backward<Store: GradientStore>(
        _ function: UnaryFunction, _ store: Store.Type, _ i: Instruction, _ m: KernelMemory
    ) {
        switch function {
        case .negate: backward(NegateRule.self, Store.self, i, m)
        case .square: backward(SquareRule.self, Store.self, i, m)
        case .sqrt: backward(SqrtRule.self, Store.self, i, m)
        case .exp: backward(ExpRule.self, Store.self, i, m)
        case .log: backward(LogRule.self, Store.self, i, m)
        case .log1p: backward(Log1pRule.self, Store.self, i, m)
        case .expm1: backward(Expm1Rule.self, Store.self, i, m)
        case .softplus: backward(SoftplusRule.self, Store.self, i, m)
        case .sigmoid: backward(SigmoidRule.self, Store.self, i, m)
        case .logSigmoid: backward(LogSigmoidRule.self, Store.self, i, m)
        case .tanh: backward(TanhRule.self, Store.self, i, m)
        case .relu: backward(ReluRule.self, Store.self, i, m)
        case .logProbability: backward(LogProbabilityRule.self, Store.self, i, m)
        }
    }

    /// Four elements at a time; the last one to three through a padded
    /// vector, so every element goes through the same (vector) function.
    @inline(__always)
    static func forward<Rule: UnaryRule>(_: Rule.Type, _ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.values + i.output
        let n = i.count
        var j = 0
        while j + 4 <= n {
            y.setVector(Rule.value(x.vector(at: j)), at: j)
            j += 4
        }
        if j < n {
            y.setPartialVector(Rule.value(x.partialVector(at: j, count: n - j)), at: j, count: n - j)
        }
    }

    @inline(__always)
    static func backward<Rule: UnaryRule, Store: GradientStore>(
        _: Rule.Type, _: Store.Type, _ i: Instruction, _ m: KernelMemory
    ) {
        let x = m.values + i.input0
        let y = m.values + i.output
        let g = m.gradients + i.outputGradient
        let gx = m.gradients + i.gradient0
        let n = i.count
        var j = 0
        while j + 4 <= n {
            Store.store(g.vector(at: j) * Rule.derivative(x.vector(at: j), y.vector(at: j)), at: gx + j)
            j += 4
        }
        if j < n {
            let rest = n - j
            let d = Rule.derivative(x.partialVector(at: j, count: rest), y.partialVector(at: j, count: rest))
            for lane in 0..<rest { Store.store(g[j + lane] * d[lane], at: gx + j + lane) }
        }
    }

    // MARK: Ops with constants

    /// `y = x^p`; `dy/dx = p · x^(p−1)`.
    static func forwardPower(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.values + i.output
        let p = i.constant0
        if p == 2 {
            for j in 0..<i.count { y[j] = x[j] * x[j] }
        } else {
            for j in 0..<i.count { y[j] = Foundation.pow(x[j], p) }
        }
    }

    static func backwardPower(_ i: Instruction, _ m: KernelMemory) {
        if i.overwrites(0) { backwardPower(Overwrite.self, i, m) } else { backwardPower(Accumulate.self, i, m) }
    }

    @inline(__always)
    static func backwardPower<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let g = m.gradients + i.outputGradient
        let gx = m.gradients + i.gradient0
        let p = i.constant0
        if p == 2 {
            for j in 0..<i.count { Store.store(g[j] * 2 * x[j], at: gx + j) }
        } else {
            for j in 0..<i.count { Store.store(g[j] * p * Foundation.pow(x[j], p - 1), at: gx + j) }
        }
    }

    /// `y = min(max(x, a), b)`; `dy/dx = 1` strictly inside `(a, b)`, else 0.
    static func forwardClamp(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.values + i.output
        let (lower, upper) = (i.constant0, i.constant1)
        for j in 0..<i.count { y[j] = Swift.min(Swift.max(x[j], lower), upper) }
    }

    static func backwardClamp(_ i: Instruction, _ m: KernelMemory) {
        if i.overwrites(0) { backwardClamp(Overwrite.self, i, m) } else { backwardClamp(Accumulate.self, i, m) }
    }

    @inline(__always)
    static func backwardClamp<Store: GradientStore>(_: Store.Type, _ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let g = m.gradients + i.outputGradient
        let gx = m.gradients + i.gradient0
        let (lower, upper) = (i.constant0, i.constant1)
        for j in 0..<i.count { Store.store(x[j] > lower && x[j] < upper ? g[j] : 0, at: gx + j) }
    }

    /// `y = 1` where `x > 0`, else 0. Not differentiable: no backward.
    static func forwardStep(_ i: Instruction, _ m: KernelMemory) {
        let x = m.values + i.input0
        let y = m.values + i.output
        for j in 0..<i.count { y[j] = x[j] > 0 ? 1 : 0 }
    }
}

// MARK: Rules

enum NegateRule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { -x }
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { -1 }
    @inline(__always) static func value(_ x: Vector4) -> Vector4 { -x }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { Vector4(repeating: -1) }
}

enum SquareRule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { x * x }
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { 2 * x }
    @inline(__always) static func value(_ x: Vector4) -> Vector4 { x * x }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { 2 * x }
}

enum SqrtRule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { x.squareRoot() }
    /// `d√x/dx = 1 / (2√x)`.
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { 0.5 / y }
    @inline(__always) static func value(_ x: Vector4) -> Vector4 { VectorMath.squareRoot(x) }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { 0.5 / y }
}

enum ExpRule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { y }
    @inline(__always) static func value(_ x: Vector4) -> Vector4 { VectorMath.exp(x) }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { y }
}

enum LogRule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { 1 / x }
    @inline(__always) static func value(_ x: Vector4) -> Vector4 { VectorMath.log(x) }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { 1 / x }
}

/// `log p` of a probability (``GraphBuilder/logProbability(_:)``): the
/// logarithm of `p` clamped to `[10⁻³⁰⁰, 1]` (the same values, bit for bit,
/// as `log(clamp(p, 10⁻³⁰⁰, 1))`), NaN more than ``tolerance`` outside `[0, 1]`.
enum LogProbabilityRule: UnaryRule {
    /// How far outside `[0, 1]` a probability may be and still count as
    /// rounding: thousands of ulps of 1, far below any modelling error.
    static var tolerance: Double { 1e-9 }
    static var floor: Double { 1e-300 }

    @inline(__always) static func value(_ x: Double) -> Double {
        guard x >= -tolerance && x <= 1 + tolerance else { return .nan }
        return Foundation.log(Swift.min(Swift.max(x, floor), 1))
    }

    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double {
        guard x >= -tolerance && x <= 1 + tolerance else { return .nan }
        return x > floor && x <= 1 ? 1 / x : 0
    }

    @inline(__always) static func value(_ x: Vector4) -> Vector4 {
        let inRange = (x .>= -tolerance) .& (x .<= 1 + tolerance)
        let clamped = x.replacing(with: floor, where: .!(x .> floor)).replacing(with: 1, where: x .> 1)
        return VectorMath.log(clamped).replacing(with: .nan, where: .!inRange)
    }

    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 {
        let inRange = (x .>= -tolerance) .& (x .<= 1 + tolerance)
        let inside = (x .> floor) .& (x .<= 1)
        return (1 / x).replacing(with: 0, where: .!inside).replacing(with: .nan, where: .!inRange)
    }
}

enum Log1pRule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { Foundation.log1p(x) }
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { 1 / (1 + x) }
    @inline(__always) static func value(_ x: Vector4) -> Vector4 { VectorMath.log1p(x) }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { 1 / (1 + x) }
}

enum Expm1Rule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { Foundation.expm1(x) }
    /// `d(eˣ − 1)/dx = eˣ = y + 1`.
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { y + 1 }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { y + 1 }
}

enum SoftplusRule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { StableMath.softplus(x) }
    /// `softplus′(x) = σ(x)`.
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { StableMath.sigmoid(x) }
    @inline(__always) static func value(_ x: Vector4) -> Vector4 { VectorMath.softplus(x) }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { VectorMath.sigmoid(x) }
}

enum SigmoidRule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { StableMath.sigmoid(x) }
    /// `σ′ = σ(1 − σ)`.
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { y * (1 - y) }
    @inline(__always) static func value(_ x: Vector4) -> Vector4 { VectorMath.sigmoid(x) }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { y * (1 - y) }
}

enum LogSigmoidRule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { StableMath.logSigmoid(x) }
    /// `d log σ(x)/dx = 1 − σ(x) = σ(−x)`.
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { StableMath.sigmoid(-x) }
    @inline(__always) static func value(_ x: Vector4) -> Vector4 { VectorMath.logSigmoid(x) }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { VectorMath.sigmoid(-x) }
}

enum TanhRule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { Foundation.tanh(x) }
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { 1 - y * y }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { 1 - y * y }
}

/// `max(x, 0)`, NaN giving 0: `VectorKernels.relu`, which the fused biased
/// ReLU's passes use too.
enum ReluRule: UnaryRule {
    @inline(__always) static func value(_ x: Double) -> Double { VectorKernels.relu(x) }
    @inline(__always) static func derivative(_ x: Double, _ y: Double) -> Double { x > 0 ? 1 : 0 }
    @inline(__always) static func value(_ x: Vector4) -> Vector4 { VectorKernels.relu(x) }
    @inline(__always) static func derivative(_ x: Vector4, _ y: Vector4) -> Vector4 { Vector4(repeating: 0).replacing(with: 1, where: x .> 0) }
}
