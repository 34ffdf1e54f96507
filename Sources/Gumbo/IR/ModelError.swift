/// An error in a model or guide, found while it is built, validated or
/// compiled. It names the site (or parameter, plate or expression) and the
/// rule that was broken, and says how to fix it.
public struct ModelError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The rule that was broken; tests and tools match on it.
    public enum Rule: String, Sendable, CaseIterable {
        case duplicateName
        case emptyName
        case unknownPlate
        case duplicatePlate
        case invalidPlate
        case shapeMismatch
        case typeMismatch
        case invalidConstant
        case invalidParameterValue
        case observationOutsideSupport
        case observationShape
        case siteNotSampled
        case siteSampledTwice
        case siteUsedBeforeSampled
        case plateIndexMisuse
        case subsampledWholeArray
        case guideMissingSite
        case guideExtraSite
        case guideMismatch
        case invalidEstimator
        case invalidTemperature
        case unusedSite
        case unknownSite
        case unsupported
    }

    public let rule: Rule
    /// The site, parameter, plate or node the error is about, when there is one.
    public let subject: String?
    /// What is wrong and what to do.
    public let message: String

    public init(_ rule: Rule, subject: String?, _ message: String) {
        self.rule = rule
        self.subject = subject
        self.message = message
    }

    public var description: String {
        if let subject { return "'\(subject)': \(message)" }
        return message
    }
}
