/// A figure that cannot be drawn or written, naming the plot (by its title,
/// or by its panel number in a ``PlotGrid``) and what to do.
///
///     plot 'Gradient variance': series 'REINFORCE' has 5 points but its band has 4 lower and 5 upper values; give one lower and one upper value per point
public enum PlotError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A plot without series.
    case noSeries(plot: String)
    /// Series whose every point has a coordinate that is not drawable
    /// (non-finite, or ≤ 0 on a logarithmic axis), or lies outside a fixed
    /// range.
    case nothingToDraw(plot: String)
    /// An error band whose lower or upper values are not one per point.
    case bandLengthMismatch(plot: String, series: String, points: Int, lower: Int, upper: Int)
    /// A fixed axis range with a NaN or infinite end.
    case nonFiniteRange(plot: String, axis: String, lower: Double, upper: Double)
    /// A fixed axis range whose ends are equal.
    case emptyRange(plot: String, axis: String, lower: Double, upper: Double)
    /// A fixed range on a logarithmic axis reaching 0 or below.
    case nonPositiveLogRange(plot: String, axis: String, lower: Double, upper: Double)
    /// A plot too small for its labels and legend.
    case tooSmall(plot: String, width: Double, height: Double)
    /// A grid without panels.
    case emptyGrid
    /// A grid with fewer than one column.
    case invalidColumns(Int)
    /// The file could not be written.
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .noSeries(plot):
            return "\(plot): has no series; add at least one series"
        case let .nothingToDraw(plot):
            return "\(plot): no point can be drawn (every point has a NaN or infinite coordinate, a value ≤ 0 on a logarithmic axis, or lies outside a fixed range); check the data, or use a linear axis for values ≤ 0"
        case let .bandLengthMismatch(plot, series, points, lower, upper):
            return "\(plot): series '\(series)' has \(points) points but its band has \(lower) lower and \(upper) upper values; give one lower and one upper value per point"
        case let .nonFiniteRange(plot, axis, lower, upper):
            return "\(plot): the \(axis) axis range \(lower)...\(upper) is not finite; give finite ends, or no range to fit the data"
        case let .emptyRange(plot, axis, lower, upper):
            return "\(plot): the \(axis) axis range \(lower)...\(upper) is empty; give a lower end below the upper end"
        case let .nonPositiveLogRange(plot, axis, lower, upper):
            return "\(plot): the \(axis) axis is logarithmic but its range \(lower)...\(upper) reaches 0 or below; give a positive lower end, or use a linear axis"
        case let .tooSmall(plot, width, height):
            return "\(plot): \(width)×\(height) pixels leave no room for data beside the labels and legend; make the plot larger or the series names shorter"
        case .emptyGrid:
            return "plot grid: has no panels; add at least one plot"
        case let .invalidColumns(columns):
            return "plot grid: \(columns) columns; give at least 1"
        case let .unwritable(path, reason):
            return "plot \(path): cannot be written (\(reason))"
        }
    }
}
