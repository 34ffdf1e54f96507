/// The result builder of model and guide bodies. Swift control flow that
/// runs when the model is built — `if`/`else`, `for` over a fixed range —
/// decides which statements the model has.
@resultBuilder
public enum ModelBuilder {
    public static func buildExpression(_ component: some ModelComponent) -> [ModelStatement] {
        component.statements
    }

    public static func buildBlock(_ parts: [ModelStatement]...) -> [ModelStatement] {
        parts.flatMap { $0 }
    }

    public static func buildOptional(_ part: [ModelStatement]?) -> [ModelStatement] {
        part ?? []
    }

    public static func buildEither(first part: [ModelStatement]) -> [ModelStatement] { part }
    public static func buildEither(second part: [ModelStatement]) -> [ModelStatement] { part }

    public static func buildArray(_ parts: [[ModelStatement]]) -> [ModelStatement] {
        parts.flatMap { $0 }
    }
}
