import Foundation

/// NumPy's legacy `numpy.random.RandomState`: the MT19937 Mersenne Twister (Matsumoto & Nishimura,
/// 1998) with NumPy's legacy `random_sample`, `randn` and `permutation`, bit for bit.
///
/// The reference study drew its data set and train/test split with `RandomState(42)`; implementing
/// the same generator lets this project train on exactly the published data. Nothing else uses it.
public struct NumPyRandomState: Sendable {
    private static let stateLength = 624
    private var key = [UInt32](repeating: 0, count: 624)
    private var position = 624
    /// The second deviate of the last polar-method pair, returned by the next `standardNormal()`.
    private var cachedGaussian: Double?

    /// `RandomState(seed)`: the key filled by Knuth's linear congruence (init_genrand).
    public init(seed: UInt32) {
        var value = seed
        for index in 0..<Self.stateLength {
            key[index] = value
            // key[i+1] = 1812433253 * (key[i] ^ (key[i] >> 30)) + i + 1  (mod 2^32)
            value = 1_812_433_253 &* (value ^ (value >> 30)) &+ UInt32(index + 1)
        }
    }

    /// The next 32 tempered output bits of MT19937 (genrand_int32).
    public mutating func nextUInt32() -> UInt32 {
        if position == Self.stateLength { regenerate() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// `random_sample()`: a 53-bit double in [0, 1) from two outputs, (a>>5 * 2^26 + b>>6) / 2^53.
    public mutating func nextDouble() -> Double {
        let high = Double(nextUInt32() >> 5)
        let low = Double(nextUInt32() >> 6)
        return (high * 67_108_864.0 + low) / 9_007_199_254_740_992.0
    }

    /// `standard_normal()` / `randn()`: the Marsaglia polar method. Draw x1, x2 uniform in (-1, 1)
    /// until 0 < r2 = x1² + x2² < 1; f = sqrt(-2 ln r2 / r2); return f*x2 and keep f*x1 for the next call.
    public mutating func standardNormal() -> Double {
        if let cached = cachedGaussian {
            cachedGaussian = nil
            return cached
        }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2.0 * nextDouble() - 1.0
            x2 = 2.0 * nextDouble() - 1.0
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1.0 || r2 == 0.0
        let f = (-2.0 * Foundation.log(r2) / r2).squareRoot()
        cachedGaussian = f * x1
        return f * x2
    }

    /// `permutation(count)`: 0..<count shuffled by NumPy's legacy Fisher-Yates, which walks i from
    /// count-1 down to 1 and swaps with j = random_interval(i), a masked rejection draw in [0, i].
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        var index = count - 1
        while index >= 1 {
            values.swapAt(index, randomInterval(UInt32(index)))
            index -= 1
        }
        return values
    }

    /// `random_interval(max)` for max < 2^32: draw 32 bits masked to the smallest 2^k - 1 >= max
    /// until the value is <= max.
    private mutating func randomInterval(_ max: UInt32) -> Int {
        var mask = max
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        var value: UInt32
        repeat { value = nextUInt32() & mask } while value > max
        return Int(value)
    }

    /// The MT19937 state transition (the "twist") over all 624 words.
    private mutating func regenerate() {
        let n = Self.stateLength, m = 397
        for index in 0..<n {
            let y = (key[index] & 0x8000_0000) | (key[(index + 1) % n] & 0x7FFF_FFFF)
            key[index] = key[(index + m) % n] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_B0DF)
        }
        position = 0
    }
}
