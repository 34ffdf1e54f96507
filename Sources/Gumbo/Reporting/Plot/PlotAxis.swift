/// One axis of a ``LinePlot``: its label, scale and, optionally, a fixed
/// range.
///
/// Without a range the axis covers the drawable data: a linear axis is
/// widened to the nearest "nice" ticks, a logarithmic one to whole decades
/// (see ``AxisTicks``). With a range it shows exactly that range, and data
/// outside it is clipped at the frame.
///
///     PlotAxis.logarithmic("samples n")
///     PlotAxis.linear("ELBO", range: -120 ... -90)
public struct PlotAxis: Sendable, Hashable {
    /// The axis title; an empty label draws none.
    public var label: String
    public var scale: AxisScale
    /// The shown range, or `nil` to fit the data. A fixed range must have a
    /// lower end below its upper end, both finite, and on a logarithmic axis
    /// a positive lower end; otherwise rendering throws ``PlotError``.
    public var range: ClosedRange<Double>?
    /// Whether a logarithmic axis shows unlabelled minor ticks (and faint grid
    /// lines) at 2…9 times each decade. Linear axes have no minor ticks.
    public var minorTicks: Bool

    public init(_ label: String = "", scale: AxisScale = .linear, range: ClosedRange<Double>? = nil, minorTicks: Bool = true) {
        self.label = label
        self.scale = scale
        self.range = range
        self.minorTicks = minorTicks
    }

    /// A linear axis.
    public static func linear(_ label: String = "", range: ClosedRange<Double>? = nil) -> PlotAxis {
        PlotAxis(label, scale: .linear, range: range)
    }

    /// A base-10 logarithmic axis.
    public static func logarithmic(_ label: String = "", range: ClosedRange<Double>? = nil, minorTicks: Bool = true) -> PlotAxis {
        PlotAxis(label, scale: .logarithmic, range: range, minorTicks: minorTicks)
    }
}
