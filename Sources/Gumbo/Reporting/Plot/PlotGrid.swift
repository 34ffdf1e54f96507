/// Several ``LinePlot`` panels in one SVG document, in rows of `columns`,
/// under an optional title.
///
/// Each panel keeps its own size, axes and legend; a column is as wide as
/// its widest panel and a row as tall as its tallest. For example the
/// gradient variance at reward offset c = 0 and c = 1, side by side:
///
///     let grid = PlotGrid(
///         title: "Gradient variance against sample size",
///         panels: [offsetZero, offsetOne],
///         columns: 2)
///     try grid.write(to: "variance.svg")
public struct PlotGrid: Sendable, Hashable {
    /// The title above all panels; an empty title draws none.
    public var title: String
    public var panels: [LinePlot]
    /// Panels per row, at least 1.
    public var columns: Int

    /// A grid of `panels`, `columns` to a row (all in one row by default).
    public init(title: String = "", panels: [LinePlot], columns: Int? = nil) {
        self.title = title
        self.panels = panels
        self.columns = columns ?? max(panels.count, 1)
    }

    /// The grid as a standalone SVG 1.1 document.
    public var svg: String {
        get throws { try render() }
    }

    /// Writes ``svg`` to `path` atomically (a temporary file in the same
    /// directory, renamed over `path`).
    public func write(to path: String) throws {
        try SVGWriter.writeAtomically(try render(), to: path)
    }

    private func render() throws -> String {
        guard !panels.isEmpty else { throw PlotError.emptyGrid }
        guard columns >= 1 else { throw PlotError.invalidColumns(columns) }
        let rows = (panels.count + columns - 1) / columns
        var columnWidths = [Double](repeating: 0, count: columns)
        var rowHeights = [Double](repeating: 0, count: rows)
        for (index, panel) in panels.enumerated() {
            columnWidths[index % columns] = max(columnWidths[index % columns], panel.width)
            rowHeights[index / columns] = max(rowHeights[index / columns], panel.height)
        }
        let titleHeight: Double = title.isEmpty ? 0 : 34
        let width = columnWidths.reduce(0, +)
        let height = titleHeight + rowHeights.reduce(0, +)

        let layouts = try panels.enumerated().map { index, panel in
            let name = panels.count == 1 ? panel.displayName
                : "panel \(index + 1)" + (panel.title.isEmpty ? "" : " '\(panel.title)'")
            return try PanelLayout(
                plot: panel, name: name,
                originX: columnWidths[..<(index % columns)].reduce(0, +),
                originY: titleHeight + rowHeights[..<(index / columns)].reduce(0, +))
        }

        let n = SVGWriter.number
        var writer = SVGWriter()
        writer.line(#"<?xml version="1.0" encoding="UTF-8"?>"#)
        writer.line(#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(n(width))" height="\#(n(height))" viewBox="0 0 \#(n(width)) \#(n(height))" font-family="Helvetica, Arial, sans-serif">"#)
        let documentTitle = title.isEmpty ? panels.map(\.title).filter { !$0.isEmpty }.joined(separator: "; ") : title
        if !documentTitle.isEmpty {
            writer.line("<title>\(SVGWriter.escape(documentTitle))</title>")
        }
        writer.line(#"<rect x="0" y="0" width="\#(n(width))" height="\#(n(height))" fill="white"/>"#)
        if !title.isEmpty {
            writer.line(#"<text x="\#(n(width / 2))" y="23" text-anchor="middle" font-size="16" font-weight="bold" fill="\#(PanelLayout.titleColor)">\#(SVGWriter.escape(title))</text>"#)
        }
        for (index, layout) in layouts.enumerated() {
            layout.render(into: &writer, clipID: "gumbo-plot-\(index)")
        }
        writer.line("</svg>")
        return writer.text
    }
}
