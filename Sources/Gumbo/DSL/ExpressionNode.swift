/// One node of the symbolic expression graph that the DSL's values build as
/// a model is written. A class because identity matters: an expression used
/// twice is one node of the IR, not two.
///
/// Nodes are immutable; the DSL never reaches into the IR but hands these
/// to ``ProgramGenerator``, the one narrow factory that lowers them.
final class ExpressionNode: Sendable {
    enum Kind: Sendable {
        case constant([Double], shape: [Int])
        case data(name: String, values: [Double], shape: [Int])
        case parameter(name: String, initial: [Double], shape: [Int], constraint: Constraint)
        /// A site placeholder, bound by a `~` statement.
        case site(SiteDeclaration)
        /// `x[i]` for a plate index `i`.
        case plateIndex(ExpressionNode, PlateIndex)
        case operation(IROperation, [ExpressionNode])
    }

    let kind: Kind

    init(_ kind: Kind) {
        self.kind = kind
    }
}

/// What a site handle was declared as: its name, whether its values are
/// real or discrete, and the data of an observed site.
struct SiteDeclaration: Sendable {
    enum Role: Sendable {
        case latent
        case observed(values: [Double], shape: [Int])
    }

    let name: String
    let isDiscrete: Bool
    let role: Role
}
