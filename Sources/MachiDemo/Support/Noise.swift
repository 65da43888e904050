/// Deterministic pseudo-randomness: a pure function of a seed and integer coordinates (SplitMix64 mixing).
///
/// The simulator never keeps random state, so every model value is a function of (time, seed) and tests can
/// recompute it.
public enum Noise {
    /// A well-mixed 64-bit hash of `seed` and `values`.
    public static func hash(_ seed: UInt64, _ values: Int...) -> UInt64 {
        var state = Self.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        for value in values {
            state = Self.mix(state ^ UInt64(bitPattern: Int64(value)) &+ 0x9E37_79B9_7F4A_7C15)
        }
        return state
    }

    /// A uniform value in `0..<1` determined by `seed` and `values`.
    public static func unit(_ seed: UInt64, _ values: Int...) -> Double {
        var state = Self.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        for value in values {
            state = Self.mix(state ^ UInt64(bitPattern: Int64(value)) &+ 0x9E37_79B9_7F4A_7C15)
        }
        return Double(state >> 11) / Double(1 << 53)
    }

    /// A uniform value in `-1..<1`, smoothly interpolated between integer steps of `x` (value noise).
    public static func smooth(_ seed: UInt64, _ channel: Int, _ x: Double) -> Double {
        let floorX = x.rounded(.down)
        let step = Int(floorX)
        let t = x - floorX
        let eased = t * t * (3 - 2 * t)
        let a = Self.unit(seed, channel, step) * 2 - 1
        let b = Self.unit(seed, channel, step + 1) * 2 - 1
        return a + (b - a) * eased
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
