import Foundation
import Testing
import Gumbo
import GumboWorkloads
import GumboTestSupport

@Suite("W1 variance8")
struct Variance8Tests {
    typealias Estimator = Variance8.Estimator
    static let soft = [0.1, 0.5, 1.0].map { Estimator.gumbelSoftmax(temperature: $0) }

    // MARK: Shared runs (each computed once, with a fixed seed)

    /// Every n at both offsets, 400 trials (twice the default, for margin in
    /// the ratio tests; see `offsetEffect`).
    static let everySize = Result { try Variance8(trials: 400, seed: 11).run() }

    /// n = 16 only, many trials, offsets 0, 1, 2, 4: for means, biases and
    /// per-sample variances.
    static let sixteen = Result { try Variance8(trials: 2000, seed: 12, sampleSizes: [16], offsets: [0, 1, 2, 4]).run() }

    // MARK: The exact gradient

    @Test("the exact gradient matches central differences of L(α) summed over the 8 classes")
    func exactGradient() {
        for offset in [0.0, 1, 2.5] {
            let rewards = Variance8.rewards(offset: offset)
            let exact = Variance8.exactGradient(logits: Variance8.logits, rewards: rewards)
            let numeric = centralDifferenceGradient(at: Variance8.logits) { Variance8.objective(logits: $0, rewards: rewards) }
            #expect(isClose(exact, numeric, relative: 1e-7, absolute: 1e-10))
            // Σ_j π_j (r_j − r̄) = 0, and the offset cancels.
            #expect(abs(exact.reduce(0, +)) < 1e-15)
            #expect(isClose(exact, Variance8.exactGradient(logits: Variance8.logits, rewards: Variance8.rewards(offset: 0)), relative: 1e-12, absolute: 1e-15))
        }
        #expect(isClose(Variance8.exactGradient(logits: Variance8.logits, rewards: Variance8.rewards(offset: 0))[0], -0.06562926030687811, relative: 1e-12))
    }

    // MARK: Bias

    @Test("REINFORCE and leave-one-out are unbiased: every component within 3 standard errors at n = 16")
    func unbiased() throws {
        // 2000 trials of n = 16. 2 offsets × 2 estimators × 8 components =
        // 32 comparisons at 3 standard errors; a false alarm has probability
        // 0.27 % each, so the seed is fixed and a failure after a change to
        // the sampler or the estimators deserves a look, not a new seed.
        let result = try Self.sixteen.get()
        for offset in [0.0, 1] {
            let exact = try #require(result.exactGradient(offset: offset))
            for estimator in [Estimator.reinforce, .reinforceLeaveOneOut] {
                let row = try #require(result.row(offset: offset, estimator: estimator, sampleSize: 16))
                for j in exact.indices {
                    let standardError = (row.gradientVariance[j] / Double(row.trials)).squareRoot()
                    #expect(abs(row.gradientMean[j] - exact[j]) < 3 * standardError, "\(estimator) c=\(offset) component \(j)")
                }
            }
        }
    }

