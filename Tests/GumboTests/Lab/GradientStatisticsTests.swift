import Foundation
import Testing
import Gumbo
import GumboTestSupport

/// The figures of ``GradientStatistics`` against hand-computed values.
@Suite("Gradient statistics")
struct GradientStatisticsTests {
    // Four estimates of a two-component gradient; the reference is [1, 0].
    static let estimates: [[Double]] = [[1, 0], [3, 0], [2, 1], [2, -1]]

    @Test("mean, variance, signal-to-noise, bias and MSE as the formulas give them")
    func figures() throws {
        let statistics = try GradientStatistics(name: "g", estimates: Self.estimates,
                                                reference: [1, 0], referenceStandardError: [0.5, 0])
        #expect(statistics.trials == 4)
        #expect(statistics.mean == [2, 0])
        // Σ (x − 2)² = 1 + 1 + 0 + 0 over 3; Σ x² = 2 over 3.
        #expect(isClose(statistics.variance, [2.0 / 3, 2.0 / 3], relative: 1e-15))
        #expect(isClose(statistics.totalVariance, 4.0 / 3, relative: 1e-15))
        #expect(isClose(statistics.signalToNoisePerComponent[0], 2 / (2.0 / 3).squareRoot(), relative: 1e-15))
        #expect(statistics.signalToNoisePerComponent[1] == 0)
        #expect(isClose(statistics.signalToNoise, 2 / (4.0 / 3).squareRoot(), relative: 1e-15))
        #expect(statistics.bias == [1, 0])
        // √(v/T + s²): √(1/6 + 1/4) and √(1/6).
        #expect(isClose(try #require(statistics.biasStandardError), [(1.0 / 6 + 0.25).squareRoot(), (1.0 / 6).squareRoot()], relative: 1e-15))
        #expect(statistics.biasNorm == 1)
        #expect(isClose(try #require(statistics.biasNormStandardError), (1.0 / 6 + 0.25 + 1.0 / 6).squareRoot(), relative: 1e-15))
        // MSE by definition: mean of (x − r)².
        let reference: [Double] = [1, 0]
        var direct: [Double] = [0, 0]
        for estimate in Self.estimates {
            for j in 0..<2 { direct[j] += (estimate[j] - reference[j]) * (estimate[j] - reference[j]) / 4 }
        }
        #expect(isClose(try #require(statistics.meanSquaredError), direct, relative: 1e-14))
        #expect(isClose(try #require(statistics.totalMeanSquaredError), direct.reduce(0, +), relative: 1e-14))
    }

    @Test("without a reference there is no bias or MSE; an exact gradient has infinite SNR")
    func noReference() throws {
        let statistics = try GradientStatistics(name: "g", estimates: Self.estimates)
        #expect(statistics.bias == nil && statistics.biasNorm == nil && statistics.meanSquaredError == nil)
        let exact = try GradientStatistics(name: "g", estimates: [[0.5], [0.5], [0.5]], reference: [0.5])
        #expect(exact.totalVariance == 0 && exact.signalToNoise == .infinity)
        #expect(exact.biasNorm == 0 && exact.biasNormStandardError == 0 && exact.totalMeanSquaredError == 0)
    }

    @Test("Welford's one-pass moments agree with two passes on badly scaled data")
    func stableMoments() throws {
        // A large offset ruins the textbook Σx² − n·mean² formula.
        let values = (0..<1000).map { 1e9 + Double($0 % 7) * 0.1 }
        let statistics = try GradientStatistics(name: "g", estimates: values.map { [$0] })
        let mean = values.reduce(0, +) / 1000
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 999
        #expect(isClose(statistics.variance[0], variance, relative: 1e-4))
    }

    @Test("fewer than two estimates, ragged estimates or a reference of the wrong length are errors")
    func invalid() {
        #expect(throws: LabError.tooFewTrials(1)) { try GradientStatistics(name: "g", estimates: [[1]]) }
        #expect(throws: LabError.self) { try GradientStatistics(name: "g", estimates: [[1], [1, 2]]) }
        #expect(throws: LabError.self) { try GradientStatistics(name: "g", estimates: [[1], [2]], reference: [1, 2]) }
    }
}
