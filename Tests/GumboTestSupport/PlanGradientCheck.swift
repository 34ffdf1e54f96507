import Gumbo

/// One gradient element where a plan's backward pass and central finite
/// differences disagree.
public struct GradientMismatch: CustomStringConvertible, Sendable {
    public let tensor: Tensor
    public let element: Int
    public let analytic: Double
    public let numeric: Double

    public var description: String {
        "∂loss/∂\(tensor)[\(element)]: backward \(analytic), finite differences \(numeric)"
    }
}

/// Checks a compiled plan's gradients against central finite differences.
///
/// Every requested gradient must be of an *input* of the graph (finite
/// differences perturb the input's storage and rerun the forward pass). The
/// loss is the plan's first output, summed if it is not a scalar (matching
/// ``Plan/backward()``'s seed of ones). An element passes when
///
///     |analytic − numeric| ≤ absolute · max(1, |loss|) + relative · max(|analytic|, |numeric|)
///
/// The step is `h = 1e-5 · max(1, |x|)`: truncation error `O(h²)` and
/// rounding error about `ε·|loss|/h`, both far below the default tolerances
/// for smooth functions of moderate curvature.
///
/// The analytic gradient is read after a second forward and backward pass,
/// so state a pass wrongly keeps (an accumulation into a slot it should
/// overwrite or zero) shows up as a mismatch. The plan's inputs are
/// restored afterwards, and the final state is that of a fresh forward and
/// backward pass.
public func gradientMismatches(
    of plan: Plan, relative: Double = 1e-5, absolute: Double = 1e-7
) throws -> [GradientMismatch] {
    let loss = plan.outputs[0]
    func lossValue() throws -> Double {
        plan.forward()
        return try plan.values(of: loss).reduce(0, +)
    }
    // Two passes before reading: a gradient slot wrongly accumulated (or
    // not zeroed) carries the first pass's values into the second, which
    // a fresh arena of zeros would hide.
    for _ in 0..<2 {
        plan.forward()
        plan.backward()
    }
    let center = try lossValue()
    var analytic: [[Double]] = []
    for tensor in plan.gradientTargets { analytic.append(try plan.gradient(of: tensor)) }
    var mismatches: [GradientMismatch] = []
    for (t, tensor) in plan.gradientTargets.enumerated() {
        guard case .input = plan.graph[tensor].op else {
            preconditionFailure("gradientMismatches: \(tensor) is not an input; finite differences perturb inputs only")
        }
        let buffer = try plan.valueBuffer(of: tensor)
        for element in 0..<buffer.count {
            let x = buffer[element]
            let h = 1e-5 * max(1, abs(x))
            buffer[element] = x + h
            let up = try lossValue()
            buffer[element] = x - h
            let down = try lossValue()
            buffer[element] = x
            let numeric = (up - down) / (2 * h)
            let a = analytic[t][element]
            let tolerance = absolute * max(1, abs(center)) + relative * max(abs(a), abs(numeric))
            if !(abs(a - numeric) <= tolerance) {
                mismatches.append(GradientMismatch(tensor: tensor, element: element, analytic: a, numeric: numeric))
            }
        }
    }
    plan.forward()
    plan.backward()
    return mismatches
}

/// Builds a graph from real parameter inputs of the given shapes, sums its
/// output weighted by fixed random constants (so every output element
/// matters differently), fills the inputs with values from `sample`, and
/// checks the plan's gradients by ``gradientMismatches(of:relative:absolute:)``.
///
///     let mismatches = try checkGradients(shapes: [[3, 1], [4]], seed: 1) { b, x in
///         try b.multiply(x[0], x[1])
///     }
///     #expect(mismatches.isEmpty)
public func checkGradients(
    shapes: [Shape],
    seed: UInt64,
    relative: Double = 1e-5,
    absolute: Double = 1e-7,
    sample: (inout Xoshiro256StarStar) -> Double = { $0.nextStandardNormal() },
    _ body: (inout GraphBuilder, [Tensor]) throws -> Tensor
) throws -> [GradientMismatch] {
    var rng = Xoshiro256StarStar(seed: seed)
    var builder = GraphBuilder()
    var inputs: [Tensor] = []
    for (k, shape) in shapes.enumerated() {
        inputs.append(try builder.parameter("p\(k)", shape: shape))
    }
    let output = try body(&builder, inputs)
    let weights = try builder.constant(
        (0..<output.shape.count).map { _ in rng.nextStandardNormal() }, shape: output.shape)
    let loss = try builder.sum(builder.multiply(output, weights))
    let plan = try Plan(graph: builder.build(), outputs: [loss], gradients: inputs)
    for input in inputs {
        try plan.setValues((0..<input.shape.count).map { _ in sample(&rng) }, of: input)
    }
    return try gradientMismatches(of: plan, relative: relative, absolute: absolute)
}
