import Foundation
import Gumbo

/// The sprinkler network's exact quantities, computed by hand (independent
/// of the library's lowering) for tests.
public enum SprinklerExact {
    static let wet: [[Double]] = [[0.01, 0.8], [0.9, 0.99]]

    /// `log p(rain, sprinkler, wet = 1)`.
    public static func logJoint(rain: Int, sprinkler: Int) -> Double {
        let pRain = rain == 1 ? 0.2 : 0.8
        let on = rain == 1 ? 0.01 : 0.4
        return log(pRain) + log(sprinkler == 1 ? on : 1 - on) + log(wet[sprinkler][rain])
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

    /// The best mean-field ELBO, by a grid search refined twice.
    public static var bestMeanFieldELBO: Double {
        var best = (-Double.infinity, 0.0, 0.0)
        var centre = (0.0, 0.0), width = 12.0
        for _ in 0..<4 {
            for i in 0...60 {
                for j in 0...60 {
                    let a = centre.0 - width + 2 * width * Double(i) / 60
                    let b = centre.1 - width + 2 * width * Double(j) / 60
                    let value = elbo(a: a, b: b)
                    if value > best.0 { best = (value, a, b) }
                }
            }
            centre = (best.1, best.2)
            width /= 10
        }
        return best.0
    }
}
