/// A lab that cannot run as asked, naming the assignment, site or setting
/// and what to do.
///
///     assignment 'reinforce': names site 'snow', which the model does not have; its latent sites are rain, sprinkler
public enum LabError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No estimator assignments to compare.
    case noAssignments
    /// Fewer than two gradient estimates per assignment: no variance.
    case tooFewTrials(Int)
    /// Two assignments with the same name (names key the report, its JSON and its plots).
    case duplicateName(String)
    /// An assignment names a site that is not a latent site of the model.
    case unknownSite(assignment: String, site: String, latentSites: [String])
    /// An assignment the compiler or the engine refuses (an estimator that
    /// does not fit its site, an odd particle count for ARM, …).
    case invalidAssignment(assignment: String, reason: String)
    /// A parameter value given for a parameter the model and guide lack, or
    /// of the wrong size or outside its constraint.
    case invalidParameter(name: String, reason: String)
    /// A setting out of its range.
    case invalidSetting(String)

    public var description: String {
        switch self {
        case .noAssignments:
            return "the lab has no estimator assignments; give at least one, for example EstimatorAssignment([\"z\": .enumeration])"
        case .tooFewTrials(let trials):
            return "trials is \(trials): a variance needs at least 2 gradient estimates per assignment; give trials ≥ 2"
        case .duplicateName(let name):
            return "two assignments are named '\(name)'; give each a distinct name"
        case let .unknownSite(assignment, site, latentSites):
            return "assignment '\(assignment)': names site '\(site)', which the model does not have; its latent sites are \(latentSites.joined(separator: ", "))"
        case let .invalidAssignment(assignment, reason):
            return "assignment '\(assignment)': \(reason)"
        case let .invalidParameter(name, reason):
            return "parameter '\(name)': \(reason)"
        case .invalidSetting(let message):
            return message
        }
    }
}
