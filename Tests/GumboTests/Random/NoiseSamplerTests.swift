import Foundation
import Testing
@testable import Gumbo

/// ``NoiseSampler`` fills a buffer with the draws the scalar samplers give
/// in a loop (the same generator outputs, ``VectorMath``'s logarithm within
/// 1 ulp of Foundation's) and leaves the generator in the same state.
@Suite("Noise sampler")
struct NoiseSamplerTests {
    /// Fills `count` values with `fill` and draws them with `scalar` from
    /// the same seed; the largest distance in ulps, and whether the
    /// generators end in the same state.
    static func compare(count: Int,
                        _ fill: (UnsafeMutablePointer<Double>, Int, inout Xoshiro256StarStar) -> Void,
                        _ scalar: (inout Xoshiro256StarStar) -> Double) -> (ulps: Double, sameState: Bool) {
        var (a, b) = (Xoshiro256StarStar(seed: 41), Xoshiro256StarStar(seed: 41))
        let buffer = UnsafeMutablePointer<Double>.allocate(capacity: count)
        defer { buffer.deallocate() }
        fill(buffer, count, &a)
        var worst = 0.0
        for j in 0..<count { worst = max(worst, VectorMath.ulps(buffer[j], scalar(&b))) }
        return (worst, a.state == b.state)
    }

    @Test("Gumbel draws: the scalar loop's to 1 ulp, the same generator state", arguments: [0, 3, 4, 4003])
    func gumbel(count: Int) {
        let result = Self.compare(count: count, { NoiseSampler.fillStandardGumbel($0, count: $1, using: &$2) },
                                  { $0.nextStandardGumbel() })
        #expect(result.ulps <= 1)
        #expect(result.sameState)
    }

    @Test("logistic draws: the scalar loop's to 1 ulp, the same generator state", arguments: [0, 3, 4, 4003])
    func logistic(count: Int) {
        let result = Self.compare(count: count, { NoiseSampler.fillStandardLogistic($0, count: $1, using: &$2) },
                                  { $0.nextStandardLogistic() })
        #expect(result.ulps <= 1)
        #expect(result.sameState)
    }
}
