/// A generative model: latent sites, observations and factors, written in
/// the DSL.
///
///     let rain = Discrete.latent("rain")
///     let sprinkler = Discrete.latent("sprinkler")
///     let wet = Discrete.observed("wet", 1)
///     let model = Model("sprinkler") {
///         rain ~ .bernoulli(probability: 0.2)
///         sprinkler ~ .bernoulli(probability: rain.choose(ifTrue: 0.01, ifFalse: 0.4))
///         wet ~ .bernoulli(probability: Real([[0.01, 0.8], [0.9, 0.99]])[sprinkler][rain])
///     }
public struct Model: Sendable {
    public let name: String
    let statements: [ModelStatement]

    public init(_ name: String, @ModelBuilder _ body: () -> [ModelStatement]) {
        self.name = name
        self.statements = body()
    }

    /// The model's IR, validated structurally (names, shapes, plates).
    public func program() throws -> IRProgram {
        try ProgramGenerator.generate(name: name, statements: statements)
    }
}

/// A variational family: for each latent site of a model, a distribution
/// over its values, written in the same language. Its parameters are
/// learned; it may be amortized (parameters computed from data).
public struct Guide: Sendable {
    public let name: String
    let statements: [ModelStatement]

    public init(_ name: String = "guide", @ModelBuilder _ body: () -> [ModelStatement]) {
        self.name = name
        self.statements = body()
    }

    /// The guide's IR.
    public func program() throws -> IRProgram {
        try ProgramGenerator.generate(name: name, statements: statements)
    }
}
