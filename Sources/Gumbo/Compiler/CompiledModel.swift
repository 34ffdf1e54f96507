/// A model and guide after every compiler pass: validated, analysed, and
/// with a gradient estimator chosen for each latent site.
///
///     let compiled = try model.compile(guide: guide)
///     print(compiled.explain())
public struct CompiledModel: Sendable {
    public let model: IRProgram
    public let guide: IRProgram
    /// Whether the guide was synthesized (mean-field) rather than written.
    public let guideIsAutomatic: Bool
    public let dependencies: DependencyAnalysis
    public let relaxability: RelaxabilityAnalysis
    /// One decision per latent site of the model, in program order.
    public let estimators: [SiteEstimator]
    public let options: CompileOptions

    /// The decision for a site.
    public func estimator(for site: String) -> SiteEstimator? {
        estimators.first { $0.site == site }
    }

    /// Runs the passes in order: guide synthesis (when no guide is given),
    /// validation, dependency analysis, relaxability analysis, estimator
    /// selection.
    public static func compile(model: IRProgram, guide: IRProgram?, options: CompileOptions = CompileOptions()) throws -> CompiledModel {
        try Validation.validateProgram(model, role: "model")
        let guideProgram = try guide ?? GuideSynthesis.meanField(for: model)
        try Validation.validateProgram(guideProgram, role: "guide")
        try Validation.validateGuideMatchesModel(model: model, guide: guideProgram)
        for name in options.estimators.keys.sorted() where model.latentSites.first(where: { $0.name == name }) == nil {
            throw ModelError(.unknownSite, subject: name,
                "an estimator is given for a site the model does not have as a latent site; latent sites are \(model.latentSites.compactMap(\.name))")
        }
        let dependencies = DependencyAnalysis(model: model, guide: guideProgram)
        let relaxability = RelaxabilityAnalysis(model: model, guide: guideProgram)
        let estimators = try EstimatorSelection.select(model: model, guide: guideProgram, dependencies: dependencies,
                                                       relaxability: relaxability, options: options)
        return CompiledModel(model: model, guide: guideProgram, guideIsAutomatic: guide == nil,
                             dependencies: dependencies, relaxability: relaxability,
                             estimators: estimators, options: options)
    }
}

extension Model {
    /// Compiles the model with a guide (or the automatic mean-field guide).
    public func compile(guide: Guide? = nil, options: CompileOptions = CompileOptions()) throws -> CompiledModel {
        try CompiledModel.compile(model: program(), guide: guide?.program(), options: options)
    }
}
