import Foundation

/// Goodness-of-fit statistics for sampler tests.
///
/// Tolerances in Gumbo's sampler tests follow from the sample size: a
/// statistic is compared with its critical value at a small significance
/// level (1e-4 by default), and the seed is fixed, so a test is both
/// meaningful and deterministic.
public enum StatisticalTests {
    /// The one-sample Kolmogorov–Smirnov statistic `D = sup |F_n(x) − F(x)|`.
    public static func kolmogorovSmirnov(_ samples: [Double], cdf: (Double) -> Double) -> Double {
        let sorted = samples.sorted()
        let n = Double(sorted.count)
        var d = 0.0
        for (i, x) in sorted.enumerated() {
            let f = cdf(x)
            d = max(d, f - Double(i) / n, Double(i + 1) / n - f)
        }
        return d
    }

    /// The asymptotic critical value of `D` at significance `alpha`:
    /// `sqrt(−log(α/2) / 2n)` (from the Kolmogorov distribution's tail
    /// `P(√n D > t) ≈ 2 exp(−2t²)`).
    public static func kolmogorovSmirnovCritical(sampleSize n: Int, alpha: Double = 1e-4) -> Double {
        (-log(alpha / 2) / (2 * Double(n))).squareRoot()
    }

    /// Pearson's chi-square statistic `Σ (O − E)² / E` for observed counts
    /// against expected probabilities.
    public static func chiSquare(observed: [Int], expected probabilities: [Double]) -> Double {
        let n = Double(observed.reduce(0, +))
        var statistic = 0.0
        for (o, p) in zip(observed, probabilities) where p > 0 {
            let e = n * p
            statistic += (Double(o) - e) * (Double(o) - e) / e
        }
        return statistic
    }

    /// The upper `alpha` quantile of the chi-square distribution with `dof`
    /// degrees of freedom, by the Wilson–Hilferty cube-root approximation
    /// `dof · (1 − 2/(9 dof) + z·sqrt(2/(9 dof)))³`, accurate to about 1 %
    /// for `dof ≥ 1` at the tail levels used here.
    public static func chiSquareCritical(degreesOfFreedom dof: Int, alpha: Double = 1e-4) -> Double {
        let k = Double(dof)
        let z = standardNormalQuantile(1 - alpha)
        let c = 2 / (9 * k)
        let t = 1 - c + z * c.squareRoot()
        return k * t * t * t
    }

    /// The standard normal quantile Φ⁻¹(p), by Acklam's rational
    /// approximation refined with one Halley step (relative error < 1e-15).
    public static func standardNormalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "standardNormalQuantile: p must be in (0, 1)")
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q+c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q+1)
        } else if p <= 1 - low {
            let q = p - 0.5
            let r = q * q
            x = (((((a[0]*r+a[1])*r+a[2])*r+a[3])*r+a[4])*r+a[5])*q / (((((b[0]*r+b[1])*r+b[2])*r+b[3])*r+b[4])*r+1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q+c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q+1)
        }
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// The standard normal CDF Φ(x) = erfc(−x/√2)/2.
    public static func standardNormalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// Mean and unbiased variance.
    public static func meanAndVariance(_ xs: [Double]) -> (mean: Double, variance: Double) {
        let n = Double(xs.count)
        let mean = xs.reduce(0, +) / n
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
        return (mean, variance)
    }
}
