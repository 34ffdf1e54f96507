import Testing
import Gumbo

/// `Estimator(parsing:)`: every spelling of BENCHMARKS.md, the options,
/// round trips through `description`, and errors that name the bad part.
@Suite("Estimator spelling")
struct EstimatorParsingTests {
    // MARK: Spellings

    static let spellings: [(String, Estimator)] = [
        ("reparam", .reparameterization),
        ("enumerate", .enumeration),
        ("reinforce", .reinforce(baseline: .none)),
        ("reinforce:baseline=none", .reinforce(baseline: .none)),
        ("reinforce:baseline=ma", .reinforce(baseline: .movingAverage(decay: 0.9))),
        ("reinforce:baseline=ma:decay=0.5", .reinforce(baseline: .movingAverage(decay: 0.5))),
        ("reinforce:baseline=loo", .reinforce(baseline: .leaveOneOut)),
        ("gumbel-softmax", .gumbelSoftmax(temperature: .constant(0.5), straightThrough: false)),
        ("gumbel-softmax:tau=0.5", .gumbelSoftmax(temperature: .constant(0.5), straightThrough: false)),
        ("st-gumbel-softmax:tau=0.5", .gumbelSoftmax(temperature: .constant(0.5), straightThrough: true)),
        ("st-gumbel-softmax:anneal=1:0.5:0.00155",
         .gumbelSoftmax(temperature: .exponential(initial: 1, minimum: 0.5, rate: 0.00155), straightThrough: true)),
        ("gumbel-softmax:tau=1:learned", .gumbelSoftmax(temperature: .learned(initial: 1, minimum: 0.1), straightThrough: false)),
        ("gumbel-softmax:learned:min=0.2:tau=2", .gumbelSoftmax(temperature: .learned(initial: 2, minimum: 0.2), straightThrough: false)),
        ("concrete", .concrete(temperature: .constant(2.0 / 3.0), straightThrough: false)),
        ("concrete:tau=0.666667", .concrete(temperature: .constant(2.0 / 3.0), straightThrough: false)),
        ("st-concrete:tau=0.1", .concrete(temperature: .constant(0.1), straightThrough: true)),
        ("hard-concrete", Estimator.hardConcreteDefault),
        ("hard-concrete:tau=0.5:lower=-0.2:upper=1.2", .hardConcrete(temperature: 0.5, lower: -0.2, upper: 1.2)),
        ("local-expectation", .localExpectation),
        ("arm", .arm),
        ("disarm", .disarm),
    ]

    @Test("every spelling of BENCHMARKS.md, with and without options", arguments: spellings.map(\.0))
    func spelling(_ text: String) throws {
        let expected = Self.spellings.first { $0.0 == text }!.1
        #expect(try Estimator(parsing: text) == expected)
    }

    @Test("description round-trips, 2/3 included", arguments: spellings.map(\.1))
    func roundTrip(_ estimator: Estimator) throws {
        let text = estimator.description
        let parsed = try Estimator(parsing: text)
        #expect(parsed == estimator, "\(text)")
        #expect(parsed.description == text)
    }

