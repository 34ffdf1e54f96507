/// The distribution families a site may have, with how their parameters are
/// given. The parameters themselves are the inputs of the site's IR node, in
/// the order listed here.
public enum DistributionFamily: Hashable, Sendable, CustomStringConvertible {
    /// `Normal(mean, std)`; inputs `[mean, std]`.
    case normal
    /// `Bernoulli(p)`; inputs `[probability]`.
    case bernoulliProbability
    /// `Bernoulli(σ(l))`; inputs `[logit]`.
    case bernoulliLogit
    /// `Categorical(p)` over the last axis of `probabilities`; inputs `[probabilities]`.
    case categoricalProbabilities(classes: Int)
    /// `Categorical(softmax(l))` over the last axis of `logits`; inputs `[logits]`.
    case categoricalLogits(classes: Int)

    /// Real or discrete values, and how many classes.
    public var valueType: ValueType {
        switch self {
        case .normal: return .real
        case .bernoulliProbability, .bernoulliLogit: return .discrete(classes: 2)
        case .categoricalProbabilities(let k), .categoricalLogits(let k): return .discrete(classes: k)
        }
    }

    /// The names of the parameters, in input order.
    public var parameterNames: [String] {
        switch self {
        case .normal: return ["mean", "std"]
        case .bernoulliProbability: return ["probability"]
        case .bernoulliLogit: return ["logit"]
        case .categoricalProbabilities: return ["probabilities"]
        case .categoricalLogits: return ["logits"]
        }
    }

    /// How many trailing axes of each parameter belong to one draw rather
    /// than to the batch: the class axis of a Categorical's parameters.
    public var parameterEventRank: Int {
        switch self {
        case .categoricalProbabilities, .categoricalLogits: return 1
        default: return 0
        }
    }

    /// A short name for dumps and messages: `Normal`, `Bernoulli`, `Categorical`.
    public var name: String {
        switch self {
        case .normal: return "Normal"
        case .bernoulliProbability, .bernoulliLogit: return "Bernoulli"
        case .categoricalProbabilities, .categoricalLogits: return "Categorical"
        }
    }

    public var description: String {
        switch self {
        case .normal: return "Normal(mean, std)"
        case .bernoulliProbability: return "Bernoulli(probability)"
        case .bernoulliLogit: return "Bernoulli(logit)"
        case .categoricalProbabilities(let k): return "Categorical(probabilities, K=\(k))"
        case .categoricalLogits(let k): return "Categorical(logits, K=\(k))"
        }
    }
}
