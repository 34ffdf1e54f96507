import Foundation

/// Numerical integration for checking that densities integrate to 1 and for
/// numeric expectations (KL divergences, moments).
///
/// Both rules are double-exponential (Takahasi & Mori 1974): the trapezoid
/// rule after a change of variables that makes the integrand decay like
/// `exp(−c·e^{|t|})`, so the error falls roughly quadratically with each
/// halving of the step, and integrable end-point singularities (`x^{−1/2}`,
/// `log x`) cost nothing extra. The step is halved until two successive
/// estimates agree to `tolerance` (relative), which for the smooth integrands
/// here means the last estimate is far more accurate than that.
public enum Quadrature {
    /// `∫_a^b f(x) dx` by the tanh-sinh rule, `x = c + h·tanh((π/2) sinh t)`.
    /// `f` is never evaluated at `a` or `b`.
    public static func tanhSinh(from a: Double, to b: Double, tolerance: Double = 1e-10, _ f: (Double) -> Double) -> Double {
        tanhSinh(from: a, to: b, tolerance: tolerance, withEndpointDistances: { x, _, _ in f(x) })
    }

    /// ``tanhSinh(from:to:tolerance:_:)`` with an integrand that also receives
    /// `x − a` and `b − x`, computed without cancellation, for integrands whose
    /// behaviour near an end point depends on the distance to it (a density
    /// near 1 needs `1 − y`, which `y` alone no longer carries).
    public static func tanhSinh(
        from a: Double, to b: Double, tolerance: Double = 1e-10,
        withEndpointDistances f: (_ x: Double, _ fromLower: Double, _ toUpper: Double) -> Double
    ) -> Double {
        let halfWidth = (b - a) / 2
        // |t| ≤ 6 puts the outermost nodes about 10^−274 · halfWidth from the
        // ends, where the weights are far below double precision.
        let tMax = 6.0
        func term(_ t: Double) -> Double {
            let u = Double.pi / 2 * sinh(t)
            let coshU = cosh(u)
            let weight = Double.pi / 2 * cosh(t) / (coshU * coshU)
            // 1 − tanh|u| = 1/(e^{|u|} cosh u), exact where tanh rounds to 1.
            let complement = 1 / (exp(abs(u)) * coshU)
            let near = halfWidth * complement
            let far = 2 * halfWidth - near
            let (fromLower, toUpper) = t >= 0 ? (far, near) : (near, far)
            guard fromLower > 0, toUpper > 0, weight > 0 else { return 0 }
            let x = t >= 0 ? b - toUpper : a + fromLower
            return weight * f(x, fromLower, toUpper)
        }
        return doubleExponential(tMax: tMax, tolerance: tolerance, term) * halfWidth
    }

    /// `∫_{−∞}^{∞} f(x) dx` by the sinh-sinh rule,
    /// `x = center + scale · sinh((π/2) sinh t)`. Choose `center` and `scale`
    /// near the integrand's location and spread.
    public static func sinhSinh(center: Double = 0, scale: Double = 1, tolerance: Double = 1e-10, _ f: (Double) -> Double) -> Double {
        // |t| ≤ 5 reaches |x| ≈ 10^{50} · scale; beyond, the weight overflows.
        func term(_ t: Double) -> Double {
            let u = Double.pi / 2 * sinh(t)
            let value = f(center + scale * sinh(u))
            return value == 0 ? 0 : Double.pi / 2 * cosh(t) * cosh(u) * value
        }
        return doubleExponential(tMax: 5, tolerance: tolerance, term) * scale
    }

    /// `∫∫ f(y₁, y₂, y₃) dy₁ dy₂` over the 2-simplex `y₁, y₂, y₃ > 0`,
    /// `y₁ + y₂ + y₃ = 1`, with respect to Lebesgue measure on `(y₁, y₂)`
    /// (so `∫ 1 = 1/2`). Nested tanh-sinh; `y₃` is passed exactly, not as
    /// `1 − y₁ − y₂`.
    public static func overSimplex(tolerance: Double = 1e-9, _ f: (Double, Double, Double) -> Double) -> Double {
        tanhSinh(from: 0, to: 1, tolerance: tolerance, withEndpointDistances: { y1, _, rest in
            tanhSinh(from: 0, to: rest, tolerance: tolerance, withEndpointDistances: { y2, _, y3 in
                f(y1, y2, y3)
            })
        })
    }

    /// The trapezoid rule on `[−tMax, tMax]` with steps 1, 1/2, …, 1/256,
    /// reusing the previous level's nodes, until two levels agree (a
    /// non-finite estimate is returned at once, so a broken integrand fails
    /// fast instead of refining forever).
    static func doubleExponential(tMax: Double, tolerance: Double, _ term: (Double) -> Double) -> Double {
        var step = 1.0
        var sum = term(0)
        var k = 1.0
        while k * step <= tMax {
            sum += term(k * step) + term(-k * step)
            k += 1
        }
        var estimate = sum * step
        for level in 1...8 {
            step /= 2
            var t = step
            while t <= tMax {
                sum += term(t) + term(-t)
                t += 2 * step
            }
            let refined = sum * step
            if !refined.isFinite { return refined }
            if level >= 3, abs(refined - estimate) <= tolerance * abs(refined) {
                return refined
            }
            estimate = refined
        }
        return estimate
    }
}
