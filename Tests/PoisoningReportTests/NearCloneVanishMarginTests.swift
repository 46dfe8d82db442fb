import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import PoisoningUtilities
@testable import PoisoningReport

/// "The spike vanishes" (Granziol 2026) is relative to the clustered spike: a near-clone spike is
/// judged against ± `vanish-margin` (input-curvature's option, default 0.1) times the clustered
/// reference's mean spike. Made-up sweeps (`CurvatureClaimsTests.nearCloneResults`: d 0, 1, 1000 at
/// 10%, four seeds, each interval ± 3.182446 × 0.005 √(5/3) / 2 = ± 0.0103 about its mean) whose d 1000
/// works above 0.5 (success 0.615 [0.594, 0.636]: a target-mean cluster must, to be a reference) with a spike of 0.5, so the margin is ± 0.05; the success of
/// the near clones lies above 0.5 and their AUROC at 0.5 ± 0.0103, within 0.5 ± 0.02, so the spike decides.
struct NearCloneVanishMarginTests {
    static func regime(_ spike: [Double], success: [Double] = [0.8, 0.7, 0.6], vanishMargin: Double? = nil) throws
        -> (regime: CurvatureClaims.NearCloneRegime, sentence: String) {
        let results = try CurvatureClaimsTests.nearCloneResults(success: success, spike: spike, auroc: [0.5, 0.5, 0.9], vanishMargin: vanishMargin)
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        return (regime, try #require(findingSentences(results).first { $0.hasPrefix("Near-clone backdoors,") }))
    }

    /// Spikes of 0.035 and 0.03 ([0.0247, 0.0453] and [0.0197, 0.0403]) lie within ± 0.05: they have
    /// vanished, though resolved above 0 and beyond the old margin (0.02 × the clean level 1.0).
    @Test func aSpikeWithinTheShareOfTheClusteredSpikeVanishes() throws {
        let (regime, sentence) = try Self.regime([0.035, 0.03, 0.5])
        #expect(regime.points.map(\.status) == [.invisible, .invisible, .fails] && regime.verdict == .supported)
        #expect(regime.points.allSatisfy { abs(($0.spikeMargin ?? 0) - 0.05) < 1e-12 })
        #expect(regime.reference?.attack == 2 && regime.reference?.visible == true && regime.invisibleUpTo == 1)
        #expect(sentence.contains("d 0: success +0.815 [+0.794, +0.836], spike +0.035 [+0.0247, +0.0453] (margin ±0.05), input-curvature 10% "
            + "AUROC 0.500 [0.490, 0.510] (effective and invisible)"), "\(sentence)")
        #expect(sentence.hasSuffix("These runs support the claim for the swept d from 0 to 1; at d 1000 it no longer holds."))
    }

    /// Spikes of 0.08 and 0.09 ([0.0697, 0.0903], [0.0797, 0.1003]) lie beyond + 0.05, and d 1000 shows
    /// (spike 0.5, AUROC 0.9): every swept d fails, the claim is contradicted.
    @Test func aSpikeBeyondTheShareOfTheClusteredSpikeFailsToVanish() throws {
        let (regime, sentence) = try Self.regime([0.08, 0.09, 0.5])
        #expect(regime.points.map(\.status) == [.fails, .fails, .fails] && regime.points.map(\.visible) == [true, true, true])
        #expect(regime.verdict == .contradicted)
        #expect(sentence.contains("spike +0.08 [+0.0697, +0.0903] (margin ±0.05), input-curvature 10% AUROC 0.500 [0.490, 0.510] (spike above "
            + "the clean model's); d 1:"), "\(sentence)")
        #expect(sentence.hasSuffix("These runs contradict the claim: at no swept d (d 0 to 1000) are the poisons both effective and invisible."))
    }

    /// A spike interval holding the margin's end is not resolved, and the design sentence plans from
    /// the observed mean and spread (σ = 0.005 √(5/3) = 0.006455): a mean of 0.045 lies within 0.05, so
    /// the interval must shrink below 0.005 with 90% power per side (two one-sided tests): 20 seeds; a
    /// mean of 0.055 lies beyond, below 0.005 at 80% power: 16, the smallest n with
    /// (t(0.975, n-1) + t(power, n-1)) σ/√n ≤ 0.005 (SciPy `stats.t.ppf`).
    @Test func aSpikeStraddlingTheMarginIsNotResolvedAndThePlanUsesTheObservedSpread() throws {
        let (within, withinSentence) = try Self.regime([0.045, 0, 0.5])
        #expect(within.points.map(\.status) == [.notResolved, .invisible, .fails] && within.verdict == .notResolved)
        #expect(within.points[0].seedsToResolve == 20 && !within.points[0].visible)
        #expect(withinSentence.contains("spike +0.045 [+0.0347, +0.0553] (margin ±0.05), input-curvature 10% AUROC 0.500 [0.490, 0.510] "
            + "(not resolved: the spike's interval holds an end of its margin)"), "\(withinSentence)")
        #expect(withinSentence.hasSuffix("These runs cannot tell at d 0, the smallest swept; it holds at d 1, but not from the smallest swept d; "
            + "were the means and spreads as observed, about 20 seeds would resolve the spike's interval within its margin ±0.05 (mean +0.045)."),
                "\(withinSentence)")

        let (beyond, beyondSentence) = try Self.regime([0.055, 0, 0.5])
        #expect(beyond.points.map(\.status) == [.notResolved, .invisible, .fails] && beyond.points[0].seedsToResolve == 16)
        #expect(beyondSentence.hasSuffix("about 16 seeds would resolve the spike's interval beyond its margin ±0.05 (mean +0.055)."), "\(beyondSentence)")
        #expect(CurvatureClaims.seedsToResolve([0.05, 0.05], center: 0, margin: 0.05, confidence: 0.95, power: 0.8) == nil, "a mean on the end")
    }

    /// A success straddling 0.5 (0.49 to 0.52 over the seeds: 0.505 [0.484, 0.526]) is planned too:
    /// its interval must clear 0.5 by its mean's 0.005, at 80% power, σ = 0.01291: 55 seeds (SciPy).
    @Test func aSuccessStraddlingOneHalfIsPlannedFromItsObservedMean() throws {
        let (regime, sentence) = try Self.regime([0, 0, 0.5], success: [0.49, 0.7, 0.6])
        #expect(regime.points.map(\.status) == [.notResolved, .invisible, .fails] && regime.points[0].seedsToResolve == 55)
        #expect(sentence.hasSuffix("were the means and spreads as observed, about 55 seeds would resolve the success's interval away from "
            + "0.5 (mean +0.505)."), "\(sentence)")
    }

    /// Without a working clustered reference (d 1000's success 0.0 ± 0.0205 is not resolved above 0)
    /// there is no clustered spike: no margin, no near clone shown invisible, and the sentence says what
    /// design would decide.
    @Test func withoutAWorkingReferenceTheSpikeHasNoMargin() throws {
        let (regime, sentence) = try Self.regime([0.035, 0.03, 0.5], success: [0.8, 0.7, -0.015])
        #expect(regime.reference == nil && regime.points.allSatisfy { $0.spikeMargin == nil })
        #expect(regime.points.map(\.status) == [.notResolved, .notResolved, .fails], "without a margin a spike resolved above 0 shows nothing")
        let (flat, flatSentence) = try Self.regime([0, 0, 0.5], success: [0.8, 0.7, -0.015])
        #expect(flat.points.map(\.status) == [.notResolved, .notResolved, .fails] && flat.verdict == .notTestable)
        #expect(flatSentence.contains("No clustered reference is swept (d 1000 is none: its success, 0.000 [-0.021, +0.021], is not resolved above 0)"),
                "\(flatSentence)")
        #expect(flatSentence.hasSuffix("The near-clone claim is therefore not tested by these runs: without a clustered reference the spike "
            + "cannot be judged, and at some swept d neither the success nor a detector's AUROC shows the poisons failing or seen."), "\(flatSentence)")
        // The spikes resolved above 0 fail no d without a reference, and decide no verdict: not testable.
        #expect(regime.verdict == .notTestable && !sentence.contains("spike above the clean model's"))
    }

    /// `vanish-margin: 0.2` doubles the margin to ± 0.1: spikes of 0.08 and 0.07 ([0.0697, 0.0903],
    /// [0.0597, 0.0803]), which fail at the default, now vanish, and the sentence names the share.
    @Test func theVanishMarginOptionSetsTheShare() throws {
        #expect(try Self.regime([0.08, 0.07, 0.5]).regime.verdict == .contradicted)
        let (regime, sentence) = try Self.regime([0.08, 0.07, 0.5], vanishMargin: 0.2)
        #expect(regime.vanishMargin == 0.2 && regime.points.allSatisfy { abs(($0.spikeMargin ?? 0) - 0.1) < 1e-12 })
        #expect(regime.points.map(\.status) == [.invisible, .invisible, .fails] && regime.verdict == .supported)
        #expect(sentence.contains("its margin ± 20.0% of the clustered reference's spike (vanish-margin)"), "\(sentence)")
    }
}
