import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import PoisoningUtilities
@testable import PoisoningReport

/// Which attack is the clustered reference a near-clone sweep contrasts with (r25e #4): one that works
/// beyond d 1 and either moves its poisons toward their own class's mean (`toward: source-mean`,
/// Granziol's clustered dirty-label poisons) or has a success's interval above 0.5. A target-mean
/// cluster at d 1000 lies on the target class's data, its label consistent with its place: at a
/// success of +0.025 it is no clustered backdoor. Made-up sweeps as in `CurvatureClaimsTests` (four
/// seeds, success `success[d] + 0.01 s`, so each success interval is its mean ± 3.182446 × 0.0129099 / 2
/// = ± 0.0205; spike and AUROC ± 0.0103).
struct NearCloneReferenceTests {
    /// The near-clone sentence of `results` that starts with `prefix`.
    static func sentence(_ results: StudyResults, _ prefix: String = "Near-clone backdoors,") throws -> String {
        try #require(findingSentences(results).first { $0.hasPrefix(prefix) })
    }

    /// The made-up sweeps' backdoor as a study entry, at near-clone option `nearClone` (the effective
    /// options the study records, its kind first).
    static func entry(_ nearClone: String) -> String {
        "{kind: backdoor, target: 0, trigger: patch, trigger-features: [-3, -2, -1], trigger-quantile: 0.95, clean-label: false, near-clone: \(nearClone)}"
    }

