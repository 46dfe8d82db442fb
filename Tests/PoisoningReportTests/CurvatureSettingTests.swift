import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import PoisoningUtilities
import TestSupport
@testable import PoisoningReport

/// r25e's findings on the curvature claims: a network's verdicts worded outside the paper's setting
/// (kernel ridge with squared error), a flagged fit decided by the direct statistic D, the spike claim
/// for dirty-label backdoors only, the power-iteration stopping rule as coded, near-clone entries told
/// apart by their attack's label, success intervals clipped to [-1, 1]. Studies made up as in
/// `CurvatureClaimsTests`.
struct CurvatureSettingTests {
    static let kernelRidge = StudyConfig.component(KernelRidge.kind)

    /// The same near-clone runs for MLP 8 and for kernel ridge: the verdict is supported in both, but
    /// only kernel ridge (squared error) answers the paper; the MLP's sentence names its loss and says
    /// why a vanishing spike there is outside the paper's setting, and so does the opening.
    @Test func aNetworksVerdictIsOutsideThePapersSetting() throws {
        let network = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9], model: StudyConfig.mlp(8))
        let regime = try #require(network.curvatureClaims?.nearClone.first)
        #expect(regime.verdict == .supported && !regime.paperSetting)
        let sentence = try #require(findingSentences(network).first { $0.hasPrefix("Near-clone backdoors,") })
        #expect(sentence.hasPrefix("Near-clone backdoors, MLP 8 (softmax cross-entropy) at 10.0% poisoned"), "\(sentence)")
        #expect(sentence.hasSuffix("Outside the paper's setting: the claim is derived for kernel ridge with squared error (THEORY.md section 4), "
            + "and MLP 8 is trained with softmax cross-entropy, whose input Hessian H = J_zᵀ(diag p − p pᵀ)J_z falls as p becomes confident "
            + "(a working backdoor makes the triggered rows' p one-hot), so a fall of the spike does not contradict the paper on its own terms, "
            + "and a spike at chance may be confidence, not the paper's vanishing spike; what these runs show: near clones are effective and "
            + "invisible for the swept d from 0 to 1, where the clustered reference shows."), "\(sentence)")
        #expect(!sentence.contains("These runs support"))
        #expect(openingSummary(network).contains("near clones effective yet invisible is outside the paper's setting (softmax cross-entropy; "
            + "the runs' test: supported)."), "\(openingSummary(network))")

        let kernel = try CurvatureClaimsTests.nearCloneResults(success: [0.8, 0.7, 0.6], spike: [0, 0, 0.5], auroc: [0.5, 0.5, 0.9], model: Self.kernelRidge)
        #expect(kernel.curvatureClaims?.nearClone.first?.paperSetting == true)
        let kernelSentence = try #require(findingSentences(kernel).first { $0.hasPrefix("Near-clone backdoors,") })
        #expect(kernelSentence.contains("(squared error) at 10.0% poisoned"), "\(kernelSentence)")
        #expect(kernelSentence.hasSuffix("These runs support the claim for the swept d from 0 to 1; at d 1000 it no longer holds."))
        #expect(openingSummary(kernel).contains("near clones effective yet invisible is supported."))
    }

    /// A spike that falls while the attack works, for MLP 8: the test's outcome (the poisoned model
    /// less curved) is stated after "outside the paper's setting", never as a contradiction of the paper.
    @Test func aNetworksFallingSpikeDoesNotContradictThePaper() throws {
        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0], fractions: [0, 0.1, 0.2], model: StudyConfig.mlp(8)) { _, defense, fraction, seed in
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: 0.5 + 0.01 * Double(seed), spike: -0.2 - 0.01 * Double(seed))
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        #expect(fit.verdict == .contradicted && !fit.paperSetting)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy, MLP 8 (softmax cross-entropy) under") })
        #expect(sentence.contains("while the attack works): outside the paper's setting: the claim is derived for kernel ridge with squared error "
            + "(THEORY.md section 4), and MLP 8 is trained with softmax cross-entropy"), "\(sentence)")
        #expect(sentence.hasSuffix("; what these runs show: the poisoned model is less curved over these rows than its clean model, at 10.0% and "
            + "20.0% the spike's interval lies below 0 while the efficacy's lies above 0."), "\(sentence)")
        #expect(!sentence.contains("contradict it"))
        let opening = openingSummary(results)
        #expect(opening.contains("the spike growing like the efficacy squared is outside the paper's setting in all 2 series (MLP 8: softmax "
            + "cross-entropy; the runs' test: contradicted in 2, the poisoned model less curved in 2)"), "\(opening)")
    }

    /// Efficacies 0.80 → 0.85 → 0.90 (plus 0.01 per seed index) span less than a factor 2 and the
    /// spike (0.1, 0.3, 0.2 times 1 + 0.05 s) resolved rises then resolved falls: both flags, so the
    /// verdict rests on D = log(s₂/s₁) − 2 log(e₂/e₁) between 10% and 40%, computed here per seed from
    /// the made-up values: log(2) − 2 log((0.9 + 0.01 s)/(0.8 + 0.01 s)), all near +0.46, so D's
    /// interval lies above 0: the spike grows faster than the square. A mere sign change of the means
    /// (rise then a fall within the noise) is no "no power law" flag.
    @Test func aFlaggedFitIsDecidedByTheDirectStatistic() throws {
        let spikeSteps = [0.1, 0.3, 0.2]
        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0], fractions: [0, 0.1, 0.2, 0.4], model: Self.kernelRidge) { _, defense, fraction, seed in
            let step = [0.1: 0, 0.2: 1, 0.4: 2][fraction] ?? 0
            let efficacy = [0.8, 0.85, 0.9][step] + 0.01 * Double(seed), spike = spikeSteps[step] * (1 + 0.05 * Double(seed))
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: efficacy, spike: spike)
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let fit = try #require(results.curvatureClaims?.spikeGrowth.first { $0.defense == 0 })
        #expect(fit.isIllConditioned && fit.risesAndFalls && fit.paperSetting)
        let expected: [Double] = (0..<4).map { (s: Int) -> Double in
            let seed = 0.01 * Double(s)
            let efficacyRatio: Double = (0.9 + seed) / (0.8 + seed)
            return log(2.0) - 2 * log(efficacyRatio)
        }
        let direct = try #require(fit.direct)
        #expect(direct.from == 0.1 && direct.to == 0.4 && direct.values.count == 4)
        #expect(abs(direct.values.mean! - expected.reduce(0, +) / 4) < 1e-9)
        #expect((direct.values.interval?.lower ?? 0) > 0 && fit.verdict == .contradicted)
        let sentence = try #require(findingSentences(results).first { $0.hasPrefix("Spike against efficacy,") })
        #expect(sentence.contains("; the verdict therefore rests on the direct test, which divides by nothing: per seed D = log(s₂/s₁) − 2 log(e₂/e₁), "
            + "s the spike and e the efficacy at 10.0% (1) and 40.0% (2), 0 when the spike grows as the square; D = +0.462 ["), "\(sentence)")
        #expect(sentence.hasSuffix("these runs contradict it: the spike grows faster than the square of the efficacy between 10.0% and 40.0% "
            + "(D's interval lies above 0)."), "\(sentence)")
        #expect(openingSummary(results).contains("the spike growing like the efficacy squared is contradicted in "), "\(openingSummary(results))")

        // A rise and a fall within the noise (seed spread larger than the steps): no resolved change, no flag.
        let (noisyStudy, noisyRuns) = try CurvatureClaimsTests.sweep(distances: [0], fractions: [0, 0.1, 0.2, 0.4], model: Self.kernelRidge) { _, defense, fraction, seed in
            let step = [0.1: 0, 0.2: 1, 0.4: 2][fraction] ?? 0
            let spike = [0.2, 0.21, 0.205][step] + 0.05 * Double([0, 3, 1, 2][(seed + step) % 4])
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: [0.1, 0.3, 0.8][step] + 0.01 * Double(seed), spike: spike)
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let noisy = try #require(StudyResults(study: noisyStudy, runs: noisyRuns, toolVersion: "test").curvatureClaims?.spikeGrowth.first)
        #expect(!noisy.risesAndFalls && !noisy.isIllConditioned && !noisy.isFlagged)
        #expect(CurvatureClaims.directStatistics(efficacies: ([0.5, nil, 0.5], [1, 1, 1]), spikes: ([1, 1, -1], [4, 4, 4])).map { $0.map { ($0 * 1e9).rounded() / 1e9 } }
                == [0, nil, nil], "D = log 4 − 2 log 2 = 0; a missing or negative value gives none")
    }

    /// The spike-growth claim is about dirty-label backdoors: a clean-label backdoor beside them gets
    /// no fit, and a sentence says the claim does not apply to it.
    @Test func theSpikeClaimAppliesToDirtyLabelBackdoorsOnly() throws {
        let cleanLabel = StudyConfig.component("backdoor", ["target": .int(0), "clean-label": .bool(true)])
        #expect(!CurvatureClaims.isDirtyLabelBackdoor(cleanLabel) && CurvatureClaims.isDirtyLabelBackdoor(StudyConfig.component("backdoor")))
        #expect(!CurvatureClaims.isDirtyLabelBackdoor(StudyConfig.component("feature-collision")))
        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0], more: [cleanLabel], fractions: [0, 0.1, 0.2]) { attack, defense, fraction, seed in
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: 0.5 + 0.01 * Double(seed), spike: 0.2 + 0.01 * Double(seed))
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: 0.5)) { $1 } }
            return values
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let fits = try #require(results.curvatureClaims?.spikeGrowth)
        #expect(!fits.isEmpty && fits.allSatisfy { results.series[$0.series].attack == 0 })
        let label = try #require(results.series.first { $0.attack == 1 }?.attackLabel)
        #expect(findingSentences(results).contains("Granziol's (2026) claim that the spike grows like the square of the efficacy does not apply to "
            + "\(label): it is derived for clustered dirty-label backdoors (poisons stamped with the trigger and relabelled as the target class), "
            + "so no exponent is fitted for it."), "\(findingSentences(results))")
    }

    /// The stopping rule as coded: kernel ridge's residual bound is 1e-4 · max(|λ|, σ), a network's
    /// 1e-4 · |λ|; and the bound on λ it gives. Up to 64 features kernel ridge's Hessian is in closed form.
    @Test func theMethodStatesTheStoppingRuleAsCoded() {
        let mlp = StudyConfig.mlp(8)
        #expect(ReportModel.curvatureMethod(features: 100, models: [mlp]) == "power iteration with exact Hessian-vector products, until the "
            + "residual r = ‖Hu − λu‖ (H the mean input Hessian, u a unit vector) is at most 0.0001 · |λ|, or after 1000 products; λ then lies within r of an eigenvalue "
            + "of H (|λ − λ_true| ≤ r): the data have 100 features, more than 64")
        #expect(ReportModel.curvatureMethod(features: 100, models: [Self.kernelRidge]) == "power iteration with exact Hessian-vector products, "
            + "until the residual r = ‖Hu − λu‖ (H the mean input Hessian, u a unit vector) is at most 0.0001 · max(|λ|, σ), σ = ‖Hu‖ of a first run (near the spectral "
            + "radius) for kernel ridge's indefinite Hessian, which the second run shifts by σ, or after 1000 products; λ then lies within r "
            + "of an eigenvalue of H (|λ − λ_true| ≤ r): the data have 100 features, more than 64")
        #expect(ReportModel.curvatureMethod(features: 10, models: [Self.kernelRidge])
                == "each mean Hessian built in closed form (kernel ridge's squared error) and decomposed in full: the data have 10 features, at most 64")
        #expect(ReportModel.curvatureMethod(features: 10, models: [mlp]) == "each mean Hessian built exactly, one exact Hessian-vector product "
            + "per input feature, and decomposed in full: the data have 10 features, at most 64")
    }

    /// Two near-clone attacks at d 0 that differ in the trigger's quantile make two entries; their
    /// points and headings are told apart by the attack's label.
    @Test func twoEntriesAtOneDistanceAreNamedByTheirAttacksLabel() throws {
        let quantile = StudyConfig.component("backdoor", ["target": .int(0), "trigger-quantile": .double(0.9),
                                                          "near-clone": .mapping([ParameterEntry(key: "distance", value: .double(0))])])
        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0, 1000], more: [quantile], model: Self.kernelRidge) { attack, defense, fraction, seed in
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: [0.8, 0.1, 0.7][attack] + 0.01 * Double(seed), spike: [0, 0.5, 0][attack])
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: [0.5, 0.9, 0.5][attack])) { $1 } }
            return values
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        #expect(results.curvatureClaims?.nearClone.count == 2)
        let sentences = findingSentences(results).filter { $0.hasPrefix("Near-clone backdoors") }
        #expect(sentences.count == 2)
        #expect(sentences.contains { $0.hasPrefix("Near-clone backdoors (q 0.9), ") && $0.contains("): d 0, q 0.9: success +0.715") }, "\(sentences)")
        #expect(sentences.contains { $0.hasPrefix("Near-clone backdoors, ") && $0.contains("): d 0: success +0.815") }, "\(sentences)")
    }

    /// A success over the clean model lies in [-1, 1]: an interval past 1 is clipped there, and the
    /// sentence says so. Efficacies 0.5, 0.7, 0.9, 1.1 (made up): mean 0.8, interval 0.8 ± 3.182446 ×
    /// 0.258199 / 2 = [0.389, 1.211], shown [+0.389, +1.000].
    @Test func successIntervalsAreClippedToTheirRange() throws {
        let (study, runs) = try CurvatureClaimsTests.sweep(distances: [0, 1000], model: Self.kernelRidge) { attack, defense, fraction, seed in
            var values = CurvatureClaimsTests.curvature(fraction: fraction, efficacy: [0.5 + 0.2 * Double(seed), 0.1][attack], spike: [0, 0.5][attack])
            if defense == 1 { values.merge(CurvatureClaimsTests.detection(fraction: fraction, auroc: [0.5, 0.9][attack])) { $1 } }
            return values
        }
        let sentence = try #require(findingSentences(StudyResults(study: study, runs: runs, toolVersion: "test")).first { $0.hasPrefix("Near-clone backdoors") })
        #expect(sentence.contains("d 0: success +0.800 [+0.389, +1.000]"), "\(sentence)")
        #expect(sentence.contains(" (success intervals clipped to [-1, 1], its range). "), "\(sentence)")
    }
}
