import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Plot errors")
struct PlotErrorTests {
    typealias Series = LinePlot.Series

    let line = Series(name: "s", points: [(1, 1), (2, 2), (3, 3)])

    @Test("a plot without series")
    func noSeries() {
        #expect(throws: PlotError.noSeries(plot: "untitled plot")) { _ = try LinePlot().svg }
        #expect(throws: PlotError.noSeries(plot: "plot 'Empty'")) { _ = try LinePlot(title: "Empty").svg }
    }

    @Test("a plot whose every point is undrawable")
    func nothingToDraw() {
        let plot = LinePlot(title: "T", x: .logarithmic(), series: [Series(name: "s", points: [(0, 1), (-1, 2), (.nan, 3)])])
        #expect(throws: PlotError.nothingToDraw(plot: "plot 'T'")) { _ = try plot.svg }
        let outside = LinePlot(title: "T", x: .linear(range: 10...20), series: [line])
        #expect(throws: PlotError.nothingToDraw(plot: "plot 'T'")) { _ = try outside.svg }
    }

    @Test("an error band with the wrong number of values")
    func bandLength() {
        var series = line
        series.band = .init(lower: [0, 1], upper: [2, 3, 4])
        let plot = LinePlot(title: "T", series: [series])
        let expected = PlotError.bandLengthMismatch(plot: "plot 'T'", series: "s", points: 3, lower: 2, upper: 3)
        #expect(throws: expected) { _ = try plot.svg }
        #expect(expected.description == "plot 'T': series 's' has 3 points but its band has 2 lower and 3 upper values; give one lower and one upper value per point")
    }

    @Test("an empty, non-finite or non-positive logarithmic axis range")
    func ranges() {
        #expect(throws: PlotError.emptyRange(plot: "plot 'T'", axis: "x", lower: 3, upper: 3)) {
            _ = try LinePlot(title: "T", x: .linear(range: 3...3), series: [line]).svg
        }
        #expect(throws: PlotError.nonFiniteRange(plot: "plot 'T'", axis: "y", lower: 0, upper: .infinity)) {
            _ = try LinePlot(title: "T", y: .linear(range: 0 ... .infinity), series: [line]).svg
        }
        let nonPositive = PlotError.nonPositiveLogRange(plot: "plot 'T'", axis: "y", lower: 0, upper: 10)
        #expect(throws: nonPositive) {
            _ = try LinePlot(title: "T", y: .logarithmic(range: 0...10), series: [line]).svg
        }
        #expect(nonPositive.description.contains("give a positive lower end"))
        // The same range is fine on a linear axis.
        #expect(throws: Never.self) { _ = try LinePlot(title: "T", y: .linear(range: 0...10), series: [line]).svg }
    }

    @Test("a plot too small for its labels")
    func tooSmall() {
        #expect(throws: PlotError.tooSmall(plot: "untitled plot", width: 80, height: 60)) {
            _ = try LinePlot(x: .linear("x"), y: .linear("y"), series: [line], width: 80, height: 60).svg
        }
    }

    @Test("grids name the failing panel; empty grids and zero columns are errors")
    func grids() {
        #expect(throws: PlotError.emptyGrid) { _ = try PlotGrid(panels: []).svg }
        #expect(throws: PlotError.invalidColumns(0)) { _ = try PlotGrid(panels: [LinePlot(series: [line])], columns: 0).svg }
        let grid = PlotGrid(panels: [LinePlot(series: [line]), LinePlot(title: "right")])
        #expect(throws: PlotError.noSeries(plot: "panel 2 'right'")) { _ = try grid.svg }
    }

    @Test("writing into a missing directory is an unwritable error, and writes nothing")
    func unwritable() {
        let path = "/nonexistent-gumbo-directory/plot.svg"
        let error = #expect(throws: PlotError.self) { try LinePlot(series: [line]).write(to: path) }
        if case .unwritable(let failedPath, _)? = error {
            #expect(failedPath == path)
        } else {
            Issue.record("expected unwritable, got \(String(describing: error))")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
