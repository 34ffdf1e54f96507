/// The running moments of T gradient estimates, per parameter.
struct GradientSample {
    /// Parameter names in the order results list them.
    let order: [String]
    private(set) var moments: [String: RunningMoments] = [:]
    /// The time each estimate took.
    private(set) var durations: [Double] = []

    init(order: [String]) {
        self.order = order
    }

    mutating func add(_ gradient: [String: [Double]], seconds: Double) {
        durations.append(seconds)
        for (name, values) in gradient {
            moments[name, default: RunningMoments(dimension: values.count)].add(values)
        }
    }

    /// The parameters estimated, in ``order`` and then by name.
    var names: [String] {
        order.filter { moments[$0] != nil } + moments.keys.filter { !order.contains($0) }.sorted()
    }

    /// The median time per estimate.
    var secondsPerEstimate: Double { LabClock.median(durations) }

    var mean: [String: [Double]] { moments.mapValues(\.mean) }
    var variances: [String: [Double]] { moments.mapValues(\.variance) }
    var totalVariance: Double { moments.values.reduce(0) { $0 + $1.variance.reduce(0, +) } }

    func statistics(reference: GradientReference?) -> [GradientStatistics] {
        names.map { name in
            let moments = self.moments[name]!
            return GradientStatistics(name: name, trials: moments.count, mean: moments.mean, variance: moments.variance,
                                      reference: reference?.gradients[name], referenceStandardError: reference?.standardErrors[name])
        }
    }
}
