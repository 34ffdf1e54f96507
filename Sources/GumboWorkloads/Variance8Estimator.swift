import Foundation

extension Variance8 {
    /// A gradient estimator compared in the ``Variance8`` experiment, named
    /// as on the command line (`gumbo variance`).
    ///
    /// The names follow ``Gumbo/Estimator``'s spelling, except that plain
    /// REINFORCE is `reinforce` rather than `reinforce:baseline=none`, the
    /// name `BENCHMARKS.md` and the `--json` rows use.
    public enum Estimator: Hashable, Sendable, CustomStringConvertible {
        /// Score function without a baseline (Williams 1992):
        /// `(1/n) Σ_s r_{z_s} ∇ log π_{z_s}`, with `∇_α log π_z = onehot(z) − π`.
        case reinforce
        /// Score function with the leave-one-out baseline of Kool, van Hoof
        /// & Welling (2019, "Buy 4 REINFORCE samples, get a baseline for
        /// free!"): sample s subtracts the mean reward of the other n − 1
        /// samples. Needs n ≥ 2.
        case reinforceLeaveOneOut
        /// The soft Gumbel-softmax pathwise gradient (Jang, Gu & Poole 2017;
        /// Maddison, Mnih & Teh 2017) of `(1/n) Σ_s r · y_s` with
        /// `y = softmax((α + g)/τ)`.
        case gumbelSoftmax(temperature: Double)
        /// Straight-through Gumbel-softmax (Jang et al. 2017 §2.2): the
        /// forward value is `r · onehot(argmax(α + g))`, the backward pass the
        /// soft sample's Jacobian applied to the reward's gradient at the
        /// one-hot.
        ///
        /// For W1's reward, linear in the one-hot, that gradient is `r` at
        /// any point, so the backward pass equals ``gumbelSoftmax(temperature:)``'s
        /// at the same noise and the rows coincide: only the forward value
        /// differs. It is computed separately (through the full Jacobian
        /// rather than the closed form) so that the coincidence is checked,
        /// not assumed.
        case straightThroughGumbelSoftmax(temperature: Double)

        /// The command-line name, e.g. `reinforce:baseline=loo`,
        /// `gumbel-softmax:tau=1`, `st-gumbel-softmax:tau=0.5`.
        public var name: String {
            switch self {
            case .reinforce: return "reinforce"
            case .reinforceLeaveOneOut: return "reinforce:baseline=loo"
            case .gumbelSoftmax(let tau): return "gumbel-softmax:tau=\(Variance8.shortNumber(tau))"
            case .straightThroughGumbelSoftmax(let tau): return "st-gumbel-softmax:tau=\(Variance8.shortNumber(tau))"
            }
        }

        public var description: String { name }

        /// Whether the estimator's expectation is the exact gradient of
        /// `L(α)`. The relaxations estimate the gradient of the relaxed
        /// objective `E[r · y]`, which differs from it at every τ > 0.
        public var isUnbiased: Bool {
            switch self {
            case .reinforce, .reinforceLeaveOneOut: return true
            case .gumbelSoftmax, .straightThroughGumbelSoftmax: return false
            }
        }

        /// The smallest number of samples the estimator is defined for.
        public var minimumSampleSize: Int {
            self == .reinforceLeaveOneOut ? 2 : 1
        }

        /// The relaxation temperature, for the Gumbel-softmax estimators.
        public var temperature: Double? {
            switch self {
            case .reinforce, .reinforceLeaveOneOut: return nil
            case .gumbelSoftmax(let tau), .straightThroughGumbelSoftmax(let tau): return tau
            }
        }
    }

    /// A number without a trailing `.0`, at most 6 significant digits:
    /// `1`, `0.5`, `0.1`.
    static func shortNumber(_ x: Double) -> String {
        String(format: "%.6g", x)
    }
}
