import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Stable math")
struct StableMathTests {
    @Test("softplus, sigmoid and logSigmoid match their definitions where those are accurate")
    func matchDefinitions() {
        for x in stride(from: -30.0, through: 30.0, by: 0.37) {
            #expect(isClose(StableMath.softplus(x), log(1 + exp(x)), relative: 1e-12, absolute: 1e-14))
            #expect(isClose(StableMath.sigmoid(x), 1 / (1 + exp(-x)), relative: 1e-13))
            #expect(isClose(StableMath.logSigmoid(x), log(1 / (1 + exp(-x))), relative: 1e-12, absolute: 1e-14))
        }
    }

    @Test("stable at ±700 and beyond, where the naive forms overflow")
    func extremes() {
        #expect(StableMath.softplus(700) == 700)
        #expect(isClose(StableMath.softplus(-700), exp(-700.0), relative: 1e-12))
        #expect(StableMath.logSigmoid(-700) == -700)
        #expect(StableMath.sigmoid(-800) == 0)
        #expect(StableMath.sigmoid(800) == 1)
        #expect(StableMath.softplus(1e308).isFinite)
    }

    @Test("logSumExp shifts by the maximum")
    func logSumExp() {
        #expect(isClose(StableMath.logSumExp([1000, 1000]), 1000 + log(2.0), relative: 1e-15))
        #expect(isClose(StableMath.logSumExp([0.5, -1, 2]), log(exp(0.5) + exp(-1) + exp(2)), relative: 1e-14))
        #expect(StableMath.logSumExp([-Double.infinity, -Double.infinity]) == -Double.infinity)
        #expect(StableMath.logSumExp([Double]()) == -Double.infinity)
    }

    @Test("log1mexp is accurate on both branches")
    func log1mexp() {
        for x in [-1e-10, -1e-3, -0.5, -0.7, -2, -40] {
            // Reference by the series-free identity log(1 − eˣ) = log(−expm1(x)).
            #expect(isClose(StableMath.log1mexp(x), log(-expm1(x)), relative: 1e-13))
        }
        #expect(isClose(StableMath.logit(StableMath.sigmoid(3.25)), 3.25, relative: 1e-12))
    }
}
