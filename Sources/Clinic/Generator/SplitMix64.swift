/// SplitMix64: a tiny, fast, seedable pseudo-random generator (Steele, Lea & Flood 2014). The history generator
/// uses it instead of system randomness so that the same seed always gives the same history.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1): the top 53 bits of `next()`.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