    /// d 0 and 1 toward the target mean beside d 1000 toward the source mean whose success, 0.3 + 0.01 s
    /// (+0.315 [+0.294, +0.336]), is resolved above 0 but not above 0.5: its poisons are Granziol's
    /// clustered dirty-label poisons, so it is the reference, visible by its spike 0.5 and AUROC 0.9,
    /// and the near clones (success 0.8, spike 0, AUROC 0.5) support the claim.
    @Test func aSourceMeanClusterIsAReferenceAtAnySuccessResolvedAboveZero() throws {
        let towardSource = StudyConfig.component("backdoor", ["target": .int(0), "near-clone": .mapping([
            ParameterEntry(key: "distance", value: .double(1000)), ParameterEntry(key: "toward", value: .string("source-mean")),
        ])])
        let success = [0.8, 0.7, 0.3], spike = [0, 0, 0.5], auroc = [0.5, 0.5, 0.9]
        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0, 1], more: [towardSource]) { attack, defense, fraction, seed in
            let shake = 0.005 * (Double(seed) - 1.5)
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: success[attack] + 0.01 * Double(seed), spike: spike[attack] + shake)
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: auroc[attack] + shake)) { $1 } }
            return values
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let regimes = try #require(results.curvatureClaims?.nearClone)
        #expect(regimes.map { $0.points.map(\.attack) } == [[0, 1], [2]])
        let reference = try #require(regimes[1].points.first)
        #expect(CurvatureClaims.isClusteredReference(reference, attack: study.config.attacks[2]))
        #expect(!CurvatureClaims.isClusteredReference(distance: 1000, success: reference.success.interval, towardSourceMean: false),
                "the same success toward the target mean is no reference")
        #expect(regimes[0].reference?.attack == 2 && regimes[0].reference?.visible == true && regimes[0].verdict == .supported)
        #expect(try Self.sentence(results).contains("The clustered reference, d 1000 (toward source mean), is visible (spike above the clean "
            + "model's, an AUROC above 0.5). "))
        #expect(try Self.sentence(results, "Near-clone backdoors (toward source mean)").hasSuffix("A single distance is no near-clone sweep: "
            + "it is the clustered reference the near-clone verdicts contrast with, and at d 1000 (toward source mean) its poisons are visible "
            + "(spike above the clean model's, an AUROC above 0.5)."))
    }

    /// d 1000 toward the target mean at a success of 0.01 + 0.01 s, +0.025 [+0.004, +0.046] (the
    /// success examples/near-clone measures): it works, but it is label-consistent and far from
    /// above 0.5, so it is refused. Without a reference the spike has no margin and decides nothing:
    /// the near clones (success 0.8, AUROC 0.5 ± 0.0103) are neither failed nor seen, so the claim is
    /// not testable, and the report names the attack to add, the sweep's at d 1000 toward the source mean.
    @Test func aTargetMeanClusterAtASuccessOfPointZeroTwoFiveIsRefused() throws {
        let results = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.01], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(!CurvatureClaims.isClusteredReference(regime.points[2], attack: results.config.attacks[2]))
        #expect(regime.reference == nil && regime.verdict == .notTestable)
        #expect(regime.points.allSatisfy { $0.spikeMargin == nil }, "the vanish-margin follows the reference: none without one")
        let sentence = try Self.sentence(results)
        #expect(sentence.contains("No clustered reference is swept (d 1000 is none: it moves its poisons toward the target mean "
            + "(label-consistent, not Granziol's clustered dirty-label poisons) and its success, +0.025 [+0.004, +0.046], is not resolved "
            + "above 0.5): a clustered reference is an attack that works (its success's interval above 0) at a d beyond 1, moving its "
            + "poisons toward their own class's mean (toward: source-mean, Granziol's clustered dirty-label poisons) or with a success's "
            + "interval above 0.5. So these runs show no clustered poisons for near clones to be contrasted with, and the spike has no "
            + "margin (a share of the clustered spike), so it decides nothing; the attack "
            + Self.entry("{distance: 1000, toward: source-mean}") + " added to attacks would give both. "), "\(sentence)")
        #expect(sentence.hasSuffix("The near-clone claim is therefore not tested by these runs: without a clustered reference the spike "
            + "cannot be judged, and at some swept d neither the success nor a detector's AUROC shows the poisons failing or seen."), "\(sentence)")
        #expect(!sentence.contains("The clustered reference"))
        #expect(openingSummary(results).contains("near clones effective yet invisible is not testable (no clustered reference)."),
                "\(openingSummary(results))")

        // A spike resolved above 0 at every d fails no d without a reference; an AUROC resolved away from 0.5 does.
        let spiked = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.01], spike: [0.2, 0.2, 0.5], auroc: [0.5, 0.5, 0.9])
        let spikedRegime = try #require(spiked.curvatureClaims?.nearClone.first)
        #expect(spikedRegime.points.map(\.status) == [.notResolved, .notResolved, .fails] && spikedRegime.verdict == .notTestable)
        let seen = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.01], spike: [0.2, 0.2, 0.5], auroc: [0.3, 0.3, 0.45])
        #expect(seen.curvatureClaims?.nearClone.first?.verdict == .contradicted)
        #expect(try Self.sentence(seen).hasSuffix("These runs contradict the claim all the same, on what needs no clustered reference: at every "
            + "swept d (d 0 to 1000) the success's interval lies below 0.5 or a detector's AUROC is resolved away from 0.5, so no swept d "
            + "keeps the poisons both effective and unseen."))
    }

    /// d 1000 toward the target mean at a success of 0.6 + 0.01 s (+0.615 [+0.594, +0.636]) works as
    /// well as near clones must: it is the reference, and its spike 0.5 sets the margin ± 0.05. At
    /// 0.49 + 0.01 s (+0.505 [+0.484, +0.526]) its interval holds 0.5: refused.
    @Test func aTargetMeanClusterWhoseSuccessLiesAboveOneHalfIsAReference() throws {
        let results = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(CurvatureClaims.isClusteredReference(regime.points[2], attack: results.config.attacks[2]))
        #expect(regime.reference?.attack == 2 && regime.reference?.visible == true && regime.verdict == .supported)
        #expect(regime.points.allSatisfy { abs(($0.spikeMargin ?? 0) - 0.05) < 1e-12 })
        #expect(try Self.sentence(results).contains("The clustered reference, d 1000, is visible (spike above the clean model's, an AUROC above 0.5). "))

        let straddling = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.49], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let straddlingRegime = try #require(straddling.curvatureClaims?.nearClone.first)
        #expect(straddlingRegime.reference == nil && straddlingRegime.verdict == .notTestable)
        #expect(try Self.sentence(straddling).contains("its success, +0.505 [+0.484, +0.526], is not resolved above 0.5"))
    }

    /// A study sweeping d 2 and d 4 alone has no near-clone sweep. Where d 4 works above 0.5 (+0.715
    /// [+0.694, +0.736]) it is a clustered reference with nothing to contrast with, and the report says
    /// the claim is untested and names d 0; where it barely works (+0.115) it is no reference either,
    /// and the report names d 0 and the source-mean reference. Never "the clustered reference the
    /// near-clone verdicts contrast with".
    @Test func nearCloneAttacksWithoutASweepLeaveTheClaimUntestedAndSayWhatWouldTestIt() throws {
        let working = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7], spike: [0.5, 0.5], auroc: [0.9, 0.9], distances: [2, 4])
        let regime = try #require(working.curvatureClaims?.nearClone.first)
        #expect(regime.verdict == nil && regime.reference == nil)
        let sentence = try Self.sentence(working)
        #expect(sentence.hasSuffix("A sweep that does not start within d 1 of clones is no near-clone sweep: it is a clustered reference, but "
            + "no near-clone sweep of this model contrasts with it, and at d 4 its poisons are visible (spike above the clean model's, an AUROC "
            + "above 0.5). Granziol's (2026) near-clone claim is not tested for this model: it needs a near-clone sweep (two distances or more, "
            + "the smallest within d 1 of clones) beside a clustered reference; the attack " + Self.entry("{distance: 0}")
            + " added to attacks would give the sweep."), "\(sentence)")
        #expect(!sentence.contains("verdicts contrast with"))
        #expect(openingSummary(working).contains("the near-clone claim is not tested (no near-clone sweep)"), "\(openingSummary(working))")

        let weak = try CurvatureClaimsTests.nearCloneResults(success: [0.3, 0.1], spike: [0.5, 0.5], auroc: [0.9, 0.9], distances: [2, 4])
        let weakSentence = try Self.sentence(weak)
        #expect(weakSentence.hasSuffix("A sweep that does not start within d 1 of clones is no near-clone sweep, and no clustered reference "
            + "either (it moves its poisons toward the target mean (label-consistent, not Granziol's clustered dirty-label poisons) and its "
            + "success, +0.115 [+0.094, +0.136], is not resolved above 0.5): a clustered reference is an attack that works (its success's "
            + "interval above 0) at a d beyond 1, moving its poisons toward their own class's mean (toward: source-mean, Granziol's clustered "
            + "dirty-label poisons) or with a success's interval above 0.5; at d 4 its poisons are visible (spike above the clean model's, an "
            + "AUROC above 0.5). Granziol's (2026) near-clone claim is not tested for this model: it needs a near-clone sweep (two distances "
            + "or more, the smallest within d 1 of clones) beside a clustered reference; the attacks " + Self.entry("{distance: 0}") + " and "
            + Self.entry("{distance: 1000, toward: source-mean}") + " added to attacks would give both."), "\(weakSentence)")
        #expect(!weakSentence.contains("verdicts contrast with"))
    }
}
