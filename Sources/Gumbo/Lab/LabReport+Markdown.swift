import Foundation

extension LabReport {
    /// The gradient statistics as a Markdown table: one row per assignment
    /// and parameter group, with the median time per estimate and its ratio
    /// to the fastest assignment.
    ///
    /// Columns: `‖mean‖`; `variance` summed over the group's components;
    /// `SNR` = ‖mean‖ / √variance; `bias` = ‖mean − reference‖ ± its
    /// standard error √Σ se²; `MSE` summed over components. Bias and MSE
    /// are `—` without a reference.
    public func markdownTable() -> String {
        let fastest = results.map(\.secondsPerEstimate).min() ?? .nan
        var lines = [
            "| estimator | group | unbiased | K | ‖mean‖ | variance | SNR | bias ± s.e. | MSE | µs/estimate | time × fastest |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for result in results {
            for statistics in result.groups {
                let norm = statistics.mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let bias = statistics.biasNorm.map {
                    "\(Self.format($0)) ± \(Self.format(statistics.biasNormStandardError))"
                } ?? "—"
                lines.append("| " + [
                    result.name, statistics.name, result.isUnbiased ? "yes" : "no", "\(result.particles)",
                    Self.format(norm), Self.format(statistics.totalVariance), Self.format(statistics.signalToNoise),
                    bias, Self.format(statistics.totalMeanSquaredError),
                    Self.format(result.secondsPerEstimate * 1e6), Self.format(result.secondsPerEstimate / fastest, digits: 3),
                ].map(Self.escape).joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The ELBO curves' last records as a Markdown table, or `nil` without
    /// curves: the true ELBO at the first and last record (± its standard
    /// error), the training objective averaged over the last interval
    /// (marked when it is a relaxed surrogate), and the training time with
    /// its ratio to the fastest run.
    public func markdownCurveTable() -> String? {
        let curves = results.compactMap { result in result.curve.map { (result, $0) } }
        guard !curves.isEmpty else { return nil }
        let fastest = curves.compactMap { $0.1.records.last?.seconds }.filter { $0 > 0 }.min() ?? .nan
        var lines = [
            "| estimator | steps | first ELBO | last ELBO ± s.e. | objective, last interval | training s | time × fastest |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for (result, curve) in curves {
            guard let first = curve.records.first, let last = curve.records.last else {
                lines.append("| \(Self.escape(result.name)) | 0 | — | — | — | — | — |")
                continue
            }
            let objective = Self.format(last.objective) + (curve.isSurrogate ? " (surrogate)" : "")
            lines.append("| " + [
                result.name + (curve.failure == nil ? "" : " (stopped)"), "\(last.step)", Self.format(first.elbo),
                "\(Self.format(last.elbo)) ± \(Self.format(last.elboStandardError))", objective,
                Self.format(last.seconds), Self.format(last.seconds / fastest, digits: 3),
            ].map(Self.escape).joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The total gradient variance at each particle count as a Markdown
    /// table, or `nil` without a sweep.
    public func markdownSweepTable() -> String? {
        let counts = configuration.particleSweep
        guard !counts.isEmpty else { return nil }
        var lines = [
            "| estimator | " + counts.map { "K = \($0)" }.joined(separator: " | ") + " |",
            "|---|" + counts.map { _ in "---:" }.joined(separator: "|") + "|",
        ]
        for result in results {
            lines.append("| \(Self.escape(result.name)) | "
                + result.sweep.map { Self.format($0.totalVariance) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The whole report in Markdown: the settings and the reference, then
    /// the gradient table, and the curve and sweep tables when measured.
    public func markdown() -> String {
        let given = configuration.parameters.keys.sorted()
        let point = given.isEmpty ? "the initial parameters" : "given values of \(given.joined(separator: ", ")) (others initial)"
        var text = "## Estimator lab: \(model)\n\n"
        text += "Gradients at \(point): T = \(configuration.trials) estimates per assignment, seed \(configuration.seed), "
        text += "K = \(configuration.particles) particle\(configuration.particles == 1 ? "" : "s") unless the table says otherwise; "
        text += "times by the \(configuration.clock == .wall ? "wall clock" : "thread's CPU clock").\n\n"
        text += referenceSentence() + "\n\n"
        text += markdownTable()
        if let curves = markdownCurveTable() {
            let settings = configuration.curves!
            text += "\n### ELBO curves\n\n"
            text += "\(settings.steps) steps from the same seed; the true ELBO from \(settings.evaluationParticles) hard samples (exact where enumerable); "
            text += "training time excludes the evaluations.\n\n"
            text += curves
        }
        if let sweep = markdownSweepTable() {
            text += "\n### Gradient variance against particles\n\nTotal variance over the whole gradient; — where the assignment cannot run with K particles.\n\n"
            text += sweep
        }
        return text
    }

    func referenceSentence() -> String {
        guard let reference else {
            return "No reference gradient: bias and MSE are not measured."
        }
        switch reference.kind {
        case .exact:
            return "Reference: the exact gradient (every discrete site enumerated)."
        case .sampled:
            var sentence = "Reference: the mean of \(reference.samples) estimates of '\(reference.source)' "
            sentence += "(K = \(reference.particles)), largest standard error \(Self.format(reference.largestStandardError))"
            if let reason = reference.exactUnavailableReason, !reason.isEmpty { sentence += "; no exact gradient, as \(reason)" }
            return sentence + "."
        }
    }

    /// Four significant digits; `—` for a missing or NaN value.
    static func format(_ value: Double?, digits: Int = 4) -> String {
        guard let value, !value.isNaN else { return "—" }
        if value.isInfinite { return value > 0 ? "∞" : "−∞" }
        return String(format: "%.\(digits)g", value)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}
