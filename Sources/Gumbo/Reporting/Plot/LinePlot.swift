/// A line plot: a title, two axes and named series, rendered as a
/// standalone SVG 1.1 document.
///
/// A `LinePlot` is a plain value that describes a figure; nothing is laid
/// out until ``svg`` is read or ``write(to:)`` is called, and both throw a
/// ``PlotError`` naming the problem (no series, an error band of the wrong
/// length, an empty range or one reaching 0 on a logarithmic axis). The
/// output depends only on the value: the same plot gives the same bytes.
///
/// Points that cannot be drawn — a NaN or infinite coordinate, or a value ≤ 0
/// on a logarithmic axis — are dropped, and the line breaks there.
///
/// The legend sits outside the data area, so it never covers data: to its
/// right, or below the x axis when a column on the right would take more
/// than 40 % of the plot's width (long series names). Series with an empty
/// name are left out of it.
///
///     let plot = LinePlot(
///         title: "Gradient variance",
///         x: .logarithmic("samples n"),
///         y: .logarithmic("variance"),
///         series: [
///             .init(name: "REINFORCE", points: [(1, 4.1), (10, 0.42), (100, 0.04)]),
///             .init(name: "Gumbel-softmax τ = 0.5", points: [(1, 0.3), (10, 0.031), (100, 0.003)],
///                   style: .init(dash: .dashed, marker: .circle)),
///         ])
///     try plot.write(to: "variance.svg")
///
/// Several plots side by side make a ``PlotGrid``.
public struct LinePlot: Sendable, Hashable {
    /// Where the legend goes.
    public enum Legend: String, Sendable, Hashable {
        /// ``right`` unless that column would take more than 40 % of the
        /// plot's width, then ``below``.
        case automatic
        /// One column outside the data area, to its right, aligned with its top.
        case right
        /// Rows below the x axis, entries side by side.
        case below
        /// No legend.
        case hidden
    }

    /// The title above the data area; an empty title draws none.
    public var title: String
    public var x: PlotAxis
    public var y: PlotAxis
    public var series: [Series]
    public var legend: Legend
    /// The size of the whole plot in pixels, labels and legend included.
    public var width: Double
    public var height: Double

    public init(title: String = "", x: PlotAxis = PlotAxis(), y: PlotAxis = PlotAxis(), series: [Series] = [],
                legend: Legend = .automatic, width: Double = 640, height: Double = 400) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
        self.legend = legend
        self.width = width
        self.height = height
    }

    /// The plot as a standalone SVG 1.1 document.
    public var svg: String {
        get throws { try PlotGrid(panels: [self]).svg }
    }

    /// Writes ``svg`` to `path` atomically (a temporary file in the same
    /// directory, renamed over `path`).
    public func write(to path: String) throws {
        try PlotGrid(panels: [self]).write(to: path)
    }

    /// Where data points land in the rendered SVG: the data area and axis
    /// ranges after margins, legend and ticks are laid out.
    public func transform() throws -> PlotTransform {
        try PanelLayout(plot: self, name: displayName, originX: 0, originY: 0).transform
    }

    /// How errors name this plot.
    var displayName: String {
        title.isEmpty ? "untitled plot" : "plot '\(title)'"
    }
}
