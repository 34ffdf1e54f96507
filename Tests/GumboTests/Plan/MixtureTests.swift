import Testing
import Gumbo
import GumboTestSupport

/// End to end: the W3 mixture log-likelihood and its gradient from the plan
/// equal a hand-written loop's.
@Suite("W3 mixture through the plan")
struct MixtureTests {
    @Test("value and gradient agree with the hand-written loop")
    func agreesWithHandwritten() throws {
        let fixture = try MixtureFixture(points: 1000)
        fixture.plan.forward()
        fixture.plan.backward()
        let reference = MixtureFixture.handwritten(data: fixture.data, mu: [-1, 0, 1], w: [0.2, 0.3, 0.5])
        #expect(isClose(try fixture.plan.scalar(fixture.loss), reference.value, relative: 1e-12))
        #expect(isClose(try fixture.plan.gradient(of: fixture.mu), reference.mu, relative: 1e-11))
        #expect(isClose(try fixture.plan.gradient(of: fixture.w), reference.w, relative: 1e-11))
    }

    @Test("repeated passes give identical results")
    func repeatable() throws {
        let fixture = try MixtureFixture(points: 100)
        fixture.plan.forward()
        fixture.plan.backward()
        let first = try fixture.plan.gradient(of: fixture.mu)
        for _ in 0..<3 {
            fixture.plan.forward()
            fixture.plan.backward()
        }
        #expect(try fixture.plan.gradient(of: fixture.mu) == first)
    }
}
