extension LabReport {
    /// The report as one JSON object, assignments and estimators named by
    /// their command-line spelling:
    ///
    ///     {"model": "sprinkler", "trials": 200, "seed": 0, "particles": 1, "clock": "wall",
    ///      "parameters": {"a": [0], …},
    ///      "reference": {"kind": "exact", "source": "enumerate", "samples": 1, "gradients": {…}, "standard_errors": {…}, …},
    ///      "groups": [{"name": "rain", "site": "rain", "parameters": ["a"]}, …],
    ///      "estimators": [{"name": "reinforce:baseline=ma", "sites": {"rain": "reinforce:baseline=ma", …},
    ///                      "unbiased": true, "surrogate": false, "particles": 1, "seconds_per_estimate": …,
    ///                      "total_variance": …, "overall": statistics, "groups": [statistics…], "parameters": [statistics…],
    ///                      "curve": {…} or null, "sweep": […]}, …]}
    ///
    /// A statistics object holds `name`, `trials`, `mean`, `variance`,
    /// `total_variance`, `snr` (per component), `snr_summary`, and with a
    /// reference `bias`, `bias_stderr`, `bias_norm`, `bias_norm_stderr`,
    /// `mse`, `total_mse` (else `null`). Non-finite numbers are `null`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("model", .string(model)),
            ("trials", .number(Double(configuration.trials))),
            ("seed", .number(Double(configuration.seed))),
            ("particles", .number(Double(configuration.particles))),
            ("clock", .string(configuration.clock.rawValue)),
            ("parameters", .object(parameterValues.keys.sorted().map { ($0, .numbers(parameterValues[$0]!)) })),
            ("reference", reference.map(Self.json) ?? .null),
            ("groups", .array(groups.map { group in
                .object([("name", .string(group.name)), ("site", group.site.map(JSONValue.string) ?? .null),
                         ("parameters", .array(group.parameters.map(JSONValue.string)))])
            })),
            ("estimators", .array(results.map(Self.json))),
        ]
        if let curves = configuration.curves {
            members.append(("curve_settings", .object([
                ("record_steps", .array(curves.recordSteps.map { .number(Double($0)) })),
                ("evaluation_particles", .number(Double(curves.evaluationParticles))),
            ])))
        }
        if !configuration.particleSweep.isEmpty {
            members.append(("particle_sweep", .array(configuration.particleSweep.map { .number(Double($0)) })))
        }
        return .object(members)
    }

    private static func json(_ reference: GradientReference) -> JSONValue {
        .object([
            ("kind", .string(reference.kind.rawValue)),
            ("source", .string(reference.source)),
            ("sites", sites(reference.estimators)),
            ("particles", .number(Double(reference.particles))),
            ("samples", .number(Double(reference.samples))),
            ("largest_stderr", .number(reference.largestStandardError)),
            ("gradients", .object(reference.gradients.keys.sorted().map { ($0, .numbers(reference.gradients[$0]!)) })),
            ("standard_errors", .object(reference.standardErrors.keys.sorted().map { ($0, .numbers(reference.standardErrors[$0]!)) })),
            ("exact_unavailable_reason", reference.exactUnavailableReason.map(JSONValue.string) ?? .null),
        ])
    }

    private static func sites(_ estimators: [String: Estimator]) -> JSONValue {
        .object(estimators.keys.sorted().map { ($0, .string(estimators[$0]!.description)) })
    }

    private static func json(_ result: EstimatorResult) -> JSONValue {
        .object([
            ("name", .string(result.name)),
            ("sites", sites(result.estimators)),
            ("unbiased", .bool(result.isUnbiased)),
            ("surrogate", .bool(result.isSurrogate)),
            ("particles", .number(Double(result.particles))),
            ("seconds_per_estimate", .number(result.secondsPerEstimate)),
            ("total_variance", .number(result.totalVariance)),
            ("overall", json(result.overall)),
            ("groups", .array(result.groups.map(json))),
            ("parameters", .array(result.parameters.map(json))),
            ("curve", result.curve.map(json) ?? .null),
            ("sweep", .array(result.sweep.map(json))),
        ])
    }

    private static func json(_ statistics: GradientStatistics) -> JSONValue {
        func numbers(_ values: [Double]?) -> JSONValue { values.map { .numbers($0) } ?? .null }
        return .object([
            ("name", .string(statistics.name)),
            ("trials", .number(Double(statistics.trials))),
            ("mean", .numbers(statistics.mean)),
            ("variance", .numbers(statistics.variance)),
            ("total_variance", .number(statistics.totalVariance)),
            ("snr", .numbers(statistics.signalToNoisePerComponent)),
            ("snr_summary", .number(statistics.signalToNoise)),
            ("bias", numbers(statistics.bias)),
            ("bias_stderr", numbers(statistics.biasStandardError)),
            ("bias_norm", .number(statistics.biasNorm)),
            ("bias_norm_stderr", .number(statistics.biasNormStandardError)),
            ("mse", numbers(statistics.meanSquaredError)),
            ("total_mse", .number(statistics.totalMeanSquaredError)),
        ])
    }

    private static func json(_ curve: ELBOCurve) -> JSONValue {
        .object([
            ("surrogate", .bool(curve.isSurrogate)),
            ("steps", .array(curve.records.map { .number(Double($0.step)) })),
            ("seconds", .numbers(curve.records.map(\.seconds))),
            ("elbo", .numbers(curve.records.map(\.elbo))),
            ("elbo_stderr", .numbers(curve.records.map(\.elboStandardError))),
            ("objective", .numbers(curve.records.map(\.objective))),
            ("failure", curve.failure.map(JSONValue.string) ?? .null),
        ])
    }

    private static func json(_ point: ParticleSweepPoint) -> JSONValue {
        .object([
            ("particles", .number(Double(point.particles))),
            ("total_variance", .number(point.totalVariance)),
            ("seconds_per_estimate", .number(point.secondsPerEstimate)),
            ("overall", point.overall.map(json) ?? .null),
            ("groups", .array(point.groups.map(json))),
            ("skipped", point.skippedReason.map(JSONValue.string) ?? .null),
        ])
    }
}
