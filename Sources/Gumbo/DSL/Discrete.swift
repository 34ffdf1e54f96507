/// A discrete value in a model: the outcome of a Bernoulli (0 or 1) or a
/// Categorical (a class index) site.
///
///     let z = Discrete.latent("z")
///     let centre = mu[z]              // table lookup, relaxable
///     let code = z.oneHot             // one-hot vector, relaxable
///     let odd = z.map("isOdd") { Double($0 % 2) }   // opaque: never relaxed
public struct Discrete: Sendable {
    let node: ExpressionNode

    init(node: ExpressionNode) {
        self.node = node
    }

    /// A discrete latent site, bound by `z ~ .categorical(…)` or `.bernoulli(…)`.
    public static func latent(_ name: String) -> Discrete {
        Discrete(node: ExpressionNode(.site(SiteDeclaration(name: name, isDiscrete: true, role: .latent))))
    }

    /// Observed discrete data (class indices, or 0/1 for a Bernoulli).
    public static func observed(_ name: String, _ values: [Int], shape: [Int]? = nil) -> Discrete {
        let declaration = SiteDeclaration(name: name, isDiscrete: true,
                                          role: .observed(values: values.map(Double.init), shape: shape ?? [values.count]))
        return Discrete(node: ExpressionNode(.site(declaration)))
    }

    /// A single observed discrete value.
    public static func observed(_ name: String, _ value: Int) -> Discrete {
        observed(name, [value], shape: [])
    }

    /// `z[i]`: the element of `z` in plate element `i`.
    public subscript(index: PlateIndex) -> Discrete {
        Discrete(node: ExpressionNode(.plateIndex(node, index)))
    }

    /// `z[i, j, …]`: `z[i][j]…`, indexed by nested plates' elements,
    /// outermost first.
    public subscript(first: PlateIndex, second: PlateIndex, rest: PlateIndex...) -> Discrete {
        rest.reduce(self[first][second]) { $0[$1] }
    }

    /// The one-hot vector of the value (relaxable: a relaxed value is
    /// already a point on the simplex).
    public var oneHot: Real {
        Real(node: ExpressionNode(.operation(.oneHot, [node])))
    }

    /// The class index as a real number (a Bernoulli outcome as 0 or 1).
    /// Relaxable: a relaxed Bernoulli gives its value in (0, 1).
    public var asReal: Real {
        Real(node: ExpressionNode(.operation(.asReal, [node])))
    }

    /// `self ? ifTrue : ifFalse` for a Bernoulli value. Relaxable: a
    /// relaxed value `c` gives `c·ifTrue + (1 − c)·ifFalse`.
    public func choose(ifTrue: Real, ifFalse: Real) -> Real {
        Real(node: ExpressionNode(.operation(.choose, [node, ifTrue.node, ifFalse.node])))
    }

    /// A Swift function of the class index: the escape hatch. The compiler
    /// treats it as opaque, so a site that flows into it is never relaxed
    /// (it is enumerated or estimated by REINFORCE).
    public func map(_ name: String, _ function: @escaping @Sendable (Int) -> Double) -> Real {
        Real(node: ExpressionNode(.operation(.opaque(OpaqueFunction(name: name, function)), [node])))
    }
}
