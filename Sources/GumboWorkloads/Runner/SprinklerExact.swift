import Foundation
import Gumbo

/// W2's exact quantities, by enumerating the four joint values of (rain,
/// sprinkler) by hand: independent of the library's lowering, so the runner
/// and the tests can check the compiled ELBO against them.
///
///     log p(wet = 1) = log Σ_{r,s} p(r) p(s | r) p(wet = 1 | s, r)
///     ELBO(a, b)     = Σ_{r,s} q(r) q(s) [log p(r, s, wet = 1) − log q(r) − log q(s)],
///
/// with the mean-field guide `q(rain = 1) = σ(a)`, `q(sprinkler = 1) = σ(b)`.
public enum SprinklerExact {
    /// `log p(rain, sprinkler, wet = 1)`.
    public static func logJoint(rain: Int, sprinkler: Int) -> Double {
        let pRain = rain == 1 ? 0.2 : 0.8
        let on = rain == 1 ? 0.01 : 0.4
        return log(pRain) + log(sprinkler == 1 ? on : 1 - on) + log(Sprinkler.wetProbability[sprinkler][rain])
    }

    /// `log p(wet = 1)`.
    public static var logEvidence: Double {
        log((0...1).flatMap { r in (0...1).map { s in exp(logJoint(rain: r, sprinkler: s)) } }.reduce(0, +))
    }

    /// The mean-field ELBO with `q(rain) = σ(a)`, `q(sprinkler) = σ(b)`.
    public static func elbo(a: Double, b: Double) -> Double {
        var total = 0.0
        for r in 0...1 {
            for s in 0...1 {
                let logQ = (r == 1 ? StableMath.logSigmoid(a) : StableMath.logSigmoid(-a))
                    + (s == 1 ? StableMath.logSigmoid(b) : StableMath.logSigmoid(-b))
                total += exp(logQ) * (logJoint(rain: r, sprinkler: s) - logQ)
            }
        }
        return total
    }

    /// The best mean-field guide: a grid search over (a, b) ∈ [−12, 12]²
    /// on a 61 × 61 grid, refined three times around the best point (each
    /// time a tenth of the width), then polished by ``localOptimum(a:b:)``
    /// from the best grid point, so the grid finds the right basin and
    /// coordinate ascent its optimum to rounding.
    public static let bestMeanField: (elbo: Double, a: Double, b: Double) = {
        var best = (elbo: -Double.infinity, a: 0.0, b: 0.0)
        var centre = (0.0, 0.0), width = 12.0
        for _ in 0..<4 {
            for i in 0...60 {
                for j in 0...60 {
                    let a = centre.0 - width + 2 * width * Double(i) / 60
                    let b = centre.1 - width + 2 * width * Double(j) / 60
                    let value = elbo(a: a, b: b)
                    if value > best.elbo { best = (value, a, b) }
                }
            }
            centre = (best.a, best.b)
            width /= 10
        }
        let polished = localOptimum(a: best.a, b: best.b)
        return polished.elbo >= best.elbo ? polished : best
    }()

    /// The mean-field optimum of the basin that `(a, b)` lies in, by
    /// coordinate ascent (CAVI; Bishop 2006, §10.1.1) from `(a, b)`:
    ///
    ///     a ← Σ_s q(s) [log p(1, s, x) − log p(0, s, x)]
    ///     b ← Σ_r q(r) [log p(r, 1, x) − log p(r, 0, x)]
    ///
    /// Each update maximizes the ELBO in one factor, so the ELBO never
    /// falls. The mean-field ELBO of W2 has two optima — the sprinkler
    /// explains the wet grass (the global one), or rain does — and a
    /// trained guide can settle in either; this tells them apart.
    public static func localOptimum(a: Double, b: Double) -> (elbo: Double, a: Double, b: Double) {
        var (a, b) = (a, b)
        for _ in 0..<10_000 {
            let qs = StableMath.sigmoid(b)
            let newA = (0...1).reduce(0.0) { sum, s in
                sum + (s == 1 ? qs : 1 - qs) * (logJoint(rain: 1, sprinkler: s) - logJoint(rain: 0, sprinkler: s))
            }
            let qr = StableMath.sigmoid(newA)
            let newB = (0...1).reduce(0.0) { sum, r in
                sum + (r == 1 ? qr : 1 - qr) * (logJoint(rain: r, sprinkler: 1) - logJoint(rain: r, sprinkler: 0))
            }
            let converged = abs(newA - a) < 1e-13 && abs(newB - b) < 1e-13
            (a, b) = (newA, newB)
            if converged { break }
        }
        return (elbo(a: a, b: b), a, b)
    }

    /// The best mean-field ELBO (``bestMeanField``'s value).
    public static var bestMeanFieldELBO: Double { bestMeanField.elbo }
}
