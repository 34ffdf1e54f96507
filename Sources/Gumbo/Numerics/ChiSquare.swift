import Foundation

/// The chi-square distribution's tail, for goodness-of-fit reports.
public enum ChiSquare {
    /// Pearson's statistic `Σ (O − E)² / E` of observed counts against
    /// expected probabilities (classes with probability 0 are skipped).
    public static func statistic(observed: [Int], probabilities: [Double]) -> Double {
        let n = Double(observed.reduce(0, +))
        var total = 0.0
        for (count, p) in zip(observed, probabilities) where p > 0 {
            let expected = n * p
            total += (Double(count) - expected) * (Double(count) - expected) / expected
        }
        return total
    }

    /// `P(X ≥ x)` for `X ~ χ²(dof)`: the regularized upper incomplete gamma
    /// function `Q(dof/2, x/2)`.
    public static func survival(_ x: Double, degreesOfFreedom dof: Int) -> Double {
        guard x > 0 else { return 1 }
        return regularizedUpperGamma(Double(dof) / 2, x / 2)
    }

    /// `Q(a, x) = Γ(a, x)/Γ(a)`, by the series for `P` when `x < a + 1` and
    /// by Lentz's continued fraction otherwise (Press et al., *Numerical
    /// Recipes*, §6.2); relative accuracy about 1e-14.
    static func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
        let logPrefactor = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a, sum = term, n = a
            for _ in 0..<10_000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-16 { break }
            }
            return max(0, 1 - sum * exp(logPrefactor))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(logPrefactor) * h
    }
}
