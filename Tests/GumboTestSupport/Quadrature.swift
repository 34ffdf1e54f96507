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
    /// `∫_a^b f(x) dx` by the tanh-sinh rule, `x = c + h·tanh((π/2) sinh t)`
    /// with `c` the midpoint and `h` the half width.
    ///
    /// `f` is never evaluated at `a` or `b`; the nodes come as close to them
    /// as `closestApproach · h`. The default, 1e-270, resolves singularities
    /// as strong as `x^{−0.9}` to 1e-9; a nested (2-D) integral needs a
    /// larger value, so that a corner singularity such as `(xy)^{−1.3}`
    /// does not overflow at nodes whose weight would have made it negligible.
    public static func tanhSinh(from a: Double, to b: Double, tolerance: Double = 1e-10, closestApproach: Double = 1e-270, _ f: (Double) -> Double) -> Double {
        tanhSinh(from: a, to: b, tolerance: tolerance, closestApproach: closestApproach, withEndpointDistances: { x, _, _ in f(x) })
    }

    /// ``tanhSinh(from:to:tolerance:_:)`` with an integrand that also receives
    /// `x − a` and `b − x`, computed without cancellation, for integrands whose
    /// behaviour near an end point depends on the distance to it (a density
    /// near 1 needs `1 − y`, which `y` alone no longer carries).
    public static func tanhSinh(
        from a: Double, to b: Double, tolerance: Double = 1e-10, closestApproach: Double = 1e-270,
        withEndpointDistances f: (_ x: Double, _ fromLower: Double, _ toUpper: Double) -> Double
    ) -> Double {
        let halfWidth = (b - a) / 2
        // A node's distance to the nearer end is 1 − tanh u ≈ 2e^{−2u} (in
        // half widths), so the closest approach fixes the largest u and t.
        let uMax = -log(closestApproach / 2) / 2
        let tMax = asinh(2 * uMax / Double.pi)
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
    /// Nodes come within 1e-30 of the edges (see
    /// ``tanhSinh(from:to:tolerance:closestApproach:_:)``).
    public static func overSimplex(tolerance: Double = 1e-9, _ f: (Double, Double, Double) -> Double) -> Double {
        tanhSinh(from: 0, to: 1, tolerance: tolerance, closestApproach: 1e-30, withEndpointDistances: { y1, _, rest in
            tanhSinh(from: 0, to: rest, tolerance: tolerance, closestApproach: 1e-30, withEndpointDistances: { y2, _, y3 in
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
