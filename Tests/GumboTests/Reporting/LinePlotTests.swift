import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Line plots")
struct LinePlotTests {
    typealias Series = LinePlot.Series

    static let svgNamespace = "http://www.w3.org/2000/svg"

    /// A small plot with a band, markers and a dashed line.
    func samplePlot(title: String = "Sample") -> LinePlot {
        LinePlot(
            title: title,
            x: .linear("step"),
            y: .linear("ELBO"),
            series: [
                Series(name: "REINFORCE", points: [(0, -120), (10, -104), (20, -98), (30, -95)],
                       band: .init(lower: [-125, -108, -101, -97], upper: [-115, -100, -95, -93])),
                Series(name: "Gumbel-softmax", points: [(0, -118), (10, -100), (20, -96), (30, -94)],
                       style: .init(dash: .dashed, marker: .circle)),
            ])
    }

    /// The stroked (unfilled) data paths inside the data clip, in series order.
    func linePaths(_ root: XMLTree) -> [XMLTree] {
        root.elements(named: "g").filter { ($0.attributes["clip-path"] ?? "").hasSuffix("-data)") }
            .flatMap { $0.children }
            .filter { $0.name == "path" && $0.attributes["fill"] == "none" }
    }

    /// The points of an SVG path's `d`, one array per subpath.
    func subpaths(_ d: String) -> [[(x: Double, y: Double)]] {
        d.split(separator: "M").map { subpath in
            subpath.split(whereSeparator: { $0 == " " || $0 == "L" })
                .filter { $0.contains(",") }
                .map { pair in
                    let parts = pair.split(separator: ",").map { Double($0)! }
                    return (parts[0], parts[1])
                }
        }
    }

    // MARK: Document

    @Test("the SVG is well-formed XML with an svg root in the SVG namespace, sized and with a viewBox")
    func wellFormed() throws {
        let svg = try samplePlot().svg
        #expect(svg.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))
        let root = try XMLTree.parse(svg)
        #expect(root.name == "svg")
        #expect(root.namespace == Self.svgNamespace)
        #expect(root.attributes["version"] == "1.1")
        #expect(root.attributes["width"] == "640")
        #expect(root.attributes["height"] == "400")
        #expect(root.attributes["viewBox"] == "0 0 640 400")
        #expect(root.elements(named: "title").first?.text == "Sample")
    }

    @Test("the figure has a frame, grid, tick labels, axis labels, title, band and legend")
    func parts() throws {
        let root = try XMLTree.parse(try samplePlot().svg)
        let texts = root.elements(named: "text").map(\.text)
        for expected in ["Sample", "step", "ELBO", "REINFORCE", "Gumbel-softmax", "0", "30", "−120", "−90"] {
            #expect(texts.contains(expected), "no text '\(expected)' in \(texts)")
        }
        // One band polygon (closed), two lines, one marker path.
        let bands = root.elements(named: "path").filter { $0.attributes["fill-opacity"] != nil }
        #expect(bands.count == 1)
        #expect(bands.first?.attributes["d"]?.hasSuffix("Z") == true)
        #expect(linePaths(root).count == 2)
        #expect(linePaths(root)[1].attributes["stroke-dasharray"] != nil)
        #expect(linePaths(root).map { $0.attributes["stroke"] } == [PlotPalette.color(0), PlotPalette.color(1)])
        #expect(root.elements(named: "clipPath").count == 2)
    }

    @Test("the legend sits right of the data area, outside it")
    func legendOutsideData() throws {
        let plot = samplePlot()
        let transform = try plot.transform()
        let root = try XMLTree.parse(try plot.svg)
        let legendBox = try #require(root.elements(named: "rect").first { $0.attributes["rx"] != nil })
        let legendLeft = try #require(Double(legendBox.attributes["x"] ?? ""))
        let legendWidth = try #require(Double(legendBox.attributes["width"] ?? ""))
        #expect(legendLeft > transform.left + transform.width)
        #expect(legendLeft + legendWidth <= plot.width)
    }

    @Test("a legend too wide for the right goes in rows below the x axis, still outside the data")
    func legendBelow() throws {
        let plot = LinePlot(
            x: .linear("x"), y: .linear("y"),
            series: [
                Series(name: String(repeating: "a long series name ", count: 3), points: [(0, 0), (1, 1)]),
                Series(name: "short", points: [(0, 1), (1, 0)]),
            ],
            width: 480, height: 320)
        let transform = try plot.transform()
        let root = try XMLTree.parse(try plot.svg)
        let legendBox = try #require(root.elements(named: "rect").first { $0.attributes["rx"] != nil })
        let top = try #require(Double(legendBox.attributes["y"] ?? ""))
        let height = try #require(Double(legendBox.attributes["height"] ?? ""))
        #expect(top > transform.top + transform.height + 30)
        #expect(top + height <= plot.height)
        #expect(transform.left + transform.width > 0.8 * plot.width)

        var hidden = plot
        hidden.legend = .hidden
        #expect(try XMLTree.parse(try hidden.svg).elements(named: "rect").allSatisfy { $0.attributes["rx"] == nil })
    }

