import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Categorical")
struct CategoricalTests {
    static let logitSets: [[Double]] = [[0], [0.3, -1.2], [1, 2, 3], [-4, 0.5, 0.5, 2.2, -0.1], [12, -9, 3.3, 0, 7, -1]]

    /// Calls `body` with buffer views of `logits` and a zeroed gradient buffer.
    func withBuffers<T>(_ logits: [Double], _ body: (UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> T) -> (T, [Double]) {
        var gradient = [Double](repeating: .nan, count: logits.count)
        let result = logits.withUnsafeBufferPointer { z in
            gradient.withUnsafeMutableBufferPointer { body(z, $0) }
        }
        return (result, gradient)
    }

    // MARK: Mass function

    @Test("logProb matches log(e^{z_k} / Σ e^{z_j}) at many points")
    func closedForm() throws {
        for logits in Self.logitSets {
            let categorical = try Categorical(logits: logits)
            let total = logits.map { exp($0) }.reduce(0, +)
            for k in logits.indices {
                #expect(isClose(categorical.logProb(k), log(exp(logits[k]) / total), relative: 1e-12, absolute: 1e-14))
                let (kernel, _) = withBuffers(logits) { z, _ in Categorical.logProb(k, logits: z) }
                #expect(isClose(kernel, categorical.logProb(k), relative: 1e-14, absolute: 1e-15))
            }
            let mass = (0..<logits.count).map { exp(categorical.logProb($0)) }.reduce(0, +)
            #expect(isClose(mass, 1, relative: 1e-13))
        }
    }

    @Test("the probabilities initializer scores log p and never draws a class of probability 0")
    func probabilities() throws {
        let categorical = try Categorical(probabilities: [0.5, 0, 0.3, 0.2])
        #expect(isClose(categorical.logProb(0), log(0.5), relative: 1e-14))
        #expect(isClose(categorical.logProb(3), log(0.2), relative: 1e-14))
        #expect(categorical.logProb(1) == -.infinity)
        #expect(isClose(categorical.probabilities, [0.5, 0, 0.3, 0.2], relative: 1e-14))
        var rng = Xoshiro256StarStar(seed: 30)
        #expect(!categorical.sample(count: 20_000, using: &rng).contains(1))
    }

    @Test("indices outside 0..<K score -infinity")
    func support() throws {
        let categorical = try Categorical(logits: [0, 1])
        #expect(categorical.logProb(2) == -.infinity)
        #expect(categorical.logProb(-1) == -.infinity)
    }

    // MARK: Stability

    @Test("logits of ±700 give finite log-probabilities")
    func extremeLogits() throws {
        let logits: [Double] = [700, -700, 0, 699]
        let categorical = try Categorical(logits: logits)
        #expect((0..<4).allSatisfy { categorical.logProb($0).isFinite })
        // log(1 + e^{−1}) is the log normalizer above 700.
        let normalizer = 700 + log1p(exp(-1.0))
        #expect(isClose(categorical.logProb(1), -700 - normalizer, relative: 1e-15))
        #expect(isClose(categorical.logProb(0), -log1p(exp(-1.0)), relative: 1e-14))
        let (_, gradient) = withBuffers(logits) { z, g in Categorical.logProbGradient(1, logits: z, into: g) }
        #expect(gradient.allSatisfy { $0.isFinite })
    }

    // MARK: Gradient

    @Test("the logits gradient matches central differences")
    func gradient() throws {
        for logits in Self.logitSets {
            for k in logits.indices {
                let (_, analytic) = withBuffers(logits) { z, g in Categorical.logProbGradient(k, logits: z, into: g) }
                let numeric = centralDifferenceGradient(at: logits) { z in
                    z.withUnsafeBufferPointer { Categorical.logProb(k, logits: $0) }
                }
                #expect(isClose(analytic, numeric, relative: 1e-7, absolute: 1e-9))
                // Softmax gradients sum to zero: the density ignores a shift.
                #expect(abs(analytic.reduce(0, +)) < 1e-12)
            }
        }
    }

    @Test("the softmax kernel gives the probabilities")
    func softmax() throws {
        let logits: [Double] = [0.2, -1, 3]
        let (_, probabilities) = withBuffers(logits) { z, p in Categorical.softmax(z, into: p) }
        #expect(isClose(probabilities, try Categorical(logits: logits).probabilities, relative: 1e-14))
    }

    // MARK: Sampler

    @Test("samples pass a chi-square test against softmax(logits)")
    func sampler() throws {
        let logits: [Double] = [-1, 0.5, 0.5, 2, -3]
        let categorical = try Categorical(logits: logits)
        var rng = Xoshiro256StarStar(seed: 303)
        let n = 100_000
        var counts = [Int](repeating: 0, count: logits.count)
        for k in categorical.sample(count: n, using: &rng) { counts[k] += 1 }
        let total = logits.map { exp($0) }.reduce(0, +)
        let expected = logits.map { exp($0) / total }
        // K − 1 = 4 degrees of freedom; critical value at α = 1e-4 (≈ 23.5).
        let chiSquare = StatisticalTests.chiSquare(observed: counts, expected: expected)
        #expect(chiSquare < StatisticalTests.chiSquareCritical(degreesOfFreedom: logits.count - 1))
    }
}
