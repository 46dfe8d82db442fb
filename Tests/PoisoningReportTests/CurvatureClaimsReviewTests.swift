import Foundation
import Testing
import PoisoningAnalysis
import PoisoningDefenses
import PoisoningEngine
import PoisoningUtilities
import TestSupport
@testable import PoisoningReport

/// The curvature claims where a study's design or its runs leave them at an edge: a spike resolved
/// beyond its margin below 0, a reference that does not work, an undefended series of λ 0, a study that
/// cannot answer a claim, the opening's verdicts, intervals clipped to their range, fits that rest on
/// a short or non-monotone range of efficacies. The studies are made up as in `CurvatureClaimsTests`.
struct CurvatureClaimsReviewTests {
    /// Distances 0, 1 and 1000: a poisoned model less curved than its clean model by 0.2 (margin
    /// 0.1 × the clustered spike 0.5) is visible, as an AUROC resolved below 0.5 is; so every swept d fails.
    /// A spike of -0.015 (interval [-0.0253, -0.0047]) is resolved below 0 but within the margin ± 0.05:
    /// it has vanished relative to the clustered spike (r25d #3: the margin is a share of that spike).
    @Test func aSpikeResolvedBelowItsMarginIsVisible() throws {
        let results = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [-0.2, -0.2, 0.5], auroc: [0.5, 0.5, 0.9])
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(regime.points.map(\.status) == [.fails, .fails, .fails] && regime.points.map(\.visible) == [true, true, true])
        #expect(regime.verdict == .contradicted)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Near-clone backdoors,") })
        #expect(sentence.contains("input-curvature 10% AUROC 0.500 [0.490, 0.510] (spike below the clean model's: the poisoned model is less curved); d 1:"),
                "\(sentence)")

        let small = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [-0.015, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let smallRegime = try #require(small.curvatureClaims?.nearClone.first)
        #expect(smallRegime.points.map(\.status) == [.invisible, .invisible, .fails] && smallRegime.verdict == .supported)
        #expect(smallRegime.points[0].seedsToResolve == nil)
    }

    /// A d-1000 attack whose success is not resolved above 0 (0.015 [-0.006, +0.036]) is no contrast:
    /// its poisons show, but it does not work. A lone `toward: source-mean` entry at d 0 is no clustered
    /// reference either, and the report says why rather than calling it one.
    @Test func aClusteredReferenceMustWorkBeyondTheNearCloneReach() throws {
        let results = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        #expect(regime.points.map(\.status) == [.notResolved, .notResolved, .fails] && regime.points[2].visible)
        #expect(regime.points.allSatisfy { $0.spikeMargin == nil }, "no reference, no clustered spike to set the spike's margin")
        #expect(regime.reference == nil && regime.verdict == .notTestable, "no reference: the near-clone claim is not testable")
        #expect(!CurvatureClaims.isClusteredReference(regime.points[2], attack: results.config.attacks[2])
            && !CurvatureClaims.isClusteredReference(regime.points[1], attack: results.config.attacks[1]))
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Near-clone backdoors,") })
        let noReference: String = "No clustered reference is swept (d 1000 is none: its success, +0.015 [-0.006, +0.036], is not resolved "
            + "above 0): a clustered reference is an attack that works (its success's interval above 0) at a d beyond 1, moving its poisons "
            + "toward their own class's mean (toward: source-mean, Granziol's clustered dirty-label poisons) or with a success's interval "
            + "above 0.5. So these runs show no clustered poisons for near clones to be contrasted with, and the spike has no margin (a share "
            + "of the clustered spike), so it decides nothing; the attack {kind: backdoor, target: 0, trigger: patch, trigger-features: [-3, -2, -1], "
            + "trigger-quantile: 0.95, clean-label: false, near-clone: {distance: 1000, toward: source-mean}} added to attacks would give both. "
        #expect(sentence.contains(noReference), "\(sentence)")
        #expect(sentence.hasSuffix("The near-clone claim is therefore not tested by these runs: without a clustered reference the spike "
            + "cannot be judged, and at some swept d neither the success nor a detector's AUROC shows the poisons failing or seen."), "\(sentence)")

        let towardSource = StudyConfig.component("backdoor", ["target": .int(0), "near-clone": .mapping([
            ParameterEntry(key: "distance", value: .double(0)), ParameterEntry(key: "toward", value: .string("source-mean")),
        ])])
        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0, 1], more: [towardSource]) { attack, defense, fraction, seed in
            let shake = 0.005 * (Double(seed) - 1.5)
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: 0.8 + 0.01 * Double(seed), spike: [0, 0, 0.5][attack] + shake)
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: [0.5, 0.5, 0.9][attack] + shake)) { $1 } }
            return values
        }
        let lone = StudyResults(study: study, runs: runs, toolVersion: "test")
        let regimes = try #require(lone.curvatureClaims?.nearClone)
        #expect(regimes.map(\.verdict) == [.notTestable, nil] && regimes[0].reference == nil)
        let loneSentence = try #require(findingSentences(lone).first { $0.hasPrefix("Near-clone backdoors (toward source mean)") })
        let loneEnd: String = "A single distance is no near-clone sweep, and no clustered reference either (its d is within 1 of "
            + "clones): a clustered reference is an attack that works (its success's interval above 0) at a d beyond 1, moving its poisons "
            + "toward their own class's mean (toward: source-mean, Granziol's clustered dirty-label poisons) or with a success's interval "
            + "above 0.5; at d 0 (toward source mean) its poisons are visible (spike above the clean model's, an AUROC above 0.5)."
        #expect(loneSentence.hasSuffix(loneEnd), "\(loneSentence)")
        #expect(!loneSentence.contains("it is the clustered reference"))
    }

    /// An input-gradient penalty of λ 0 trains as no defense: its series is the undefended one.
    /// Without the curvature measured, or without a defense that scores rows, the near-clone claim is
    /// not tested and the report says what would test it; with one positive fraction, so is the spike's growth.
    @Test func aStudyThatCannotAnswerAClaimSaysWhatWould() throws {
        let penalty = StudyConfig.component(InputGradientPenaltyDefense.kind, ["lambda": .double(0)])
        #expect(CurvatureClaims.trainsAsUndefended(penalty) && CurvatureClaims.trainsAsUndefended(StudyConfig.component(NoDefense.kind)))
        #expect(!CurvatureClaims.trainsAsUndefended(StudyConfig.component(InputGradientPenaltyDefense.kind, ["lambda": .int(1)])))
        let metrics = { (attack: Int, defense: Int, fraction: Double, seed: Int) -> [String: Double] in
            let shake = 0.005 * (Double(seed) - 1.5)
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: [0.8, 0.6][attack] + 0.01 * Double(seed), spike: [0, 0.5][attack] + shake)
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: [0.5, 0.9][attack] + shake)) { $1 } }
            return values
        }
        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0, 1000], undefended: penalty, metrics: metrics)
        let penalised = StudyResults(study: study, runs: runs, toolVersion: "test")
        #expect(penalised.curvatureClaims?.nearClone.first?.verdict == .supported)
        let sentences = findingSentences(penalised)
        #expect(sentences.contains("Granziol's (2026) claim that the spike grows like the square of the efficacy is not tested: an exponent "
            + "needs the spike at two positive poison fractions or more, and the study sweeps one (10.0%); fractions such as [0, 0.05, 0.1, 0.2] would give it."))
        #expect(!sentences.contains { $0.contains("near-clone claim is not tested") })

        let (unmeasuredStudy, unmeasuredRuns) = try CurvatureClaimsTests.sweep(distances: [0, 1000], measure: [], metrics: metrics)
        let unmeasured = StudyResults(study: unmeasuredStudy, runs: unmeasuredRuns, toolVersion: "test")
        #expect(unmeasured.curvatureClaims == nil)
        #expect(findingSentences(unmeasured).contains("Granziol's (2026) curvature claims are not tested: the study sweeps near-clone backdoors "
            + "but does not measure the input curvature, so there is no spike; measure: [input-curvature] in the study file (with a defense "
            + "that scores rows, such as input-curvature or spectral-signature, and fraction 0 for the clean models) would answer them."))
        #expect(openingSummary(unmeasured).contains("Granziol's (2026) curvature claims: the near-clone claim is not tested."))

        let (blindStudy, blindRuns) = try CurvatureClaimsTests.sweep(distances: [0, 1000]) { attack, _, fraction, seed in
            metrics(attack, 0, fraction, seed)
        }
        let blind = StudyResults(study: blindStudy, runs: blindRuns, toolVersion: "test")
        #expect((blind.curvatureClaims?.nearClone ?? []).isEmpty)
        #expect(findingSentences(blind).contains("Granziol's (2026) near-clone claim is not tested: the near-clone sweep needs a defense that "
            + "scores rows (input-curvature, spectral-signature or activation-clustering) for the AUROC."))
    }

    /// The opening states the curvature verdicts, within its 120 words: one spike fit per series
    /// counted by verdict (the poisoned model less curved named), the near-clone sweep's verdict.
    @Test func theOpeningStatesTheCurvatureVerdicts() throws {
        let supported = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9])
        let opening = openingSummary(supported)
        #expect(opening.contains("Granziol's (2026) curvature claims: the spike's growth is not tested (one poisoned fraction); near clones "
            + "effective yet invisible is supported."), "\(opening)")
        #expect(wordCount(opening) <= 120, "\(wordCount(opening)) words: \(opening)")

        let contradicted = try CurvatureClaimsTests.nearCloneResults(success: [0.3, 0.2, 0.1], spike: [0.2, 0.3, 0.5], auroc: [0.3, 0.5, 0.9])
        #expect(openingSummary(contradicted).contains("near clones effective yet invisible is contradicted on success and AUROC alone (no clustered reference)."))

        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0, 1], fractions: [0, 0.1, 0.2]) { attack, defense, fraction, seed in
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: 0.5 + 0.1 * Double(attack) + 0.01 * Double(seed),
                                                        spike: -0.2 - 0.01 * Double(seed))
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let lessCurved = StudyResults(study: study, runs: runs, toolVersion: "test")
        #expect(lessCurved.curvatureClaims?.spikeGrowth.count == 4)
        let lessCurvedOpening = openingSummary(lessCurved)
        #expect(lessCurvedOpening.contains("Granziol's (2026) curvature claims: the spike growing like the efficacy squared is contradicted in "
            + "4 of 4 series (the poisoned model less curved in 4)"), "\(lessCurvedOpening)")
        #expect(wordCount(lessCurvedOpening) <= 120, "\(wordCount(lessCurvedOpening)) words: \(lessCurvedOpening)")
    }

    /// An AUROC lies in [0, 1] and a network's top eigenvalue at 0 or above (its input Hessian is
    /// positive semi-definite): intervals that pass those ends are clipped to them, kernel ridge's
    /// eigenvalues (indefinite) and the changes are not. AUROC 0.98 with spread 0.05 over four seeds:
    /// 0.98 ± 3.182446 × 0.05 √(5/3) / 2 = [0.877, 1.083], shown [0.877, 1.000]; clean eigenvalues 0,
    /// 0, 0, 0.4: 0.1 ± 3.182446 × 0.2 / 2 = [-0.218, 0.418], shown [0, 0.418].
    @Test func intervalsAreClippedToTheirQuantitysRange() throws {
        let results = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.98], spread: 0.05)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Near-clone backdoors,") })
        #expect(sentence.contains("input-curvature 10% AUROC 0.980 [0.877, 1.000]"), "\(sentence)")

        let (study, made) = try CurvatureClaimsTests.sweep(distances: [0], model: StudyConfig.mlp(8)) { _, defense, fraction, seed in
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: 0.5, spike: 0.1)
            values[MetricKey.inputCurvatureTopClean] = seed == 3 ? 0.4 : 0
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let rows = ReportModel(StudyResults(study: study, runs: made, toolVersion: "test"), command: "make-report", figures: []).curvatureRows
        #expect(!rows.isEmpty && rows.allSatisfy { $0.clean == "0.1 [0, 0.418]" }, "\(rows.map(\.clean))")
        #expect(ReportModel.hasPositiveSemiDefiniteInputHessian(kind: .string("mlp")) && ReportModel.hasPositiveSemiDefiniteInputHessian(kind: .string("logistic")))
        #expect(!ReportModel.hasPositiveSemiDefiniteInputHessian(kind: .string("kernel-ridge")))
    }

    /// A fit over efficacies 0.80 to 0.90 (a factor 1.12) is ill-conditioned, and a spike that rises
    /// from 10% to 20% and falls by 40% fits no power law: the sentence shows the efficacies per
    /// fraction and says both.
    @Test func aFitOverAShortOrNonMonotoneRangeIsFlagged() throws {
        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0], fractions: [0, 0.1, 0.2, 0.4]) { _, defense, fraction, seed in
            let step = [0.1: 0, 0.2: 1, 0.4: 2][fraction] ?? 0
            let efficacy = [0.8, 0.85, 0.9][step] + 0.01 * Double(seed), spike = [0.1, 0.3, 0.2][step] * (1 + 0.05 * Double(seed))
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: efficacy, spike: spike)
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        let flags = spikeFitFlags(fit)
        #expect(flags == ["ill-conditioned: the mean efficacies span only 0.815 to 0.915 (a factor 1.12), so small errors in the efficacy "
                            + "move the slope much",
                          "no power law fits: the spike resolved rises and falls between successive fractions (its change's interval, "
                            + "paired by seed, lies above 0 at one step and below 0 at another; highest at 20.0%), so the exponent only "
                            + "averages the trend"], "\(flags)")
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy, ") })
        #expect(sentence.contains("per fraction, means over seeds with their 95% intervals: 10.0%: efficacy +0.815 ["), "\(sentence)")
        #expect(sentence.contains("(mean over 4 seeds with its 95% Student-t interval); ill-conditioned: the mean efficacies span only"))
        #expect(sentence.contains("so the exponent only averages the trend; the verdict therefore rests on the direct test"), "\(sentence)")
    }

    /// Cosmetic: a study key in a sentence without Markdown backticks (the report escapes them), and
    /// the random-direction baseline of the alignment as a value at the data's feature count:
    /// Γ(d/2) / (√π Γ((d+1)/2)) is 1 at d = 1, 2/π at d = 2 and 24 / (√π Γ(5.5)) = 0.2586899 at d = 10.
    @Test func studyKeysAreNotEscapedAndTheAlignmentsBaselineHasAValue() throws {
        let results = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9], spread: 0.1)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Near-clone backdoors,") })
        #expect(sentence.contains("were the means and spreads as observed, more than 200 seeds would be needed to resolve the spike's "
            + "interval within its margin ±0.05 (mean "), "\(sentence)")
        #expect(sentence.hasSuffix(") and an AUROC's within 0.5 ± 0.020 (mean 0.500), or a wider margin (vanish-margin of input-curvature "
            + "in measure, the effect in planning for the AUROC)."), "\(sentence)")
        #expect(!sentence.contains("`"))
        #expect(abs(randomDirectionAlignment(features: 1) - 1) < 1e-12 && abs(randomDirectionAlignment(features: 2) - 2 / Double.pi) < 1e-12)
        #expect(abs(randomDirectionAlignment(features: 10) - 0.2586899) < 1e-6)
        let alignment = try #require(results.measuredMetrics?.first { $0.key == MetricKey.inputCurvatureTriggerAlignment })
        let features = results.data.featureCount
        #expect(metricMeaning(alignment, results).hasSuffix("; at the data's \(features) features a random direction gives "
            + fixed(randomDirectionAlignment(features: features), decimals: 3)))
    }
}
