import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import PoisoningUtilities
@testable import PoisoningReport

/// The rules review r25f asked of the near-clone verdicts and their sentences: a clustered reference
/// is the sweep's own backdoor (its target and trigger), a spike without a margin decides nothing,
/// one seed asks for more seeds, the opening says on what a contradiction without a reference rests,
/// a spike fit whose efficacy does not change says so, and the reports state their scope (d 0 is the
/// plain backdoor; kernel ridge takes no input-gradient penalty). Made-up sweeps as in
/// `CurvatureClaimsTests` (four seeds; success `success[d] + 0.01 s`, interval ± 0.0205; spike and
/// AUROC `value + 0.005 (s - 1.5)`, interval ± 0.0103).
struct NearCloneReferenceRulesTests {
    /// A backdoor toward the source mean at d 1000 with target `target`.
    static func sourceMean(target: Int) -> ParameterValue {
        StudyConfig.component("backdoor", ["target": .int(target), "near-clone": .mapping([
            ParameterEntry(key: "distance", value: .double(1000)), ParameterEntry(key: "toward", value: .string("source-mean")),
        ])])
    }

    /// Near clones at d 0 and 1 (target 0) and the clustered attack `cluster`, with per attack the
    /// success, spike and AUROC of the arrays, over `seeds` seeds.
    static func results(cluster: ParameterValue, success: [Double], spike: [Double], auroc: [Double], seeds: Int = 4) throws -> StudyResults {
        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0, 1], more: [cluster], seeds: seeds) { attack, defense, fraction, seed in
            let shake = 0.005 * (Double(seed) - 1.5)
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: success[attack] + 0.01 * Double(seed), spike: spike[attack] + shake)
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: auroc[attack] + shake)) { $1 } }
            return values
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    /// A source-mean cluster of target 3 (visible: spike 0.5, AUROC 0.9) is another backdoor than the
    /// target-0 sweep's: it is no reference of the sweep, which has none, and its own sentence says no
    /// sweep of the same backdoor contrasts with it. With target 0 it is the reference.
    @Test func aClusteredAttackOfAnotherTargetIsNoReferenceOfTheSweep() throws {
        let other = try Self.results(cluster: Self.sourceMean(target: 3), success: [0.8, 0.7, 0.3], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let regimes = try #require(other.curvatureClaims?.nearClone)
        #expect(regimes.count == 2 && regimes[0].reference == nil && regimes[0].verdict == .notTestable)
        #expect(regimes[0].points.allSatisfy { $0.spikeMargin == nil })
        let clusterSentence = try NearCloneReferenceTests.sentence(other, "Near-clone backdoors (toward source mean)")
        #expect(clusterSentence.contains("it is a clustered reference, but no near-clone sweep of this model of the same backdoor (target, "
            + "trigger and other options) contrasts with it"), "\(clusterSentence)")

        let same = try Self.results(cluster: Self.sourceMean(target: 0), success: [0.8, 0.7, 0.3], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        #expect(same.curvatureClaims?.nearClone.first?.reference?.attack == 2 && same.curvatureClaims?.nearClone.first?.verdict == .supported)
    }

    /// A visible reference (AUROC 0.9) whose spike, 0 ± 0.0103, holds 0 sets no margin; the near
    /// clones' spikes, 0.2 ± 0.0103, resolved above 0, then fail no d (they did, against a margin of
    /// 0): the clones are not resolved, as without any reference, not "spike above the clean model's".
    @Test func aSpikeWithoutAMarginFailsNoDistance() throws {
        let results = try Self.results(cluster: Self.sourceMean(target: 0), success: [0.8, 0.7, 0.3], spike: [0.2, 0.2, 0], auroc: [0.5, 0.5, 0.9])
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(regime.reference?.attack == 2 && regime.points.allSatisfy { $0.spikeMargin == nil })
        #expect(regime.points.map(\.status) == [.notResolved, .notResolved] && regime.points.map(\.visible) == [false, false])
        #expect(regime.verdict == .notResolved)
        let sentence = try NearCloneReferenceTests.sentence(results)
        #expect(!sentence.contains("spike above the clean model's"), "\(sentence)")
        let i = { (lower: Double, upper: Double) in Interval(lower: lower, upper: upper) }
        #expect(CurvatureClaims.spikeBeyondMargin(i(0.1, 0.3), margin: nil) == nil && CurvatureClaims.spikeBeyondMargin(i(-0.3, -0.1), margin: nil) == nil)
        #expect(CurvatureClaims.status(success: i(0.6, 0.8), spike: i(0.1, 0.3), spikeMargin: nil, aurocs: [i(0.49, 0.51)], margin: 0.02) == .notResolved)
        #expect(!CurvatureClaims.isVisible(spike: i(0.1, 0.3), spikeMargin: nil, aurocs: [i(0.49, 0.51)]))
    }

    /// With one seed the source-mean cluster has no interval: it is no reference for want of seeds,
    /// and the sentence asks for more seeds, not for the attack the study already holds.
    @Test func oneSeedAsksForMoreSeedsNotForTheReferenceTheStudyHolds() throws {
        let results = try Self.results(cluster: Self.sourceMean(target: 0), success: [0.8, 0.7, 0.8], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9],
                                       seeds: 1)
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(regime.reference == nil && regime.verdict == .notTestable)
        let sentence = try NearCloneReferenceTests.sentence(results)
        #expect(sentence.contains("No clustered reference is swept (d 1000 (toward source mean) is none: its success, +0.800, has no "
            + "interval (fewer than two seeds)): "), "\(sentence)")
        #expect(sentence.contains("so it decides nothing; more seeds (at least 2), which give d 1000 (toward source mean)'s success an interval, "
            + "would give both. "), "\(sentence)")
        #expect(!sentence.contains("added to attacks"))
    }

    /// A sweep contradicted without a reference is contradicted on its success and AUROC alone, and
    /// the opening says so; a sweep from d 0 states its scope, and a kernel-ridge study that the
    /// input-gradient penalty cannot be paired with it.
    @Test func theOpeningAndTheScopeSayWhatAVerdictRestsOn() throws {
        let seen = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.01], spike: [0.2, 0.2, 0.5], auroc: [0.3, 0.3, 0.45])
        #expect(seen.curvatureClaims?.nearClone.first?.verdict == .contradicted)
        #expect(openingSummary(seen).contains("near clones effective yet invisible is contradicted on success and AUROC alone (no clustered reference)"),
                "\(openingSummary(seen))")
        let sentence = try NearCloneReferenceTests.sentence(seen)
        #expect(sentence.contains(" Scope: at d 0 each poison is a clean row of its source class with the whole trigger stamped, labelled as "
            + "the target, the plain backdoor's poison bit for bit; "), "\(sentence)")
        let penalty = "safety-efficacy trade-off (the input-gradient penalty suppresses poisoning at a cost in fitting capacity) is not tested on kernel ridge"
        #expect(findingSentences(seen).contains { $0.contains(penalty) })
        let network = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.01], spike: [0.2, 0.2, 0.5], auroc: [0.3, 0.3, 0.45],
                                                                model: StudyConfig.mlp(8))
        #expect(!findingSentences(network).contains { $0.contains(penalty) })
        let supported = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        #expect(!openingSummary(supported).contains("alone"))
    }

    /// An attack saturated at both budgets (efficacy 0.9 at 10% and 20% in every seed) leaves no run
    /// out yet gives no seed an exponent: the sentence says the efficacy does not change, not that
    /// the fit selects on the outcome.
    @Test func anEfficacyThatDoesNotChangeGivesNoSlopeAndSaysSo() throws {
        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0, 1], fractions: [0, 0.1, 0.2]) { _, defense, fraction, seed in
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: 0.9, spike: fraction * (1 + 0.1 * Double(seed)))
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        #expect(fit.pointsLeftOut == 0 && fit.pointsUsed == 8 && fit.exponent.count == 0 && fit.verdict == .notResolved)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy, ") })
        #expect(sentence.contains("no run is left out, but in 4 of 4 seeds the efficacy does not change across the swept fractions (an attack "
            + "saturated at every budget, or missing runs), so there is no slope of the spike on it to fit; budgets at which the attack is not "
            + "yet saturated would give one."), "\(sentence)")
        #expect(!sentence.contains("selects on the outcome"))
    }
}
