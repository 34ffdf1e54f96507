/// A real-valued tensor in a model: a constant, data, a learnable
/// parameter, a continuous site, or any expression built from them.
///
///     let mu = Real.latent("mu")
///     let m = Real.parameter("m", initial: [-1, 0, 1])
///     let shifted = exp(m) + 2 * mu
///
/// Values are symbolic: nothing is computed until the model is compiled.
public struct Real: Sendable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    let node: ExpressionNode

    init(node: ExpressionNode) {
        self.node = node
    }

    // MARK: Constants

    /// A constant scalar.
    public init(_ value: Double) {
        node = ExpressionNode(.constant([value], shape: []))
    }

    /// A constant vector.
    public init(_ values: [Double]) {
        node = ExpressionNode(.constant(values, shape: [values.count]))
    }

    /// A constant matrix, given row by row.
    public init(_ rows: [[Double]]) {
        node = ExpressionNode(.constant(rows.flatMap { $0 }, shape: [rows.count, rows.first?.count ?? 0]))
    }

    /// A constant tensor of any shape, in row-major order.
    public init(_ values: [Double], shape: [Int]) {
        node = ExpressionNode(.constant(values, shape: shape))
    }

    public init(floatLiteral value: Double) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(Double(value)) }
    public init(arrayLiteral elements: Double...) { self.init(elements) }

    // MARK: Declarations

    /// A continuous latent site, bound by `mu ~ .normal(…)` in a model.
    public static func latent(_ name: String) -> Real {
        Real(node: ExpressionNode(.site(SiteDeclaration(name: name, isDiscrete: false, role: .latent))))
    }

    /// Observed real data of the given shape (row-major), bound by
    /// `x[i] ~ .normal(…)`; its shape is the site's plates then its event.
    public static func observed(_ name: String, _ values: [Double], shape: [Int]? = nil) -> Real {
        let declaration = SiteDeclaration(name: name, isDiscrete: false,
                                          role: .observed(values: values, shape: shape ?? [values.count]))
        return Real(node: ExpressionNode(.site(declaration)))
    }

    /// A single observed real value.
    public static func observed(_ name: String, _ value: Double) -> Real {
        observed(name, [value], shape: [])
    }

    /// Named data that is not modelled (covariates), e.g. a design matrix.
    public static func data(_ name: String, _ values: [Double], shape: [Int]) -> Real {
        Real(node: ExpressionNode(.data(name: name, values: values, shape: shape)))
    }

    /// Named data given row by row.
    public static func data(_ name: String, rows: [[Double]]) -> Real {
        data(name, rows.flatMap { $0 }, shape: [rows.count, rows.first?.count ?? 0])
    }

    /// A learnable parameter. `initial` is in the constrained space (a
    /// positive parameter starts at a positive value); `shape` defaults to
    /// a vector of `initial.count` (a scalar for one value).
    public static func parameter(_ name: String, initial: [Double], shape: [Int]? = nil,
                                 constraint: Constraint = .real) -> Real {
        let shape = shape ?? (initial.count == 1 ? [] : [initial.count])
        return Real(node: ExpressionNode(.parameter(name: name, initial: initial, shape: shape, constraint: constraint)))
    }

    /// A learnable parameter filled with one initial value.
    public static func parameter(_ name: String, initial: Double, shape: [Int] = [],
                                 constraint: Constraint = .real) -> Real {
        parameter(name, initial: Array(repeating: initial, count: shape.reduce(1, *)), shape: shape, constraint: constraint)
    }

    // MARK: Indexing

    /// `x[i]`: the element of `x` in plate element `i`.
    public subscript(index: PlateIndex) -> Real {
        Real(node: ExpressionNode(.plateIndex(node, index)))
    }

    /// `x[i, j, …]`: `x[i][j]…`, indexed by nested plates' elements,
    /// outermost first.
    public subscript(first: PlateIndex, second: PlateIndex, rest: PlateIndex...) -> Real {
        rest.reduce(self[first][second]) { $0[$1] }
    }

    /// `table[z]`: the row of `table` selected by a discrete value (its
    /// first axis has one entry per class). Relaxable: a relaxed `z` gives
    /// the soft selection `Σ_k z_k · table[k]`.
    public subscript(index: Discrete) -> Real {
        Real(node: ExpressionNode(.operation(.gather, [node, index.node])))
    }
}
