import Gumbo

/// The ``ModelError`` a closure throws, or `nil` when it throws nothing or
/// another error. Tests then check the rule, the subject and the message.
public func thrownModelError(_ body: () throws -> Void) -> ModelError? {
    do {
        try body()
        return nil
    } catch let error as ModelError {
        return error
    } catch {
        return nil
    }
}
