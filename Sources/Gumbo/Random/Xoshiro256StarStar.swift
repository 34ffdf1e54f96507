/// Xoshiro256** (Blackman & Vigna 2018, "Scrambled linear pseudorandom
/// number generators"): Gumbo's sampling generator.
///
/// 256 bits of state, period 2²⁵⁶ − 1, fast, and equidistributed in 4
/// dimensions. The state is seeded from one `UInt64` through ``SplitMix64``,
/// as the authors recommend, so any seed (including 0) gives a good state.
///
/// Independent streams for particles, trials or threads come from
/// ``stream(_:)``: each stream index is mixed into a fresh SplitMix64 seed,
/// so `Xoshiro256StarStar(seed: s).stream(i)` is a fixed function of `(s, i)`
/// and never depends on how far the parent has advanced.
///
///     var rng = Xoshiro256StarStar(seed: 42)
///     let u = rng.nextOpenUniform()
///     var trial7 = Xoshiro256StarStar(seed: 42).stream(7)
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Hashable, Codable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64
    /// The seed this generator was created from; streams derive from it.
    public let seed: UInt64

    /// Seeds the four state words from SplitMix64 started at `seed`.
    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
        self.seed = seed
    }

    /// Restores a generator from a saved state (for checkpoints).
    /// - Throws: ``RandomStateError`` when all four words are zero, the one
    ///   state the generator cannot leave.
    public init(seed: UInt64, state: [UInt64]) throws {
        guard state.count == 4 else {
            throw RandomStateError.wrongWordCount(state.count)
        }
        guard state.contains(where: { $0 != 0 }) else {
            throw RandomStateError.allZero
        }
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
        self.seed = seed
    }

    /// The four state words, for saving and restoring with
    /// ``init(seed:state:)``.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// An independent generator for stream `index` of this generator's seed.
    ///
    /// The child seed is SplitMix64's output after mixing the parent seed
    /// with the stream index through two rounds, so neighbouring indices give
    /// unrelated states. Stream 0 differs from the parent itself.
    public func stream(_ index: UInt64) -> Xoshiro256StarStar {
        var mixer = SplitMix64(seed: seed ^ 0xD1B5_4A32_D192_ED03)
        _ = mixer.next()
        var childMixer = SplitMix64(seed: mixer.next() &+ index &* 0x9E37_79B9_7F4A_7C15)
        return Xoshiro256StarStar(seed: childMixer.next())
    }
}

@inlinable
func rotateLeft(_ x: UInt64, by k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}

/// A saved generator state that cannot be restored.
public enum RandomStateError: Error, CustomStringConvertible, Equatable {
    case wrongWordCount(Int)
    case allZero

    public var description: String {
        switch self {
        case .wrongWordCount(let count):
            return "random generator state: expected 4 words of state, found \(count); the checkpoint is malformed"
        case .allZero:
            return "random generator state: all four words are zero, which Xoshiro256** cannot leave; the checkpoint is malformed"
        }
    }
}