    @Test("canonical descriptions")
    func canonical() throws {
        #expect(Estimator.reinforce(baseline: .none).description == "reinforce")
        #expect(try Estimator(parsing: "reinforce:baseline=none").description == "reinforce")
        #expect(try Estimator(parsing: "concrete").description == "concrete:tau=0.666667")
        #expect(try Estimator(parsing: "reinforce:baseline=ma:decay=0.9").description == "reinforce:baseline=ma")
        #expect(Estimator.gumbelSoftmax(temperature: .exponential(initial: 1, minimum: 0.5, rate: 0.01), straightThrough: true)
            .description == "st-gumbel-softmax:anneal=1:0.5:0.01")
        #expect(Estimator.concrete(temperature: .learned(initial: 1, minimum: 0.3), straightThrough: false)
            .description == "concrete:tau=1:learned:min=0.3")
        #expect(Estimator.hardConcreteDefault.description == "hard-concrete:tau=0.666667:lower=-0.1:upper=1.1")
        // A number with more digits than a fraction's spelling stays as written.
        guard case .gumbelSoftmax(.constant(let tau), _) = try Estimator(parsing: "gumbel-softmax:tau=0.3333") else {
            Issue.record("not a Gumbel-softmax"); return
        }
        #expect(tau == 0.3333)
    }

    // MARK: Errors

    static let errors: [(String, String)] = [
        ("", "estimator '': empty; write a kind, one of reparam, enumerate, reinforce, gumbel-softmax, st-gumbel-softmax, concrete, st-concrete, hard-concrete, local-expectation, arm, disarm"),
        ("gumbel", "estimator 'gumbel': unknown kind; kinds are reparam, enumerate, reinforce, gumbel-softmax, st-gumbel-softmax, concrete, st-concrete, hard-concrete, local-expectation, arm, disarm"),
        ("reinforce:baseline=avg", "estimator 'reinforce:baseline=avg': 'baseline=avg': unknown baseline 'avg'; baselines are none, ma, loo"),
        ("reinforce:decay=0.5", "estimator 'reinforce:decay=0.5': 'decay=0.5': decay applies to the moving-average baseline; write reinforce:baseline=ma:decay=0.5"),
        ("reinforce:baseline=ma:decay=1", "estimator 'reinforce:baseline=ma:decay=1': 'decay=1': decay must be in [0, 1), got '1'"),
        ("reinforce:tau=0.5", "estimator 'reinforce:tau=0.5': 'tau=0.5': unknown option tau; reinforce takes baseline, decay"),
        ("enumerate:tau=0.5", "estimator 'enumerate:tau=0.5': 'tau=0.5': unknown option tau; enumerate takes no options"),
        ("gumbel-softmax:tau=abc", "estimator 'gumbel-softmax:tau=abc': 'tau=abc': tau must be a positive number, got 'abc'"),
        ("gumbel-softmax:tau=-1", "estimator 'gumbel-softmax:tau=-1': 'tau=-1': tau must be a positive number, got '-1'"),
        ("gumbel-softmax:tau=0.5:tau=1", "estimator 'gumbel-softmax:tau=0.5:tau=1': 'tau=1': option tau is given twice"),
        ("gumbel-softmax:0.5", "estimator 'gumbel-softmax:0.5': '0.5': not an option; options are written name=value (e.g. tau=0.5), or the flag learned"),
        ("gumbel-softmax:", "estimator 'gumbel-softmax:': an empty option (two colons in a row, or a colon at the end)"),
        ("st-concrete:anneal=1:0.5", "estimator 'st-concrete:anneal=1:0.5': 'anneal=1:0.5': anneal takes three numbers, anneal=T0:TMIN:RATE"),
        ("st-concrete:anneal=0.5:1:0.01", "estimator 'st-concrete:anneal=0.5:1:0.01': 'anneal=0.5:1:0.01': anneal=T0:TMIN:RATE needs 0 < TMIN ≤ T0 and RATE ≥ 0, all finite"),
        ("st-concrete:anneal=1:x:0.01", "estimator 'st-concrete:anneal=1:x:0.01': 'anneal=1:x:0.01': anneal=T0:TMIN:RATE needs 0 < TMIN ≤ T0 and RATE ≥ 0, all finite, got 'x'"),
        ("concrete:tau=1:anneal=1:0.5:0.1", "estimator 'concrete:tau=1:anneal=1:0.5:0.1': 'tau=1': an annealed temperature is given by anneal=T0:TMIN:RATE alone"),
        ("concrete:tau=0.1:learned", "estimator 'concrete:tau=0.1:learned': 'tau=0.1': a learned temperature starts above its minimum: tau 0.1 ≤ min 0.1"),
        ("concrete:min=0.2", "estimator 'concrete:min=0.2': 'min=0.2': min applies to a learned temperature; add :learned"),
        ("hard-concrete:lower=0.1", "estimator 'hard-concrete:lower=0.1': 'lower=0.1': lower must be a number below 0, got '0.1'"),
        ("arm:baseline=loo", "estimator 'arm:baseline=loo': 'baseline=loo': unknown option baseline; arm takes no options"),
    ]

    @Test("errors name the bad part and say what to write", arguments: errors.map(\.0))
    func error(_ text: String) {
        let expected = Self.errors.first { $0.0 == text }!.1
        do {
            let estimator = try Estimator(parsing: text)
            Issue.record("'\(text)' parsed as \(estimator)")
        } catch let error as EstimatorSpellingError {
            #expect(error.description == expected)
            #expect(!error.description.contains("\n"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
