extension LinePlot {
    /// One named line of a ``LinePlot``: its points, an optional error band
    /// and how it is drawn.
    ///
    /// Points are joined in the order given. A point with a coordinate that
    /// is not drawable on its axis (NaN, ±infinity, or ≤ 0 on a logarithmic
    /// axis) is dropped and the line breaks there, so a diverged run or a
    /// zero variance shows as a gap rather than a crash or a spike. The band
    /// is dropped the same way, point by point.
    ///
    ///     LinePlot.Series(
    ///         name: "REINFORCE",
    ///         points: zip(sizes, variances).map { (x: $0, y: $1) },
    ///         band: .init(lower: lows, upper: highs),
    ///         style: .init(dash: .dashed, marker: .circle))
    public struct Series: Sendable, Hashable {
        /// A data point.
        public struct Point: Sendable, Hashable {
            public var x: Double
            public var y: Double

            public init(x: Double, y: Double) {
                self.x = x
                self.y = y
            }
        }

        /// An error band: for each point, the lower and upper y of a shaded
        /// region (for example a mean ± two standard errors). Both arrays
        /// must have one entry per point.
        public struct Band: Sendable, Hashable {
            public var lower: [Double]
            public var upper: [Double]

            public init(lower: [Double], upper: [Double]) {
                self.lower = lower
                self.upper = upper
            }
        }

        /// The legend entry; an empty name leaves the series out of the legend.
        public var name: String
        public var points: [Point]
        public var band: Band?
        public var style: Style

        public init(name: String, points: [Point], band: Band? = nil, style: Style = Style()) {
            self.name = name
            self.points = points
            self.band = band
            self.style = style
        }

        public init(name: String, points: [(x: Double, y: Double)], band: Band? = nil, style: Style = Style()) {
            self.init(name: name, points: points.map { Point(x: $0.x, y: $0.y) }, band: band, style: style)
        }
    }
}
