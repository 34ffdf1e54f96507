extension LinePlot.Series {
    /// How a series is drawn: colour, dash pattern, markers and line width.
    ///
    /// Vary the dash pattern or marker as well as the colour when series must
    /// stay distinguishable in greyscale print.
    public struct Style: Sendable, Hashable {
        /// The stroke pattern of the line.
        public enum Dash: String, Sendable, Hashable, CaseIterable {
            case solid
            case dashed
            case dotted
            case dashDot
        }

        /// A symbol drawn at every drawable point.
        public enum Marker: String, Sendable, Hashable, CaseIterable {
            case none
            case circle
            case square
            case triangle
            case diamond
        }

        /// An index into ``PlotPalette/colors``, or `nil` for the series'
        /// position in its plot.
        public var color: Int?
        public var dash: Dash
        public var marker: Marker
        /// The stroke width in pixels.
        public var lineWidth: Double

        public init(color: Int? = nil, dash: Dash = .solid, marker: Marker = .none, lineWidth: Double = 1.75) {
            self.color = color
            self.dash = dash
            self.marker = marker
            self.lineWidth = lineWidth
        }
    }
}
