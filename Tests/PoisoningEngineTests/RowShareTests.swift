import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// The counts a run's shares are of (`RunResult.countProblem`): the smallest denominator of a
/// share computed in doubles, checked against the fraction reduced by Euclid's algorithm in integers.
struct RowShareTests {
    /// The greatest common divisor, by Euclid, in integers: the independent computation.
    func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    @Test func everyShareOfUpTo400RowsNamesItsReducedDenominator() {
        for n in 1...400 {
            for k in 0...n {
                let value = Double(k) / Double(n)
                let reduced = n / gcd(k, n)
                #expect(smallestDenominator(of: value, atMost: n) == reduced, "\(k)/\(n)")
                #expect(smallestDenominator(of: value, atMost: reduced - 1) == nil || reduced == 1, "\(k)/\(n)")
                #expect(isShare(value, of: n) && isShare(value, of: 2 * n), "\(k)/\(n)")
            }
        }
    }

    @Test func sharesOfLargeCountsUpToTheBoundAreFound() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<2_000 {
            let n = Int(random.next() % UInt64(maximumCheckedRowCount)) + 1, k = Int(random.next() % UInt64(n + 1))
            let value = Double(k) / Double(n)
            #expect(smallestDenominator(of: value, atMost: maximumCheckedRowCount) == n / gcd(k, n), "\(k)/\(n)")
            #expect(isShare(value, of: n), "\(k)/\(n)")
        }
    }

    @Test func valuesThatAreNoShareAreRefused() {
        // One unit in the last place off a share, a decimal typed by hand, and values out of [0, 1].
        #expect(smallestDenominator(of: (2.0 / 3).nextUp, atMost: 1_000_000) == nil)
        #expect(smallestDenominator(of: 0.95, atMost: 19) == nil && smallestDenominator(of: 0.95, atMost: 20) == 20)
        #expect(!isShare(0.95, of: 150) && isShare(0.96, of: 150))
        #expect(smallestDenominator(of: 1e-9, atMost: 1_000) == nil)
        #expect(smallestDenominator(of: -0.5, atMost: 10) == nil && smallestDenominator(of: 1.5, atMost: 10) == nil)
        #expect(smallestDenominator(of: .nan, atMost: 10) == nil)
        #expect(commonDenominator([0.9, 1.0 / 3], atMost: 30) == 30 && commonDenominator([0.9, 1.0 / 7], atMost: 30)! > 30)
        #expect(commonDenominator([], atMost: 30) == nil && commonDenominator([0.123], atMost: 30) == 0)
    }
}
