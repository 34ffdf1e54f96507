import Foundation
import Testing
import GumboTestSupport

@Suite("Quadrature")
struct QuadratureTests {
    @Test("tanh-sinh integrates smooth and end-point-singular functions")
    func tanhSinh() {
        #expect(isClose(Quadrature.tanhSinh(from: 0, to: 1) { x in x * x }, 1.0 / 3, relative: 1e-12))
        #expect(isClose(Quadrature.tanhSinh(from: 0, to: 1) { x in 1 / x.squareRoot() }, 2, relative: 1e-9))
        #expect(isClose(Quadrature.tanhSinh(from: 0, to: 1) { x in log(x) }, -1, relative: 1e-10))
        #expect(isClose(Quadrature.tanhSinh(from: -2, to: 3) { x in exp(x) }, exp(3) - exp(-2), relative: 1e-12))
        // (1 − x)^{−1/2} near x = 1 needs the distance to the end, not 1 − x.
        let upperSingular = Quadrature.tanhSinh(from: 0, to: 1, withEndpointDistances: { _, _, toUpper in
            1 / toUpper.squareRoot()
        })
        #expect(isClose(upperSingular, 2, relative: 1e-9))
    }

    @Test("sinh-sinh integrates over the real line")
    func sinhSinh() {
        #expect(isClose(Quadrature.sinhSinh { x in exp(-x * x) }, Double.pi.squareRoot(), relative: 1e-12))
        #expect(isClose(Quadrature.sinhSinh(center: 3, scale: 0.01) { x in exp(-(x - 3) * (x - 3) / 2e-4) }, 0.01 * (2 * Double.pi).squareRoot(), relative: 1e-10))
        #expect(isClose(Quadrature.sinhSinh { x in 1 / (1 + x * x) }, Double.pi, relative: 1e-9))
    }

    @Test("the simplex rule gives the Dirichlet integrals")
    func simplex() {
        #expect(isClose(Quadrature.overSimplex { _, _, _ in 1 }, 0.5, relative: 1e-12))
        // ∫ y₁ y₂ y₃ = Γ(2)³/Γ(6) = 1/120 (the Dirichlet normalizer).
        #expect(isClose(Quadrature.overSimplex { a, b, c in a * b * c }, 1.0 / 120, relative: 1e-10))
        // ∫ (y₁ y₂ y₃)^{−1/2} = Γ(1/2)³/Γ(3/2) = 2π.
        #expect(isClose(Quadrature.overSimplex { a, b, c in 1 / (a.squareRoot() * b.squareRoot() * c.squareRoot()) }, 2 * Double.pi, relative: 1e-7))
    }
}
