import Foundation
import Testing
import Gumbo
import GumboWorkloads

/// What the lab refuses, and that its messages name the problem.
@Suite("Estimator lab errors")
struct LabErrorTests {
    static let compiled = try! Sprinkler.model().compile(guide: Sprinkler.guide())
    static let enumerate = EstimatorAssignment(["rain": .enumeration, "sprinkler": .enumeration])

    func labError(_ assignments: [EstimatorAssignment], _ configuration: LabConfiguration = LabConfiguration(trials: 2)) -> LabError? {
        do {
            _ = try EstimatorLab(Self.compiled, assignments: assignments, configuration: configuration)
            return nil
        } catch let error as LabError {
            return error
        } catch {
            Issue.record("not a LabError: \(error)")
            return nil
        }
    }

    @Test("an empty assignment list")
    func empty() {
        #expect(labError([]) == .noAssignments)
        #expect(LabError.noAssignments.description.contains("at least one"))
    }

    @Test("fewer than two trials")
    func trials() {
        #expect(labError([Self.enumerate], LabConfiguration(trials: 1)) == .tooFewTrials(1))
        #expect(labError([Self.enumerate], LabConfiguration(trials: 0)) == .tooFewTrials(0))
        #expect(LabError.tooFewTrials(1).description.contains("at least 2"))
    }

    @Test("an assignment naming a site the model lacks")
    func unknownSite() throws {
        let error = try #require(labError([Self.enumerate, EstimatorAssignment("snowy", ["snow": .reinforce(baseline: .none)])]))
        #expect(error == .unknownSite(assignment: "snowy", site: "snow", latentSites: ["rain", "sprinkler"]))
        #expect(error.description == "assignment 'snowy': names site 'snow', which the model does not have; its latent sites are rain, sprinkler")
        // An observed site is not latent either.
        #expect(labError([EstimatorAssignment(["wet": .enumeration])]) ==
                .unknownSite(assignment: "enumerate", site: "wet", latentSites: ["rain", "sprinkler"]))
    }

    @Test("two assignments with one name")
    func duplicate() {
        #expect(labError([Self.enumerate, EstimatorAssignment("enumerate", ["rain": .arm], particles: 2)]) == .duplicateName("enumerate"))
    }

    @Test("an estimator that does not fit its site, or a particle count it cannot use, names the assignment")
    func invalidAssignment() throws {
        let reparam = try #require(labError([EstimatorAssignment(["rain": .reparameterization])]))
        guard case .invalidAssignment(let name, let reason) = reparam else { Issue.record("\(reparam)"); return }
        #expect(name == "reparam" && reason.contains("rain"))
        let arm = try #require(labError([EstimatorAssignment(["rain": .arm])]))
        guard case .invalidAssignment(let armName, let armReason) = arm else { Issue.record("\(arm)"); return }
        #expect(armName == "arm" && armReason.contains("even number of particles"))
        #expect(labError([EstimatorAssignment(["rain": .arm], particles: 0)]) ==
                .invalidAssignment(assignment: "arm", reason: "particles is 0; give at least 1"))
    }

    @Test("parameter values the model lacks, of the wrong size or outside the constraint")
    func parameters() throws {
        let unknown = try #require(labError([Self.enumerate], LabConfiguration(trials: 2, parameters: ["c": [0]])))
        #expect(unknown.description.hasPrefix("parameter 'c': the model and guide have no such parameter; they have a, b"))
        let size = try #require(labError([Self.enumerate], LabConfiguration(trials: 2, parameters: ["a": [0, 1]])))
        #expect(size == .invalidParameter(name: "a", reason: "has 1 values, 2 given"))
        #expect(labError([Self.enumerate], LabConfiguration(trials: 2, parameters: ["a": [.nan]])) != nil)
    }

    @Test("settings out of range")
    func settings() {
        let bad: [LabConfiguration] = [
            LabConfiguration(trials: 2, particles: 0),
            LabConfiguration(trials: 2, reference: .automatic(samples: 1)),
            LabConfiguration(trials: 2, curves: CurveSettings(recordAt: [])),
            LabConfiguration(trials: 2, curves: CurveSettings(recordAt: [10, 5])),
            LabConfiguration(trials: 2, curves: CurveSettings(steps: 3, points: 10)),
            LabConfiguration(trials: 2, curves: CurveSettings(steps: 10, evaluationParticles: 0)),
            LabConfiguration(trials: 2, particleSweep: [1, 0]),
        ]
        for configuration in bad {
            guard case .invalidSetting(let message)? = labError([Self.enumerate], configuration) else {
                Issue.record("accepted \(configuration)")
                continue
            }
            #expect(!message.isEmpty)
        }
    }

    @Test("assignment names follow the command-line spelling")
    func names() {
        #expect(EstimatorAssignment(["rain": .reinforce(baseline: .leaveOneOut)]).name == "reinforce:baseline=loo")
        #expect(EstimatorAssignment(["sprinkler": .arm, "rain": .enumeration]).name == "rain=enumerate sprinkler=arm")
        #expect(EstimatorAssignment.everyDiscreteSite(.disarm, of: Self.compiled, particles: 2)
                == EstimatorAssignment("disarm", ["rain": .disarm, "sprinkler": .disarm], particles: 2))
    }
}