    @Test("rendering is deterministic: the same plot gives the same bytes")
    func deterministic() throws {
        let first = try samplePlot().svg
        let second = try samplePlot().svg
        #expect(first == second)
        let grid = PlotGrid(title: "Both", panels: [samplePlot(title: "a"), samplePlot(title: "b")])
        #expect(try grid.svg == grid.svg)
    }

    @Test("numbers are written with at most two decimals")
    func fixedPrecision() throws {
        let svg = try samplePlot().svg
        let longDecimals = svg.split(whereSeparator: { !"0123456789.".contains($0) })
            .filter { $0.contains(".") && $0.split(separator: ".", omittingEmptySubsequences: false).last!.count > 2 }
        #expect(longDecimals.isEmpty, "\(longDecimals.prefix(5))")
    }

    // MARK: Coordinates

    @Test("a point maps to its pixel on linear axes")
    func linearTransform() throws {
        let plot = LinePlot(
            x: .linear("x", range: 0...10), y: .linear("y", range: 0...100),
            series: [Series(name: "s", points: [(0, 0), (5, 25), (10, 100)])])
        let t = try plot.transform()
        let pixel = try #require(t.pixel(x: 5, y: 25))
        #expect(isClose(pixel.x, t.left + 0.5 * t.width))
        #expect(isClose(pixel.y, t.top + 0.75 * t.height))

        let drawn = subpaths(try #require(linePaths(try XMLTree.parse(try plot.svg)).first?.attributes["d"]))
        #expect(drawn.count == 1)
        let expected = [(t.left, t.top + t.height), (t.left + 0.5 * t.width, t.top + 0.75 * t.height), (t.left + t.width, t.top)]
        #expect(drawn[0].count == 3)
        for (point, target) in zip(drawn[0], expected) {
            #expect(abs(point.x - target.0) <= 0.005 && abs(point.y - target.1) <= 0.005, "\(point) vs \(target)")
        }
    }

    @Test("a point maps to its pixel on log-log axes: one decade is a third of three")
    func logarithmicTransform() throws {
        let plot = LinePlot(
            x: .logarithmic("n", range: 1...1000), y: .logarithmic("variance", range: 1e-3...1),
            series: [Series(name: "s", points: [(1, 1), (10, 0.1), (1000, 1e-3)])])
        let t = try plot.transform()
        let pixel = try #require(t.pixel(x: 10, y: 1e-2))
        #expect(isClose(pixel.x, t.left + t.width / 3))
        #expect(isClose(pixel.y, t.top + t.height * 2 / 3))
        #expect(t.pixel(x: 0, y: 1) == nil)
        #expect(t.pixel(x: 10, y: -1) == nil)

        let drawn = subpaths(try #require(linePaths(try XMLTree.parse(try plot.svg)).first?.attributes["d"]))
        let expected = [(t.left, t.top), (t.left + t.width / 3, t.top + t.height / 3), (t.left + t.width, t.top + t.height)]
        for (point, target) in zip(drawn[0], expected) {
            #expect(abs(point.x - target.0) <= 0.005 && abs(point.y - target.1) <= 0.005, "\(point) vs \(target)")
        }
    }

    @Test("fitted axes cover every drawable value, band ends included")
    func fittedRanges() throws {
        let t = try samplePlot().transform()
        #expect(t.xRange == 0...30)
        #expect(t.yRange.lowerBound <= -125 && t.yRange.upperBound >= -93)
    }

    // MARK: Undrawable points

    @Test("NaN, infinite and non-positive-on-log points are dropped, leaving gaps")
    func droppedPoints() throws {
        let plot = LinePlot(
            x: .logarithmic("n"), y: .logarithmic("variance"),
            series: [
                Series(name: "gaps", points: [(1, 1), (2, 0.5), (4, .nan), (8, 0.125), (16, 0), (32, 1.0 / 32),
                                              (64, -1), (128, .infinity), (.nan, 1), (-5, 1), (256, 1.0 / 256), (512, 1.0 / 512)],
                       band: .init(lower: [0.5, 0.25, 0.1, 0.1, 0.1, 0, 0.01, 0.01, 0.01, 0.01, 0.001, 0.001],
                                   upper: [2, 1, 0.2, 0.2, 0.2, 0.1, 0.02, 0.02, 0.02, .nan, 0.01, 0.01]),
                       style: .init(marker: .square)),
                Series(name: "all zero", points: [(1, 0), (10, 0)]),
            ])
        let root = try XMLTree.parse(try plot.svg)
        let lines = linePaths(root)
        #expect(lines.count == 1)
        let runs = subpaths(try #require(lines.first?.attributes["d"]))
        #expect(runs.map(\.count) == [2, 1, 1, 2])
        #expect(lines.first?.attributes["d"]?.contains("h0") == true)
        // Markers at the six drawable points.
        let markers = try #require(root.elements(named: "path").first { $0.attributes["fill"] == PlotPalette.color(0) && $0.attributes["fill-opacity"] == nil })
        #expect(markers.attributes["d"]?.filter { $0 == "M" }.count == 6)
        let t = try plot.transform()
        #expect(t.xRange == 1...1000)
        #expect(t.yRange.lowerBound == 1e-3 && t.yRange.upperBound == 10)
    }

    @Test("on linear axes only non-finite values are dropped; zero and negatives are drawn")
    func droppedLinear() throws {
        let plot = LinePlot(series: [Series(name: "s", points: [(0, -1), (1, .nan), (2, 0), (3, -.infinity), (4, 2)])])
        let runs = subpaths(try #require(linePaths(try XMLTree.parse(try plot.svg)).first?.attributes["d"]))
        #expect(runs.map(\.count) == [1, 1, 1])
    }

    @Test("extreme values near the limits of Double render without trapping")
    func extremes() throws {
        let huge = Double.greatestFiniteMagnitude, tiny = Double.leastNonzeroMagnitude
        let plots = [
            LinePlot(series: [Series(name: "huge", points: [(0, -huge), (1, huge), (2, 5)])]),
            LinePlot(x: .linear(range: -huge...huge), series: [Series(name: "wide", points: [(0, 1), (1, 2)])]),
            LinePlot(y: .logarithmic(), series: [Series(name: "tiny", points: [(0, tiny), (1, huge)])]),
            LinePlot(y: .logarithmic(range: tiny...1), series: [Series(name: "subnormal", points: [(0, tiny * 4), (1, 0.5)])]),
            LinePlot(series: [Series(name: "constant", points: [(1e20, 1e-20), (1e20, 1e-20)])]),
        ]
        for plot in plots {
            #expect(try XMLTree.parse(try plot.svg).name == "svg")
        }
    }

    // MARK: Text

    @Test("text is escaped: a series named a < b & \"c\" survives the round trip")
    func escaping() throws {
        let name = #"a < b & "c""#
        let plot = LinePlot(
            title: "x's <title> & more", x: .linear("α > β"), y: .linear("'y' \u{1}"),
            series: [Series(name: name, points: [(0, 1), (1, 2)])])
        let svg = try plot.svg
        #expect(svg.contains("a &lt; b &amp; &quot;c&quot;"))
        let root = try XMLTree.parse(svg)
        let texts = root.elements(named: "text").map(\.text)
        #expect(texts.contains(name))
        #expect(texts.contains("x's <title> & more"))
        #expect(texts.contains("α > β"))
        #expect(texts.contains("'y' \u{FFFD}"))
    }

    @Test("powers of ten are drawn with a superscript tspan")
    func superscripts() throws {
        let plot = LinePlot(x: .logarithmic(), y: .linear(), series: [Series(name: "", points: [(1e-3, 1), (1, 2)])])
        let root = try XMLTree.parse(try plot.svg)
        let labels = root.elements(named: "text").filter { $0.children.contains { $0.name == "tspan" } }
        #expect(labels.map(\.text) == ["10−3", "10−2", "10−1", "100"])
        #expect(labels.first?.children.first?.attributes["dy"] != nil)
    }

    // MARK: Grids and files

    @Test("a grid lays panels side by side, each with its own clip paths")
    func grid() throws {
        let left = samplePlot(title: "c = 0")
        var right = samplePlot(title: "c = 1")
        right.width = 500
        let grid = PlotGrid(title: "Offsets", panels: [left, right, samplePlot(title: "below")], columns: 2)
        let root = try XMLTree.parse(try grid.svg)
        #expect(root.attributes["width"] == "1140")
        #expect(root.attributes["height"] == "834")
        let ids = root.elements(named: "clipPath").compactMap { $0.attributes["id"] }
        #expect(ids.count == 6 && Set(ids).count == 6)
        #expect(root.elements(named: "text").map(\.text).filter { ["Offsets", "c = 0", "c = 1", "below"].contains($0) }.count == 4)
    }

    @Test("write(to:) writes the SVG atomically, leaving no temporary file")
    func write() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/plot.svg"
        try samplePlot(title: "old").write(to: path)
        try samplePlot().write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == samplePlot().svg)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }
}
