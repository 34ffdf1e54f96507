import Testing
import Gumbo
import GumboTestSupport

/// Plan compilation and its accessors: gradients of intermediate nodes,
/// index inputs, and errors that name the tensor and say what to do.
@Suite("Plan")
struct PlanTests {
    @Test("gradients of intermediate nodes, including a reshape that shares storage with its input")
    func intermediateGradients() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [2])
        let y = try b.multiply(x, 3)                     // y = 3x
        let r = try b.reshape(y, to: [2, 1])             // same storage as y
        // loss = Σ r² + Σ y: ∂/∂r = 2r, ∂/∂y = 2y + 1, ∂/∂x = 3(2y + 1).
        let loss = try b.add(b.sum(b.square(r)), b.sum(y))
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x, y, r])
        try plan.setValues([1, -2], of: x)
        plan.forward()
        plan.backward()
        #expect(try plan.values(of: r) == [3, -6])
        #expect(try plan.gradient(of: r) == [6, -12])
        #expect(try plan.gradient(of: y) == [7, -11])
        #expect(try plan.gradient(of: x) == [21, -33])
    }

    @Test("index inputs are written as integers and read by the ops that take indices")
    func indexInputs() throws {
        var b = GraphBuilder()
        let table = try b.parameter("table", shape: [3])
        let z = try b.input("z", shape: [4], role: .index)
        let picked = try b.gather(table, indices: z, axis: 0)
        let loss = try b.sum(picked)
        let plan = try Plan(graph: b.build(), outputs: [loss, picked], gradients: [table])
        try plan.setValues([10, 20, 30], of: table)
        try plan.setIndices([2, 0, 2, 1], of: z)
        plan.forward()
        plan.backward()
        #expect(try plan.values(of: picked) == [30, 10, 30, 20])
        #expect(try plan.indices(of: z) == [2, 0, 2, 1])
        #expect(try plan.gradient(of: table) == [1, 1, 2])
        try plan.withIndices(of: z) { $0[0] = 1 }
        plan.forward()
        #expect(try plan.scalar(loss) == 80)
    }

    @Test("plan errors name the tensor and say what to do")
    func errors() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [2])
        let z = try b.input("z", shape: [2], role: .index)
        let unused = try b.exp(x)
        let loss = try b.sum(x)
        let graph = b.build()
        var other = GraphBuilder()
        let foreign = try other.input("f", shape: [9])

        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        #expect(message { try Plan(graph: graph, outputs: []) }
            == "plan: no outputs were given; pass at least the loss")
        #expect(message { try Plan(graph: graph, outputs: [loss], gradients: [z]) }
            == "plan: a gradient was requested for index tensor %1 [2] index, which has none; request gradients of real tensors only")
        #expect(message { try Plan(graph: graph, outputs: [foreign]) }
            == "plan: tensor %0 [9] is not a node of this plan's graph")
        let plan = try Plan(graph: graph, outputs: [loss], gradients: [x])
        #expect(message { try plan.values(of: unused) }
            == "plan: tensor %2 [2] is not computed by this plan; add it to the outputs when compiling")
        #expect(message { try plan.gradient(of: loss) }
            == "plan: no gradient of %3 [] was requested; add it to the gradients when compiling")
        #expect(message { try plan.setValues([1, 2, 3], of: x) }
            == "plan: tensor %0 [2] holds 2 values, but 3 were given")
        #expect(message { try plan.setValues([1, 2], of: z) }
            == "plan: tensor %1 [2] index is not a real tensor; use the indices accessors for it")
        #expect(message { try plan.indices(of: x) }
            == "plan: tensor %0 [2] is not an index tensor; use the values accessors for it")
    }

    @Test("a plan without gradients runs backward as a no-op, and a requested gradient the loss ignores is zero")
    func degenerate() throws {
        var b = GraphBuilder()
        let x = try b.parameter("x", shape: [3])
        let ignored = try b.parameter("ignored", shape: [2])
        let loss = try b.sum(b.exp(x))
        let forwardOnly = try Plan(graph: b.build(), outputs: [loss])
        try forwardOnly.setValues([0, 0, 0], of: x)
        forwardOnly.forward()
        forwardOnly.backward()
        #expect(try forwardOnly.scalar(loss) == 3)
        let plan = try Plan(graph: b.build(), outputs: [loss], gradients: [x, ignored])
        try plan.setValues([0, 0, 0], of: x)
        plan.forward()
        plan.backward()
        #expect(try plan.gradient(of: ignored) == [0, 0])
        #expect(try plan.gradient(of: x) == [1, 1, 1])
    }
}
