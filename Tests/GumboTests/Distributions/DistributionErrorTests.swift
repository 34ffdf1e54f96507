import Foundation
import Testing
import Gumbo
import GumboTestSupport

@Suite("Distribution errors")
struct DistributionErrorTests {
    /// A constructor that must throw, and the fragments its message must
    /// contain: the distribution, the parameter with its value, and the rule.
    struct Case: CustomTestStringConvertible, Sendable {
        let make: @Sendable () throws -> Any
        let fragments: [String]
        var testDescription: String { fragments.joined(separator: " | ") }

        init(_ fragments: String..., make: @escaping @Sendable () throws -> Any) {
            self.fragments = fragments
            self.make = make
        }
    }

    static let cases: [Case] = [
        // Normal
        Case("Normal:", "std = 0.0", "std > 0") { try Normal(mean: 0, std: 0) },
        Case("Normal:", "std = -1.5", "std > 0", "pass a std greater than 0") { try Normal(mean: 0, std: -1.5) },
        Case("Normal:", "std = nan", "not a finite number") { try Normal(mean: 0, std: .nan) },
        Case("Normal:", "mean = inf", "not a finite number") { try Normal(mean: .infinity, std: 1) },
        // Bernoulli
        Case("Bernoulli:", "probability = 1.5", "0 ≤ probability ≤ 1") { try Bernoulli(probability: 1.5) },
        Case("Bernoulli:", "probability = -0.1", "0 ≤ probability ≤ 1") { try Bernoulli(probability: -0.1) },
        Case("Bernoulli:", "probability = nan", "finite") { try Bernoulli(probability: .nan) },
        Case("Bernoulli:", "logit = -inf", "finite") { try Bernoulli(logit: -.infinity) },
        // Categorical
        Case("Categorical:", "logits is empty", "at least one class") { try Categorical(logits: []) },
        Case("Categorical:", "probabilities is empty") { try Categorical(probabilities: []) },
        Case("Categorical:", "logits[1] = nan", "finite") { try Categorical(logits: [0, .nan, 1]) },
        Case("Categorical:", "logits[0] = inf") { try Categorical(logits: [.infinity, 1]) },
        Case("Categorical:", "probabilities[2] = 1.2", "0 ≤ probabilities[2] ≤ 1") { try Categorical(probabilities: [0.1, 0.3, 1.2]) },
        Case("Categorical:", "probabilities sum to 0.9", "sum to 1", "normalize them") { try Categorical(probabilities: [0.5, 0.4]) },
        // Gumbel
        Case("Gumbel:", "scale = 0.0", "scale > 0") { try Gumbel(location: 0, scale: 0) },
        Case("Gumbel:", "location = nan") { try Gumbel(location: .nan, scale: 1) },
        // Relaxations
        Case("RelaxedBernoulli:", "temperature = 0.0", "temperature > 0") { try RelaxedBernoulli(temperature: 0, logit: 0) },
        Case("RelaxedBernoulli:", "temperature = -0.5", "temperature > 0") { try RelaxedBernoulli(temperature: -0.5, logit: 0) },
        Case("RelaxedBernoulli:", "logit = nan") { try RelaxedBernoulli(temperature: 1, logit: .nan) },
        Case("RelaxedCategorical:", "temperature = inf", "finite") { try RelaxedCategorical(temperature: .infinity, logits: [0, 1]) },
        Case("RelaxedCategorical:", "logits is empty") { try RelaxedCategorical(temperature: 1, logits: []) },
        Case("ExpRelaxedCategorical:", "temperature = -1.0", "temperature > 0") { try ExpRelaxedCategorical(temperature: -1, logits: [0]) },
        Case("ExpRelaxedCategorical:", "logits[2] = -inf") { try ExpRelaxedCategorical(temperature: 1, logits: [0, 0, -.infinity]) },
        // Hard concrete
        Case("HardConcrete:", "lower = 0.0", "lower < 0", "pass a lower less than 0") { try HardConcrete(logit: 0, lower: 0) },
        Case("HardConcrete:", "upper = 1.0", "upper > 1") { try HardConcrete(logit: 0, upper: 1) },
        Case("HardConcrete:", "temperature = 0.0", "temperature > 0") { try HardConcrete(logit: 0, temperature: 0) },
        Case("HardConcrete:", "logit = inf") { try HardConcrete(logit: .infinity) },
    ]

    @Test("invalid parameters throw errors naming the distribution, the parameter, its value and the rule", arguments: cases)
    func invalid(_ c: Case) throws {
        let error = try #require(throws: DistributionError.self) { _ = try c.make() }
        for fragment in c.fragments {
            #expect(error.description.contains(fragment), "\(error.description) should contain \(fragment)")
        }
    }

    @Test("boundary values that are allowed do not throw")
    func allowed() throws {
        _ = try Bernoulli(probability: 0)
        _ = try Bernoulli(probability: 1)
        _ = try Categorical(probabilities: [1, 0])
        // Within the 1e-6 normalization tolerance.
        _ = try Categorical(probabilities: [0.5, 0.5000009])
        _ = try Categorical(logits: [-700, 700])
        _ = try RelaxedBernoulli(temperature: 1e-300, logit: 700)
        _ = try HardConcrete(logit: 0, temperature: 0.01, lower: -1e-9, upper: 1 + 1e-9)
    }

    @Test("out-of-support values are scored -infinity, not thrown")
    func outOfSupport() throws {
        #expect(try Bernoulli(logit: 0).logProb(3) == -.infinity)
        #expect(try Categorical(logits: [0, 0]).logProb(5) == -.infinity)
        #expect(try RelaxedBernoulli(temperature: 1, logit: 0).logProb(1.2) == -.infinity)
        #expect(try RelaxedCategorical(temperature: 1, logits: [0, 0]).logProb([0.3, 0.3]) == -.infinity)
        #expect(try ExpRelaxedCategorical(temperature: 1, logits: [0, 0]).logProb([0, 0]) == -.infinity)
        #expect(try HardConcrete(logit: 0).logProb(-0.5) == -.infinity)
    }
}
