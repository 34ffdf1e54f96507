import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// `detach`, `straightThrough`, and which instructions the backward pass
/// visits.
@Suite("Gradient control")
struct GradientControlTests {
    @Test("detach passes the value and stops the gradient")
    func detach() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [3])
        let stopped = try b.detach(x)
        // loss = Σ x · detach(x): value Σ x², gradient x (not 2x).
        let loss = try b.sum(b.multiply(x, stopped))
        let plan = try Plan(graph: b.build(), outputs: [loss, stopped], gradients: [x])
        try plan.setValues([1, -2, 3], of: x)
        plan.forward()
        plan.backward()
        #expect(try plan.values(of: stopped) == [1, -2, 3])
        #expect(try plan.scalar(loss) == 14)
        #expect(try plan.gradient(of: x) == [1, -2, 3])
    }

    @Test("a parameter reached only through detach gets a zero gradient and no backward work")
    func detachOnly() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [3])
        let loss = try b.sum(b.exp(b.detach(b.square(x))))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x])
        try plan.setValues([1, 2, 3], of: x)
        plan.forward()
        plan.backward()
        #expect(try plan.gradient(of: x) == [0, 0, 0])
        #expect(plan.backwardInstructionCount == 0)
    }

    @Test("straight-through Gumbel-softmax: value of the hard one-hot, gradient of the soft sample")
    func straightThroughCategorical() throws {
        let logits: [Double] = [0.3, 1.2, -0.4, 0.9]
        let reward: [Double] = [1, 2, 3, 4]
        func build(straightThrough: Bool) throws -> (Plan, Tensor, Tensor, Tensor) {
            var b = GraphBuilder()
            let l = try b.parameter("logits", shape: [4])
            let h = try b.parameter("hardSide", shape: [4])
            let soft = try b.softmax(b.multiply(l, 2), axis: 0)       // temperature 0.5
            let hard = try b.oneHotArgmax(b.add(l, h), axis: 0)
            let sample = straightThrough ? try b.straightThrough(hard: hard, soft: soft) : soft
            let loss = try b.sum(b.multiply(sample, b.constant(reward, shape: [4])))
            let plan = try Plan(graph: b.build(), outputs: [loss, sample], gradients: [l, h])
            try plan.setValues(logits, of: l)
            try plan.setValues([0, 0, 0, 0], of: h)
            plan.forward()
            plan.backward()
            return (plan, l, h, sample)
        }
        let (st, l, h, sample) = try build(straightThrough: true)
        let (relaxed, l2, _, _) = try build(straightThrough: false)
        // Forward: the hard one-hot at argmax = 1, so the loss is reward[1].
        #expect(try st.values(of: sample) == [0, 1, 0, 0])
        #expect(try st.scalar(st.outputs[0]) == 2)
        // Backward: exactly the gradient of the soft path; nothing to the hard side.
        #expect(try st.gradient(of: l) == relaxed.gradient(of: l2))
        #expect(try st.gradient(of: l).contains { $0 != 0 })
        #expect(try st.gradient(of: h) == [0, 0, 0, 0])
    }

    @Test("straight-through binary Concrete: step(logit + noise) forward, sigmoid gradient backward")
    func straightThroughBernoulli() throws {
        var b = GraphBuilder()
        let logit = try b.parameter("logit", shape: [3])
        let noise = try b.input("noise", shape: [3], role: .noise)
        let z = try b.add(logit, noise)
        let gate = try b.straightThrough(hard: b.step(z), soft: b.sigmoid(b.multiply(z, 1.5)))
        let loss = try b.sum(b.multiply(gate, b.constant([1, -2, 3], shape: [3])))
        let plan = try Plan(graph: b.build(), outputs: [loss, gate], gradients: [logit])
        try plan.setValues([0.5, -0.2, 0.1], of: logit)
        try plan.setValues([0.3, 0.1, -0.4], of: noise)
        plan.forward()
        plan.backward()
        #expect(try plan.values(of: gate) == [1, 0, 0])
        let zs = [0.8, -0.1, -0.3], weights = [1.0, -2, 3]
        let expected = zip(zs, weights).map { z, w in
            let s = StableMath.sigmoid(1.5 * z)
            return w * s * (1 - s) * 1.5
        }
        #expect(isClose(try plan.gradient(of: logit), expected, relative: 1e-14))
    }

    @Test("the backward pass visits only instructions between the requested gradients and the loss")
    func backwardVisitsOnlyThePath() throws {
        var b = GraphBuilder()
        let w = try b.parameter("w", shape: [2])
        let data = try b.input("data", shape: [2])
        // A long chain on data alone: computed forward, never visited backward.
        var feature = data
        for _ in 0..<20 { feature = try b.tanh(b.add(feature, 0.1)) }
        let loss = try b.sum(b.multiply(w, feature))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [w])
        // The chain's 40, and the sum of the product as one dot product.
        #expect(plan.forwardInstructionCount == 41)
        #expect(plan.backwardInstructionCount == 1)
        try plan.setValues([1, 2], of: w)
        try plan.setValues([0.5, -0.5], of: data)
        #expect(try gradientMismatches(of: plan).isEmpty)
    }

    @Test("nodes no output needs are not computed")
    func pruning() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [2])
        let unused = try b.exp(x)
        let loss = try b.sum(x)
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x])
        #expect(plan.forwardInstructionCount == 1)
        #expect(throws: PlanError.notComputed(unused)) { try plan.values(of: unused) }
    }

    @Test("a graph thousands of nodes deep compiles and runs without recursion")
    func deepGraph() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [1])
        var y = x
        for _ in 0..<20_000 { y = try b.add(b.multiply(y, 0.9999), 0.0001) }
        let plan = try Plan(graph: b.build(), outputs: [y], gradients: [x])
        try plan.setValues([2], of: x)
        plan.forward()
        plan.backward()
        #expect(isClose(try plan.gradient(of: x)[0], pow(0.9999, 20_000), relative: 1e-10))
    }
}
