import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Chi-square tail")
struct ChiSquareTests {
    @Test("survival matches closed forms for 2 and 1 degrees of freedom")
    func closedForms() {
        // χ²(2) has survival e^{−x/2}; χ²(1) has erfc(√(x/2)).
        for x in [0.01, 0.5, 1, 3, 10, 40, 100] {
            #expect(isClose(ChiSquare.survival(x, degreesOfFreedom: 2), exp(-x / 2), relative: 1e-12))
            #expect(isClose(ChiSquare.survival(x, degreesOfFreedom: 1), erfc((x / 2).squareRoot()), relative: 1e-11))
        }
    }

    @Test("survival matches scipy.stats.chi2.sf at reference points")
    func reference() {
        // scipy 1.17: chi2.sf(7.0, 7) and chi2.sf(20.0, 7).
        #expect(isClose(ChiSquare.survival(7, degreesOfFreedom: 7), 0.42887985755305486, relative: 1e-12))
        #expect(isClose(ChiSquare.survival(20, degreesOfFreedom: 7), 0.005569683072945574, relative: 1e-11))
    }

    @Test("the statistic is Pearson's")
    func statistic() {
        #expect(isClose(ChiSquare.statistic(observed: [10, 30], probabilities: [0.5, 0.5]), 10))
    }
}
