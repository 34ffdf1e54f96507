import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Axis ticks")
struct AxisTicksTests {
    /// Whether `step` is 1, 2 or 5 × 10ᵏ.
    func isNiceStep(_ step: Double) -> Bool {
        let decade = pow(10, (log10(step)).rounded(.down))
        return [1.0, 2, 5, 10].contains { isClose(step / decade, $0, relative: 1e-9) }
    }

    // MARK: Linear

    static let dataRanges: [(Double, Double)] = [
        (0, 1), (0.013, 0.97), (-250, -95), (3, 7), (0, 7), (1e-4, 3e-4), (-1, 1),
        (12_345, 67_890), (0.5, 0.5), (0, 0), (-3e-7, 8e-7), (1e12, 1e12 + 5), (-0.3, 0.3), (99, 101),
    ]

    static let fixedRanges: [(Double, Double)] = [(0, 3.3), (0.25, 19.75), (-120, -90), (0.001, 0.002), (1, 1.0001)]

    @Test("linear ticks fitted to data are 4 to 8 evenly spaced multiples of a 1-2-5 step covering the data", arguments: dataRanges)
    func linearCovering(low: Double, high: Double) {
        let ticks = AxisTicks.linear(covering: low...high)
        let major = ticks.major
        #expect((4...8).contains(major.count), "\(low)...\(high): \(major)")
        #expect(major.first! <= low && major.last! >= high, "\(low)...\(high): \(major) does not cover")
        #expect(ticks.range == major.first!...major.last!)
        let step = major[1] - major[0]
        #expect(isNiceStep(step), "\(low)...\(high): step \(step)")
        for (a, b) in zip(major, major.dropFirst()) {
            #expect(isClose(b - a, step, relative: 1e-6), "\(low)...\(high): uneven \(major)")
        }
        for value in major {
            let multiple = value / step
            #expect(abs(multiple - multiple.rounded()) < 1e-6, "\(value) is not a multiple of \(step)")
        }
        #expect(ticks.labels.count == major.count)
        #expect(ticks.minor.isEmpty)
    }

    @Test("linear ticks are exact decimals with compact labels")
    func linearValuesAndLabels() {
        let unit = AxisTicks.linear(covering: 0.013...0.97)
        #expect(unit.major == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(unit.labels.map(\.description) == ["0", "0.2", "0.4", "0.6", "0.8", "1"])

        let elbo = AxisTicks.linear(covering: -250 ... -95)
        #expect(elbo.major == [-250, -200, -150, -100, -50])
        #expect(elbo.labels.map(\.description) == ["−250", "−200", "−150", "−100", "−50"])

        let symmetric = AxisTicks.linear(covering: -1...1)
        #expect(symmetric.labels.map(\.description) == ["−1", "−0.5", "0", "0.5", "1"])
    }

    @Test("very large and very small linear ticks are written as powers of ten, the mantissa 1 dropped")
    func linearScientific() {
        let large = AxisTicks.linear(covering: 0...300_000)
        #expect(large.major == [0, 100_000, 200_000, 300_000])
        #expect(large.labels.map(\.description) == ["0", "10^5", "2×10^5", "3×10^5"])
        #expect(large.labels[1] == TickLabel("10", exponent: "5"))

        let small = AxisTicks.linear(covering: 0.0001...0.0004)
        #expect(small.labels.map(\.description) == ["10^−4", "2×10^−4", "3×10^−4", "4×10^−4"])

        let halves = AxisTicks.linear(covering: 0.0005...0.0025)
        #expect(halves.labels.contains(TickLabel("1.5×10", exponent: "−3")))
    }

    @Test("linear ticks within a fixed range stay inside it", arguments: fixedRanges)
    func linearWithin(low: Double, high: Double) {
        let ticks = AxisTicks.linear(within: low...high)
        #expect(ticks.range == low...high)
        #expect(ticks.major.count >= 3, "\(low)...\(high): \(ticks.major)")
        #expect(ticks.major.allSatisfy { $0 >= low - 1e-12 && $0 <= high + 1e-12 }, "\(ticks.major)")
        #expect(isNiceStep(ticks.major[1] - ticks.major[0]))
    }

    // MARK: Logarithmic

    @Test("logarithmic ticks fitted to data are the enclosing decades, with minor ticks 2…9")
    func logarithmicCovering() {
        let ticks = AxisTicks.logarithmic(covering: 3...450)
        #expect(ticks.major == [1, 10, 100, 1000])
        #expect(ticks.range == 1...1000)
        #expect(ticks.labels.map(\.description) == ["10^0", "10^1", "10^2", "10^3"])
        #expect(ticks.minor.count == 24)
        #expect(ticks.minor.prefix(8) == [2, 3, 4, 5, 6, 7, 8, 9])
        #expect(ticks.minor.contains(900))

        let small = AxisTicks.logarithmic(covering: 2e-3...0.7, minor: false)
        #expect(small.major == [1e-3, 1e-2, 1e-1, 1])
        #expect(small.labels.first == TickLabel("10", exponent: "−3"))
        #expect(small.minor.isEmpty)
    }

    @Test("data that is one exact decade gets a decade either side")
    func logarithmicSingleDecade() {
        #expect(AxisTicks.logarithmic(covering: 100...100).major == [10, 100, 1000])
    }

    @Test("wide logarithmic ranges label every few decades, at most eight")
    func logarithmicStride() {
        let ticks = AxisTicks.logarithmic(covering: 1e-10...1e10)
        #expect(ticks.major.count <= 8 && ticks.major.count >= 4, "\(ticks.major)")
        #expect(ticks.range.lowerBound <= 1e-10 && ticks.range.upperBound >= 1e10)
        let exponents = ticks.major.map { log10($0).rounded() }
        let stride = exponents[1] - exponents[0]
        #expect(stride > 1)
        #expect(zip(exponents, exponents.dropFirst()).allSatisfy { $1 - $0 == stride })
        // The skipped decades become minor ticks.
        #expect(ticks.minor.contains { isClose($0, 1e-9, relative: 1e-12) })
    }

    @Test("logarithmic ticks within a fixed range are its decades")
    func logarithmicWithin() {
        let ticks = AxisTicks.logarithmic(within: 5e-4...300)
        #expect(ticks.major == [1e-3, 1e-2, 1e-1, 1, 10, 100])
        #expect(ticks.range == 5e-4...300)
        #expect(ticks.minor.allSatisfy { $0 >= 5e-4 && $0 <= 300 })
        #expect(ticks.minor.contains(5e-4) && ticks.minor.contains(200))
    }

    @Test("a fixed logarithmic range under two decades is labelled at 1, 2 and 5 × 10ᵏ")
    func logarithmicNarrow() {
        let ticks = AxisTicks.logarithmic(within: 2...80)
        #expect(ticks.major == [2, 5, 10, 20, 50])
        #expect(ticks.labels.map(\.description) == ["2", "5", "10", "20", "50"])
        let tight = AxisTicks.logarithmic(within: 2...4)
        #expect(tight.major == [2, 3, 4])
    }
}
