import Foundation

/// Xoshiro256** 1.0 (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021):
/// the project's own generator for every random choice of a run except the data set.
///
/// A run never shares a generator: it derives one stream per purpose ("poison-samples", "init",
/// "shuffle", ...) from its seed with `init(seed:purpose:)`, so its results depend only on its own
/// configuration, never on the order or the number of runs executing at once.
///
/// The generating functions are `@inlinable`: the training loops (PoisoningModels) draw one number
/// per row and epoch, and the call across the module boundary, when it was not inlined, cost about
/// 11 ms of CPU in the default study's training.
public struct Xoshiro256StarStar: Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// A generator with the given raw state (not all zero), as in the reference C code.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        (s0, s1, s2, s3) = state
    }

    /// The stream for `purpose` under `seed`: SplitMix64 seeded with `seed ^ fnv1a64(purpose)`
    /// fills the four state words, as the xoshiro authors recommend.
    public init(seed: UInt64, purpose: String) {
        var mixer = SplitMix64(seed: seed ^ Self.fnv1a64(purpose))
        self.init(state: (mixer.next(), mixer.next(), mixer.next(), mixer.next()))
    }

    /// FNV-1a 64-bit hash of the UTF-8 bytes of `text` (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The next 64 random bits: result = rotl(s1 * 5, 7) * 9, then the xoshiro state transition.
    @inlinable public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniform integer in 0..<bound (bound > 0), unbiased, by Lemire's multiply-and-reject method
    /// ("Fast random integer generation in an interval", 2019).
    @inlinable public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// A uniform Float in [0, 1): the top 24 bits times 2^-24, so every value is exactly representable.
    @inlinable public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Moves `count` elements, chosen uniformly without replacement, to the front of `array` in the
    /// order chosen: the first `count` steps of a Fisher-Yates shuffle (step i swaps position i with
    /// i + nextInt(below: n - i)).
    @inlinable public mutating func choosePrefix<Element>(_ count: Int, of array: inout [Element]) {
        for pick in 0..<count { array.swapAt(pick, pick + nextInt(below: array.count - pick)) }
    }

    /// A uniform Double in [0, 1): the top 53 bits times 2^-53.
    @inlinable public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal deviate by Marsaglia's polar method (pairs of uniforms in the unit disc;
    /// one of the two deviates is used, so a stream's values depend on nothing but its position).
    public mutating func nextStandardNormal() -> Double {
        while true {
            let u = 2 * nextUnitDouble() - 1, v = 2 * nextUnitDouble() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * log(s) / s).squareRoot() }
        }
    }

    @inlinable func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}