    @Test("Gumbel-softmax is measurably biased, less at lower temperature, and the same at every offset")
    func relaxationBias() throws {
        let result = try Self.sixteen.get()
        let rows = try Self.soft.map { try #require(result.row(offset: 0, estimator: $0, sampleSize: 16)) }
        let (cold, warm) = (rows[0], rows[2])
        let exact = try #require(result.exactGradient(offset: 0))
        // The plug-in Σ_j (mean_j − exact_j)² has, by the delta method,
        // variance Σ_j (4 b_j² v_j/T + 2 v_j²/T²) with v_j the variance of
        // one trial's estimate. Expected (numpy, 10⁷ samples): 1.09e-3 at
        // τ = 1, 1.2e-4 at τ = 0.5, about 1e-7 at τ = 0.1, whose plug-in
        // value is dominated by its noise floor Σ v_j/T ≈ 9e-6 here. The
        // difference τ = 1 − τ = 0.1 comes out near 75 standard errors.
        func standardError(_ row: Variance8.Row) -> Double {
            let t = Double(row.trials)
            var variance = 0.0
            for j in row.gradientMean.indices {
                let b = row.gradientMean[j] - exact[j]
                let v = row.gradientVariance[j]
                variance += 4 * b * b * v / t + 2 * v * v / (t * t)
            }
            return variance.squareRoot()
        }
        // τ = 1's bias of ∂L/∂α_0 is ≈ 0.016, about 70 standard errors here.
        #expect(abs(warm.bias) > 10 * warm.standardError)
        #expect(warm.totalSquaredBias > 10 * standardError(warm))
        // The standard errors of the two sums are added as if independent;
        // the common noise makes them positively correlated, so the error of
        // the difference is smaller than this, and the test conservative.
        let difference = warm.totalSquaredBias - cold.totalSquaredBias
        let differenceError = (pow(standardError(warm), 2) + pow(standardError(cold), 2)).squareRoot()
        #expect(difference > 3 * differenceError, "Σ bias² τ=1 \(warm.totalSquaredBias), τ=0.1 \(cold.totalSquaredBias), s.e. \(differenceError)")
        #expect(rows[1].totalSquaredBias < warm.totalSquaredBias)

        // softmax outputs sum to one: the relaxed gradient does not see c.
        for estimator in Self.soft {
            let base = try #require(result.row(offset: 0, estimator: estimator, sampleSize: 16))
            for offset in [1.0, 2, 4] {
                let shifted = try #require(result.row(offset: offset, estimator: estimator, sampleSize: 16))
                #expect(isClose(shifted.gradientMean, base.gradientMean, relative: 1e-9, absolute: 1e-13))
                #expect(isClose(shifted.gradientVariance, base.gradientVariance, relative: 1e-9, absolute: 1e-15))
            }
        }
    }

    @Test("straight-through at τ = 0.5 gives the soft τ = 0.5 gradient: the reward is linear in the one-hot")
    func straightThroughCoincides() throws {
        let result = try Self.everySize.get()
        for offset in [0.0, 1] {
            let soft = result.rows(offset: offset, estimator: .gumbelSoftmax(temperature: 0.5))
            let straight = result.rows(offset: offset, estimator: .straightThroughGumbelSoftmax(temperature: 0.5))
            #expect(soft.count == 9 && straight.count == 9)
            for (a, b) in zip(soft, straight) {
                // Full Jacobian against the closed form: equal to rounding.
                #expect(isClose(a.gradientMean, b.gradientMean, relative: 1e-10, absolute: 1e-14))
                #expect(isClose(a.gradientVariance, b.gradientVariance, relative: 1e-10, absolute: 1e-16))
            }
        }
    }

    // MARK: Variance

    @Test("variances fall as 1/n: log-log slopes within [−1.25, −0.75]")
    func slopes() throws {
        // With 400 trials the log of each variance is off by about 0.1, and
        // 9 sizes spanning log 256 give the slope a standard error near
        // 0.02; the expected slopes are −1.00 (−1.10 and −1.14 for
        // leave-one-out, whose baseline adds a 1/n² term).
        let result = try Self.everySize.get()
        for offset in [0.0, 1] {
            for estimator in Variance8().estimators {
                let slope = try #require(result.slope(offset: offset, estimator: estimator))
                for value in [slope.slope, slope.totalSlope] {
                    let fitted = try #require(value)
                    #expect(fitted > -1.25 && fitted < -0.75, "\(estimator) c=\(offset): \(fitted)")
                }
            }
        }
    }

    @Test("the offset decides the published claim: REINFORCE > 10× Gumbel-softmax(0.5) at c = 1, lower at c = 0")
    func offsetEffect() throws {
        // Exact ratios for ∂L/∂α_0: 0.146/0.0078 ≈ 18.8 at c = 1 and
        // 0.0020/0.0078 ≈ 0.26 at c = 0, at every n. The ratio of two
        // sample variances over T trials has a log standard deviation of
        // about 0.16 at T = 200 and n = 1 (the heaviest-tailed case; 2000
        // simulated replicates, numpy), so about 0.115 at T = 400: 18.8 is
        // 5.5 of those above 10, and 0.26 is 12 below 1.
        let result = try Self.everySize.get()
        let high = result.ratios(offset: 1)
        let low = result.ratios(offset: 0)
        #expect(high.count == 9 && low.count == 9)
        for ratio in high {
            #expect(ratio.ratio > Variance8.claimedRatio, "c = 1, n = \(ratio.sampleSize): \(ratio.ratio)")
        }
        for ratio in low {
            #expect(ratio.ratio < 1, "c = 0, n = \(ratio.sampleSize): \(ratio.ratio)")
        }
        #expect(result.markdownTable().contains("c = 1, ∂L/∂α₀: ratio"))
        #expect(result.markdownTable().contains("the claim holds"))
        #expect(result.markdownTable().contains("the claim fails: reinforce has the lower variance at every n"))
    }

    @Test("REINFORCE's variance is the exact per-sample variance over n, growing with the square of the offset")
    func offsetGrowth() throws {
        // Per sample, component j of r_z (onehot(z) − π) has variance
        // Σ_z π_z r_z² (δ_zj − π_j)² − (∂L/∂α_j)². With 2000 trials of
        // n = 16 the summed sample variance is within about 3 % (one
        // standard deviation) of it; 15 % is five. Per sample the sums are
        // 0.250, 1.84, 5.07 and 16.5 for c = 0, 1, 2, 4: quadratic in c,
        // with leading coefficient Σ_j π_j (1 − π_j) ≈ 0.82.
        let result = try Self.sixteen.get()
        let pi = Variance8.probabilities
        var previous = 0.0
        for offset in [0.0, 1, 2, 4] {
            let r = Variance8.rewards(offset: offset)
            let exact = Variance8.exactGradient(logits: Variance8.logits, rewards: r)
            var perSample = 0.0
            for j in pi.indices {
                var second = 0.0
                for z in pi.indices {
                    let term = r[z] * ((z == j ? 1 : 0) - pi[j])
                    second += pi[z] * term * term
                }
                perSample += second - exact[j] * exact[j]
            }
            let row = try #require(result.row(offset: offset, estimator: .reinforce, sampleSize: 16))
            #expect(isClose(row.totalVariance, perSample / 16, relative: 0.15), "c = \(offset)")
            #expect(perSample > previous)
            previous = perSample
        }
    }

    @Test("leave-one-out beats no baseline at c = 1 at every n; at c = 0 it is noisier for ∂L/∂α_0")
    func leaveOneOut() throws {
        // Expected (20 000 trials): at c = 1 no baseline has 4–8× the
        // variance of ∂L/∂α_0 and 11–25× the summed one; at c = 0 leave-one-
        // out has 9–18× the variance of ∂L/∂α_0. Factors of 4 and 9 are far
        // outside the noise of 400 trials.
        let result = try Self.everySize.get()
        #expect(result.row(offset: 1, estimator: .reinforceLeaveOneOut, sampleSize: 1) == nil)
        for n in Variance8.defaultSampleSizes where n >= 2 {
            let plain = try #require(result.row(offset: 1, estimator: .reinforce, sampleSize: n))
            let loo = try #require(result.row(offset: 1, estimator: .reinforceLeaveOneOut, sampleSize: n))
            #expect(loo.variance < plain.variance)
            #expect(loo.totalVariance < plain.totalVariance)
            let plainAtZero = try #require(result.row(offset: 0, estimator: .reinforce, sampleSize: n))
            let looAtZero = try #require(result.row(offset: 0, estimator: .reinforceLeaveOneOut, sampleSize: n))
            #expect(looAtZero.variance > plainAtZero.variance)
        }
    }

    // MARK: Runs and output

    @Test("a cell's noise depends only on (seed, trial, n)")
    func reproducible() throws {
        let one = try Variance8(trials: 5, seed: 3, sampleSizes: [1, 2, 4]).run()
        let alone = try Variance8(trials: 5, seed: 3, sampleSizes: [4]).run()
        #expect(one.rows.filter { $0.sampleSize == 4 } == alone.rows)
        #expect(try Variance8(trials: 5, seed: 3, sampleSizes: [4]).run() == alone)
        #expect(try Variance8(trials: 5, seed: 4, sampleSizes: [4]).run().rows != alone.rows)
    }

    @Test("estimators are named as on the command line")
    func names() {
        #expect(Variance8().estimators.map(\.name) == [
            "reinforce", "reinforce:baseline=loo", "gumbel-softmax:tau=0.1", "gumbel-softmax:tau=0.5",
            "gumbel-softmax:tau=1", "st-gumbel-softmax:tau=0.5",
        ])
    }

    @Test("settings it cannot run with are rejected with a message")
    func invalidSettings() {
        let bad: [Variance8] = [
            Variance8(trials: 1), Variance8(sampleSizes: []), Variance8(sampleSizes: [0, 4]), Variance8(sampleSizes: [4, 4]),
            Variance8(offsets: [.nan]), Variance8(temperatures: [0]), Variance8(straightThroughTemperatures: [-1]),
        ]
        for configuration in bad {
            #expect(throws: Variance8.ConfigurationError.self) { try configuration.run() }
        }
        let error = #expect(throws: Variance8.ConfigurationError.self) { try Variance8(trials: 1).run() }
        #expect(error?.description == "variance8: trials must be at least 2 to estimate a variance, got 1")
    }

    /// A JSON number as a Double (JSONSerialization gives NSNumber).
    func number(_ value: Any?) -> Double? {
        (value as? NSNumber)?.doubleValue
    }

    @Test("JSON has trials, rows with the required fields, slopes and ratios")
    func json() throws {
        let result = try Variance8(trials: 10, seed: 5, sampleSizes: [1, 2, 4]).run()
        let text = result.json.text
        #expect(!text.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["workload"] as? String == "variance8")
        #expect(number(object["trials"]) == 10)
        let rows = try #require(object["rows"] as? [[String: Any]])
        // 2 offsets × (5 estimators × 3 sizes + leave-one-out at n = 2, 4).
        #expect(rows.count == 2 * (5 * 3 + 2))
        for row in rows {
            for key in ["offset", "estimator", "n", "mean", "variance", "bias", "mse", "std_error", "variance_sum", "bias2_sum", "mse_sum"] {
                #expect(row[key] != nil, "missing \(key)")
            }
        }
        let first = try #require(rows.first)
        #expect(first["estimator"] as? String == "reinforce")
        #expect(number(first["offset"]) == 0)
        #expect(number(first["n"]) == 1)
        // Foundation's JSON reader on Linux can be one ulp off the shortest
        // round-trip text the writer emits.
        #expect(isClose(try #require(number(first["mean"])), result.rows[0].mean, relative: 1e-15))
        #expect(Set(rows.compactMap { $0["estimator"] as? String }) == Set(Variance8().estimators.map(\.name)))
        let slopes = try #require(object["slopes"] as? [[String: Any]])
        #expect(slopes.count == 2 * 6)
        let ratios = try #require(object["ratios"] as? [[String: Any]])
        #expect(ratios.count == 2 * 3)
        #expect(ratios.allSatisfy { number($0["ratio"]) != nil && number($0["ratio_sum"]) != nil })
    }
}
