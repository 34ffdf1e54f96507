import Testing
import Gumbo
import GumboTestSupport

@Suite("Graph builder")
struct GraphBuilderTests {
    // MARK: Shapes

    @Test("broadcasting follows numpy's rule")
    func broadcasting() {
        #expect(Shape.broadcast([1000, 1], [3]) == [1000, 3])
        #expect(Shape.broadcast([], [2, 3]) == [2, 3])
        #expect(Shape.broadcast([2, 1, 3], [4, 1]) == [2, 4, 3])
        #expect(Shape.broadcast([2, 3], [4]) == nil)
        #expect(Shape([2, 3, 4]).strides == [12, 4, 1])
        #expect(Shape.scalar.count == 1)
        #expect(Shape([3, 4]).normalizedAxis(-1) == 1)
        #expect(Shape([3, 4]).normalizedAxis(2) == nil)
    }

    @Test("the builder infers every op's shape and numbers nodes in order")
    func shapeInference() throws {
        var b = GraphBuilder()
        let x = try b.input("x", shape: [5, 1])
        let mu = try b.parameter("mu", shape: [3])
        let d = try b.subtract(x, mu)
        #expect(d.shape == [5, 3])
        #expect(try b.sum(d, axis: 0).shape == [3])
        #expect(try b.sum(d, axis: -1, keepingDimension: true).shape == [5, 1])
        #expect(try b.mean(d).shape == .scalar)
        #expect(try b.logSumExp(d).shape == [5])
        #expect(try b.softmax(d, axis: 0).shape == [5, 3])
        let z = try b.argmax(d, axis: 1)
        #expect(z.shape == [5] && z.elementType == .index)
        #expect(try b.oneHot(z, classes: 3).shape == [5, 3])
        #expect(try b.gather(mu, indices: z, axis: 0).shape == [5])
        #expect(try b.matmul(d, b.parameter("w", shape: [3, 2])).shape == [5, 2])
        #expect(try b.matmul(b.reshape(d, to: [1, 5, 3]), b.constant([Double](repeating: 0, count: 6), shape: [3, 2])).shape == [1, 5, 2])
        #expect(try b.concat([d, d], axis: 1).shape == [5, 6])
        let graph = b.build()
        #expect(graph.nodes.enumerated().allSatisfy { $0.offset == $0.element.id.rawValue })
        #expect(graph.nodes.allSatisfy { node in node.inputs.allSatisfy { $0 < node.id } })
        #expect(graph.input(named: "mu") == mu)
    }

    // MARK: Errors name the operation and the shapes

    @Test("shape errors name the operation and the shapes")
    func errorMessages() throws {
        var b = GraphBuilder()
        let a = try b.input("a", shape: [2, 3])
        let c = try b.input("c", shape: [4])
        let m = try b.input("m", shape: [3, 5])
        let i = try b.input("i", shape: [2], role: .index)

        func message(_ body: (inout GraphBuilder) throws -> Tensor) -> String {
            do { _ = try body(&b); return "no error" } catch { return "\(error)" }
        }
        #expect(message { try $0.add(a, c) }
            == "add: incompatible shapes [2, 3] and [4]: cannot broadcast (axis 1 of the result: 3 vs 4; dimensions must be equal or 1)")
        #expect(message { try $0.multiply(c, a) }
            == "multiply: incompatible shapes [4] and [2, 3]: cannot broadcast (axis 1 of the result: 4 vs 3; dimensions must be equal or 1)")
        #expect(message { try $0.matmul(m, a) }
            == "matmul: incompatible shapes [3, 5] and [2, 3]: the inner dimensions differ (5 vs 2)")
        #expect(message { try $0.matmul(c, m) }
            == "matmul: incompatible shapes [4] and [3, 5]: both operands must have rank 2 ([M, K], [K, N]) or rank 3 with a leading batch dimension")
        #expect(message { try $0.sum(a, axis: 2) }
            == "sum: axis 2 is out of range for shape [2, 3] (rank 2); use -2..<2")
        #expect(message { try $0.reshape(a, to: [4]) }
            == "reshape: incompatible shapes [2, 3] and [4]: the element counts differ (6 vs 4)")
        #expect(message { try $0.concat([a, m], axis: 0) }
            == "concat: incompatible shapes [2, 3] and [3, 5]: every dimension except axis 0 must agree")
        #expect(message { try $0.exp(i) }
            == "exp: the operand must be a real tensor, but an index tensor of shape [2] was given")
        #expect(message { try $0.gather(a, indices: a, axis: 1) }
            == "gather: the indices must be an index tensor, but a real tensor of shape [2, 3] was given")
        #expect(message { try $0.gather(a, indices: i, axis: 1) }
            == "gather: incompatible shapes [2, 3] and [2]: the table and the indices must have the same rank (reshape the indices, which is free)")
        #expect(message { try $0.straightThrough(hard: a, soft: c) }
            == "straightThrough: incompatible shapes [2, 3] and [4]: hard and soft must have the same shape")
        #expect(message { try $0.input("a", shape: [1]) }
            == "input: an input named \"a\" already exists; input names must be unique")
        #expect(message { try $0.constant([1, 2], shape: [3]) }
            == "constant: 2 values given for shape [3], which holds 3")
        #expect(message { try $0.oneHot(i, classes: 0) }
            == "oneHot: the number of classes must be positive, got 0")

        var other = GraphBuilder()
        let foreign = try other.input("f", shape: [7, 7])
        #expect(message { try $0.exp(foreign) }
            == "exp: tensor %0 [7, 7] does not belong to this graph; build every tensor with the same GraphBuilder")
    }

    @Test("a failed method leaves the builder unchanged")
    func failureAddsNothing() throws {
        var b = GraphBuilder()
        let a = try b.input("a", shape: [2, 3])
        let c = try b.input("c", shape: [4])
        #expect(throws: GraphError.self) { try b.add(a, c) }
        var other = GraphBuilder()
        let foreign = try other.input("f", shape: [7, 7])
        #expect(throws: GraphError.self) { try b.multiply(foreign, 2) }
        #expect(b.nodes.count == 2)
    }

    // MARK: Dump

    @Test("graph dump (golden)")
    func dump() throws {
        var b = GraphBuilder()
        let x = try b.input("x", shape: [3, 1])
        let mu = try b.parameter("mu", shape: [2])
        let d = try b.subtract(x, mu)
        let lse = try b.logSumExp(b.multiply(b.square(d), -0.5), axis: 1)
        let z = try b.argmax(d, axis: 1, keepingDimension: true)
        _ = try b.gather(d, indices: z, axis: 1)
        _ = try b.sum(lse)
        _ = try b.constant([1, 2, 3, 4, 5], shape: [5])
        let expected = """
            %0 = input "x" (data) : [3, 1]
            %1 = input "mu" (parameter) : [2]
            %2 = subtract %0, %1 : [3, 2]
            %3 = square %2 : [3, 2]
            %4 = constant -0.5 : []
            %5 = multiply %3, %4 : [3, 2]
            %6 = logSumExp(axis: 1) %5 : [3]
            %7 = argmax(axis: 1) %2 : [3, 1] index
            %8 = gather(axis: 1) %2, %7 : [3, 1]
            %9 = sum %6 : []
            %10 = constant [1.0, 2.0, 3.0, 4.0, … (5 values)] : [5]
            """
        #expect(goldenMismatch(b.build().description, expected) == nil, "\(goldenMismatch(b.build().description, expected) ?? "")")
    }
}
