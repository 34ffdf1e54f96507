import Foundation

// Arithmetic and functions on symbolic ``Real`` values. Each builds one
// node of the expression graph; shapes broadcast as in NumPy and are
// checked when the model is compiled.

private func unary(_ op: IROperation, _ x: Real) -> Real {
    Real(node: ExpressionNode(.operation(op, [x.node])))
}

private func binary(_ op: IROperation, _ a: Real, _ b: Real) -> Real {
    Real(node: ExpressionNode(.operation(op, [a.node, b.node])))
}

extension Real {
    public static func + (a: Real, b: Real) -> Real { binary(.add, a, b) }
    public static func - (a: Real, b: Real) -> Real { binary(.subtract, a, b) }
    public static func * (a: Real, b: Real) -> Real { binary(.multiply, a, b) }
    public static func / (a: Real, b: Real) -> Real { binary(.divide, a, b) }
    public static prefix func - (x: Real) -> Real { unary(.negate, x) }

    /// Sum over all event axes, or over one.
    public func sum(axis: Int? = nil) -> Real { unary(.sum(axis: axis), self) }
    /// Mean over all event axes, or over one.
    public func mean(axis: Int? = nil) -> Real { unary(.mean(axis: axis), self) }
    /// Reshape the event axes (the element count must match).
    public func reshaped(_ shape: [Int]) -> Real { unary(.reshape(shape), self) }
    /// Flatten the event axes into one.
    public func flattened(count: Int) -> Real { unary(.reshape([count]), self) }
}

public func exp(_ x: Real) -> Real { unary(.exp, x) }
public func log(_ x: Real) -> Real { unary(.log, x) }
public func log1p(_ x: Real) -> Real { unary(.log1p, x) }
public func expm1(_ x: Real) -> Real { unary(.expm1, x) }
public func tanh(_ x: Real) -> Real { unary(.tanh, x) }
public func sqrt(_ x: Real) -> Real { unary(.sqrt, x) }
/// `log(1 + eˣ)`.
public func softplus(_ x: Real) -> Real { unary(.softplus, x) }
/// `1 / (1 + e^{−x})`.
public func sigmoid(_ x: Real) -> Real { unary(.sigmoid, x) }
/// `log σ(x)`.
public func logSigmoid(_ x: Real) -> Real { unary(.logSigmoid, x) }
/// `max(x, 0)`.
public func relu(_ x: Real) -> Real { unary(.relu, x) }
public func square(_ x: Real) -> Real { unary(.square, x) }
/// Sum over all event axes.
public func sum(_ x: Real) -> Real { x.sum() }
/// `Σ_j a_j b_j` over the last axis.
public func dot(_ a: Real, _ b: Real) -> Real { binary(.dot, a, b) }
/// `x · W` for a matrix `W` of shape `[n, m]`.
public func matmul(_ x: Real, _ weights: Real) -> Real { binary(.matmul, x, weights) }
/// A dense layer `x · W + b`.
public func linear(_ x: Real, weights: Real, bias: Real) -> Real { matmul(x, weights) + bias }
public func logSumExp(_ x: Real, axis: Int = -1) -> Real { unary(.logSumExp(axis: axis), x) }
public func softmax(_ x: Real, axis: Int = -1) -> Real { unary(.softmax(axis: axis), x) }
public func logSoftmax(_ x: Real, axis: Int = -1) -> Real { unary(.logSoftmax(axis: axis), x) }
/// Join values along an event axis.
public func concat(_ values: [Real], axis: Int = -1) -> Real {
    Real(node: ExpressionNode(.operation(.concat(axis: axis), values.map(\.node))))
}
