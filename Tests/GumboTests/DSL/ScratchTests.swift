import Testing
import Gumbo
import GumboWorkloads

@Test func scratchDump() throws {
    print(try Sprinkler.model().program())
    print(try Sprinkler.guide().program())
    print(try GaussianMixture.model(data: [1, 2, 3], subsample: 2).program())
    print(try GaussianMixture.guide(count: 3).program())
    let d = BenchmarkData.spikeAndSlab(count: 4, features: 3)
    print(try SpikeAndSlab.model(design: d.design, responses: d.responses).program())
    print(try SpikeAndSlab.guide(features: 3).program())
}
