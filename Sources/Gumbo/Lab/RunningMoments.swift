/// The mean and sum of squared deviations of a stream of vectors, by
/// Welford's update (stable in one pass, no samples kept).
struct RunningMoments: Sendable {
    private(set) var count = 0
    private(set) var mean: [Double]
    private(set) var sumOfSquaredDeviations: [Double]

    init(dimension: Int) {
        mean = [Double](repeating: 0, count: dimension)
        sumOfSquaredDeviations = mean
    }

    mutating func add(_ x: [Double]) {
        count += 1
        let weight = 1 / Double(count)
        for i in x.indices {
            let delta = x[i] - mean[i]
            mean[i] += delta * weight
            sumOfSquaredDeviations[i] += delta * (x[i] - mean[i])
        }
    }

    /// The unbiased variance of each component (`count − 1` in the denominator).
    var variance: [Double] {
        sumOfSquaredDeviations.map { count > 1 ? $0 / Double(count - 1) : .nan }
    }
}
