/// Elementwise operations. Two-argument operators broadcast by numpy's rule
/// (``Shape/broadcast(_:_:)``); the result has the broadcast shape.
extension GraphBuilder {
    // MARK: Two arguments, broadcasting

    /// `a + b`.
    public mutating func add(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try binary(.add, a, b)
    }

    /// `a − b`.
    public mutating func subtract(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try binary(.subtract, a, b)
    }

    /// `a · b`.
    public mutating func multiply(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try binary(.multiply, a, b)
    }

    /// `a / b`.
    public mutating func divide(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try binary(.divide, a, b)
    }

    /// `max(a, b)`; on a tie the gradient goes to `a`.
    public mutating func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try binary(.maximum, a, b)
    }

    /// `min(a, b)`; on a tie the gradient goes to `a`.
    public mutating func minimum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try binary(.minimum, a, b)
    }

    /// `a + c` for a constant `c`.
    public mutating func add(_ a: Tensor, _ c: Double) throws -> Tensor {
        try checkReal(a, operation: "add", operand: "the left operand")
        return try binary(.add, a, constant(c))
    }

    /// `a · c` for a constant `c`.
    public mutating func multiply(_ a: Tensor, _ c: Double) throws -> Tensor {
        try checkReal(a, operation: "multiply", operand: "the left operand")
        return try binary(.multiply, a, constant(c))
    }

    /// Any operator of ``BinaryOperator``.
    public mutating func binary(_ op: BinaryOperator, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let name = op.rawValue
        try checkReal(a, operation: name, operand: "the left operand")
        try checkReal(b, operation: name, operand: "the right operand")
        let shape = try broadcast(a.shape, b.shape, operation: name)
        return append(.binary(op), [a, b], shape, .real)
    }

    // MARK: One argument

    /// `−x`.
    public mutating func negate(_ x: Tensor) throws -> Tensor { try unary(.negate, x) }
    /// `x²`.
    public mutating func square(_ x: Tensor) throws -> Tensor { try unary(.square, x) }
    /// `√x`, for `x > 0`.
    public mutating func sqrt(_ x: Tensor) throws -> Tensor { try unary(.sqrt, x) }
    /// `eˣ`.
    public mutating func exp(_ x: Tensor) throws -> Tensor { try unary(.exp, x) }
    /// `log x`, for `x > 0`.
    public mutating func log(_ x: Tensor) throws -> Tensor { try unary(.log, x) }
    /// `log(1 + x)`, accurate near 0, for `x > −1`.
    public mutating func log1p(_ x: Tensor) throws -> Tensor { try unary(.log1p, x) }
    /// `eˣ − 1`, accurate near 0.
    public mutating func expm1(_ x: Tensor) throws -> Tensor { try unary(.expm1, x) }
    /// `log(1 + eˣ)` (``StableMath/softplus(_:)``).
    public mutating func softplus(_ x: Tensor) throws -> Tensor { try unary(.softplus, x) }
    /// `1 / (1 + e⁻ˣ)` (``StableMath/sigmoid(_:)``).
    public mutating func sigmoid(_ x: Tensor) throws -> Tensor { try unary(.sigmoid, x) }
    /// `log σ(x)` (``StableMath/logSigmoid(_:)``).
    public mutating func logSigmoid(_ x: Tensor) throws -> Tensor { try unary(.logSigmoid, x) }
    /// `tanh x`.
    public mutating func tanh(_ x: Tensor) throws -> Tensor { try unary(.tanh, x) }
    /// `max(x, 0)`; the gradient at 0 is 0.
    public mutating func relu(_ x: Tensor) throws -> Tensor { try unary(.relu, x) }
    /// `log p` of a probability `p`, as a distribution's density takes it:
    /// `log max(p, 10⁻³⁰⁰)` on `[0, 1]`, so a class of probability 0 scores
    /// about −690 rather than −∞ (and `0 · log 0` stays 0), and NaN for a
    /// `p` more than 10⁻⁹ outside `[0, 1]` (or NaN): a probability computed
    /// out of range is an error in the model, which training then reports
    /// by step and site (``SVIError/nonFinite(step:quantity:location:)``)
    /// instead of clamping it away. Within 10⁻⁹ of the interval (rounding)
    /// `p` is clamped into it. The gradient is `1/p` on `(10⁻³⁰⁰, 1]`, 0
    /// where `p` was clamped, NaN outside.
    public mutating func logProbability(_ x: Tensor) throws -> Tensor { try unary(.logProbability, x) }

    /// Any function of ``UnaryFunction``.
    public mutating func unary(_ function: UnaryFunction, _ x: Tensor) throws -> Tensor {
        try checkReal(x, operation: function.rawValue)
        return append(.unary(function), [x], x.shape, .real)
    }

    /// `x^p` for a constant exponent `p`. For a non-integer `p` the input
    /// must be positive.
    public mutating func power(_ x: Tensor, _ exponent: Double) throws -> Tensor {
        try checkReal(x, operation: "power")
        guard exponent.isFinite else {
            throw GraphError.invalidArgument(operation: "power", message: "the exponent \(exponent) is not finite")
        }
        return append(.power(exponent), [x], x.shape, .real)
    }

    /// `min(max(x, lower), upper)`. The gradient passes where
    /// `lower < x < upper` and is 0 outside.
    public mutating func clamp(_ x: Tensor, lower: Double, upper: Double) throws -> Tensor {
        try checkReal(x, operation: "clamp")
        guard lower <= upper else {
            throw GraphError.invalidArgument(operation: "clamp", message: "lower bound \(lower) exceeds upper bound \(upper)")
        }
        return append(.clamp(lower: lower, upper: upper), [x], x.shape, .real)
    }
}
