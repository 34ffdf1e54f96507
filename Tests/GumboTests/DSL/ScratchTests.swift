import Testing
import Gumbo
import GumboWorkloads

@Test func scratchDump() throws {
    print(try Sprinkler.model().compile(guide: Sprinkler.guide()).explain())
    print(try GaussianMixture.model(data: [1, 2, 3]).compile(guide: GaussianMixture.guide(count: 3)).explain())
    let d = BenchmarkData.spikeAndSlab(count: 4, features: 3)
    print(try SpikeAndSlab.model(design: d.design, responses: d.responses).compile(guide: SpikeAndSlab.guide(features: 3)).explain())
    print(try SpikeAndSlab.model(design: d.design, responses: d.responses).compile().explain())
    print(try SpikeAndSlab.model(design: d.design, responses: d.responses).compile().guide)
}
