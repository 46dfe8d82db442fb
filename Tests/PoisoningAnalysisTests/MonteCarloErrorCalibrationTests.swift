import Foundation
import Testing
@testable import PoisoningAnalysis

/// The Monte Carlo error of a ray interval's end against what it claims: the report calls an end
/// undetermined, and a difference's sign undecided, when it lies within two of its errors of the
/// decisive value, which assumes that an end lies within two errors of its infinite-replicate value
/// with probability 95.45% (`twoErrorCoverage`, as a normal estimate within two standard errors).
/// Simulated: on quantities of a known seed-level distribution (means of fixed per-seed values, one
/// smooth, one lumpy: rounded down to steps of 2.5 points, as a statistic that jumps between a few
/// values), the ends of 400 independent bootstrap streams of 1,000 replicates each against a
/// 64,000-replicate reading of the same bootstrap, each end's realised error over its stated error
/// (combined with the reference's, a fifth of it or less). Before the errors were calibrated to the
/// blocks' degrees of freedom (`monteCarloError`: plain standard errors from 8 blocks, whose ratio to
/// the true error is Student's t with 7 degrees of freedom) and a lumpy end's error took the blocks'
/// own ends into account, 5-seed ends lay beyond two errors in 7.5% to 11% of streams and one lumpy
/// end 395 errors away; with both, 3.75% (smooth) and 4.4% (lumpy) with 5 seeds (2,048 refits per
/// stream, antithetic directions), none with 3. The streams draw 2 refits per replicate, as measured (a
/// study of 4 or more seeds draws more, `SeedBootstrap.drawsPerReplicate`, in the same 8 independent
/// blocks, on which the calibration rests).
struct MonteCarloErrorCalibrationTests {
    /// Per-seed values of two quantities (two poison fractions' accuracies, say).
    static let seedValues: [Double] = [0.71, 0.64, 0.69, 0.60, 0.66]

    /// The replicates of the mean of the first `seeds` values, or of that mean rounded down to a step of 0.025.
    static func quantity(_ bootstrap: SeedBootstrap, seeds: Int, lumpy: Bool) -> [Double] {
        bootstrap.replicateMeans(Array(seedValues.prefix(seeds)), resolution: 1e-3).map { lumpy ? ($0 * 40).rounded(.down) / 40 : $0 }
    }

    /// The share of `streams` streams' ends (both ends of each) farther than two stated errors from the reference reading.
    static func shareBeyondTwoErrors(seeds: Int, lumpy: Bool, streams: Int) throws -> Double {
        let high = SeedBootstrap(seedCount: seeds, replicates: 64_000, seed: 1_000_003)
        let reference = try #require(high.design.interval(quantity(high, seeds: seeds, lumpy: lumpy), confidence: 0.95))
        var beyond = 0, ends = 0
        for stream in 0..<streams {
            let bootstrap = SeedBootstrap(seedCount: seeds, replicates: 1000, seed: UInt64(stream), perReplicate: 2)
            let interval = try #require(bootstrap.design.interval(quantity(bootstrap, seeds: seeds, lumpy: lumpy), confidence: 0.95))
            for (end, error, truth, truthError) in [
                (interval.lower, interval.monteCarloError?.lower, reference.lower, reference.monteCarloError?.lower),
                (interval.upper, interval.monteCarloError?.upper, reference.upper, reference.monteCarloError?.upper),
            ] {
                let (end, error, truth) = (try #require(end), try #require(error), try #require(truth))
                let combined = (error * error + (truthError ?? 0) * (truthError ?? 0)).squareRoot()
                #expect(combined > 0)
                if abs(end - truth) > 2 * combined { beyond += 1 }
                ends += 1
            }
        }
        return Double(beyond) / Double(ends)
    }

    /// With 5 seeds the blocks are independent randomizations (Sobol' points with a random digital
    /// shift per block), so the share beyond two errors must be 4.55% within 3 binomial standard
    /// errors of 800 ends (±2.2 points): not above (errors too small) and not far below (too large).
    /// With 3 seeds (the reference study) the blocks interleave one randomly rotated grid of
    /// directions, and their spread overstates the pooled end's error (stream-to-stream spread 0.36
    /// of the stated error on the smooth quantity: `statedErrorAgainstRealSpread`); only the upper
    /// bound applies.
    @Test(arguments: [(5, false), (5, true), (3, false), (3, true)])
    func endsLieWithinTwoErrorsAsOftenAsTheRuleAssumes(seeds: Int, lumpy: Bool) throws {
        let streams = 400
        let expected = 1 - twoErrorCoverage
        let tolerance = 3 * (expected * (1 - expected) / Double(2 * streams)).squareRoot()
        let share = try Self.shareBeyondTwoErrors(seeds: seeds, lumpy: lumpy, streams: streams)
        print("\(seeds) seeds, \(lumpy ? "lumpy" : "smooth"): \(share) of the ends beyond two errors (expected \(expected) ± \(tolerance))")
        #expect(share <= expected + tolerance)
        if seeds > 3 { #expect(share >= expected - tolerance) }
    }

    /// The stated Monte Carlo error of an end over the end's real spread between streams (its
    /// standard deviation over `streams` streams), both ends of the smooth quantity pooled.
    static func errorOverSpread(seeds: Int, streams: Int) throws -> Double {
        var ends: [[Double]] = [[], []], errors = 0.0
        for stream in 0..<streams {
            let bootstrap = SeedBootstrap(seedCount: seeds, replicates: 1000, seed: UInt64(stream), perReplicate: 2)
            let interval = try #require(bootstrap.design.interval(quantity(bootstrap, seeds: seeds, lumpy: false), confidence: 0.95))
            ends[0].append(try #require(interval.lower))
            ends[1].append(try #require(interval.upper))
            errors += try #require(interval.monteCarloError?.lower) + #require(interval.monteCarloError?.upper)
        }
        let spread = ends.map { standardError($0) * Double($0.count).squareRoot() }
        return errors / Double(2 * streams) / ((spread[0] * spread[0] + spread[1] * spread[1]) / 2).squareRoot()
    }

    /// What the stated error is, against the real spread of an end between 200 streams (the smooth
    /// quantity): with 5 seeds the blocks are independent, so the stated error is the standard error
    /// times the calibration factor t_{7, 0.97725} / 2 = 1.23 (`monteCarloError`), measured 1.17;
    /// asserted 1.23 within 3 standard errors of a spread from 200 streams (±15%). With 3 seeds the
    /// blocks interleave one rotated grid, and the stated error is an upper bound: measured 2.7 times
    /// the real spread here, and 1.6 to 20 times on the reference study's ends over 10 streams (some
    /// ends, at the fit's bounds, did not move at all); asserted at least 1.5.
    @Test(arguments: [3, 5])
    func statedErrorAgainstRealSpread(seeds: Int) throws {
        let streams = 200
        let ratio = try Self.errorOverSpread(seeds: seeds, streams: streams)
        print("\(seeds) seeds: stated error / real spread between \(streams) streams = \(ratio)")
        if seeds > 3 {
            let factor = studentTQuantile((1 + twoErrorCoverage) / 2, df: Double(SeedBootstrap.blockCount - 1)) / 2
            #expect(abs(ratio - factor) <= 3 * factor / (2 * Double(streams - 1)).squareRoot(), "\(ratio) against \(factor)")
        } else {
            #expect(ratio >= 1.5)
        }
    }
}
