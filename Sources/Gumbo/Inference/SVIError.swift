/// A failure during training, with where and when it happened.
public enum SVIError: Error, CustomStringConvertible, Equatable {
    /// A non-finite loss or gradient. The parameters are left as they were
    /// after the last good step.
    case nonFinite(step: Int, quantity: String, location: String)
    /// A setting the engine cannot run with.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .nonFinite(let step, let quantity, let location):
            return "step \(step): the \(quantity) is not finite; it first appears at \(location). The parameters are left at their values after step \(step - 1); lower the learning rate, clip gradients, or check the model's scales, its data, and any probability it computes (one outside [0, 1] is NaN)"
        case .invalidConfiguration(let message):
            return message
        }
    }
}
