/// What a node's elements are: real numbers, or discrete values with a
/// finite number of classes (a Bernoulli value has 2 classes, 0 and 1).
public enum ValueType: Hashable, Sendable, CustomStringConvertible {
    case real
    case discrete(classes: Int)

    public var isDiscrete: Bool {
        if case .discrete = self { return true }
        return false
    }

    /// The number of classes of a discrete value, `nil` for a real one.
    public var classCount: Int? {
        if case .discrete(let k) = self { return k }
        return nil
    }

    public var description: String {
        switch self {
        case .real: return "real"
        case .discrete(let k): return "discrete(\(k))"
        }
    }
}
