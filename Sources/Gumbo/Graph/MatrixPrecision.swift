/// The arithmetic of a matrix product's multiply-adds.
///
/// Every tensor in a plan is stored in `Double`. A product in `.single`
/// precision rounds its operands to `Float`, multiplies and sums in
/// `Float` (eight lanes per vector where `Double` has four), and stores the
/// result, or adds the gradient, back in `Double`. It is the knob PyTorch
/// calls `torch.set_float32_matmul_precision` and JAX
/// `jax.default_matmul_precision`: for models dominated by dense layers
/// (W5's encoder and decoder) it trades about seven significant digits of
/// each product for twice the arithmetic per instruction.
///
/// **Error.** With unit roundoff `u = 2⁻²⁴`, a sum of `n` products of
/// rounded operands satisfies (Higham 2002, §3.1)
///
///     |ĉ − c| ≤ γ_{n+2} Σ_p |a_p b_p|,   γ_k = k u / (1 − k u),
///
/// so a 128-deep product keeps a relative error below about 8 · 10⁻⁶ of
/// `Σ|a b|`. Stochastic gradients are noisier than that by orders of
/// magnitude; densities, KL terms and the optimizer stay in `Double`.
public enum MatrixPrecision: Sendable, Hashable, CustomStringConvertible {
    /// Multiply-adds in `Double` (the default).
    case double
    /// Multiply-adds in `Float`, results stored in `Double`.
    case single

    public var description: String {
        switch self {
        case .double: "double"
        case .single: "single"
        }
    }
}
