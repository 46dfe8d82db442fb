import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// The report's answer to "does the input-gradient penalty's λ trade success against capacity?"
/// follows the numbers: on made-up sweeps whose means and Student-t intervals are worked out by hand
/// below (t quantile t(0.975, 2) = 4.302653, SciPy `stats.t.ppf(0.975, 2)`; a spread of 0 is raised
/// to one row, 1/150 of the test rows and 1/350 of the training rows), it says "trades" only when both
/// changes are resolved downward, and "cannot tell" when the success's interval holds 0.
struct PenaltyTradeOffSentenceTests {
    /// The accuracies of `aResolvedFallOfSuccessAndCapacityIsATradeOff`'s sweep (test, training rows'
    /// true labels) by defense, fraction and seed: the first λ loses 0.10 to 0.12 and fits 0.98, every
    /// later one loses 0.02 to 0 and fits 0.90 to 0.92.
    static func resolvedTradeOff(_ defense: Int, _ fraction: Double, _ seed: Int) -> (test: Double, trainClean: Double) {
        let spread = [0.0, 0.01, 0.02][seed]
        if defense == 0 { return fraction == 0 ? (0.90 + spread, 0.98) : (fraction == 0.1 ? 0.80 : 0.70, 0.9) }
        return fraction == 0 ? (0.85, 0.90 + spread) : (fraction == 0.1 ? 0.83 + spread : 0.80, 0.9)
    }

    /// λ 0 and 1 as `resolvedTradeOff`, and λ 10 with every run diverged.
    static func sweepWithADivergedLambda() throws -> (study: Study, runs: [RunResult]) {
        let (study, made) = try penaltySweep(lambdas: [0, 1, 10], accuracies: resolvedTradeOff)
        let runs = made.map { run in
            study.series[run.series].defense < 2 ? run
                : RunResult(fraction: run.fraction, series: run.series, seed: run.seed, poisonedCount: run.poisonedCount,
                            realisedFraction: run.realisedFraction, metrics: nil, divergence: "training loss became non-finite at epoch 2")
        }
        return (study, runs)
    }

    /// λ 0 loses 0.10, 0.11, 0.12 of its test accuracy (0.90, 0.91, 0.92 clean, 0.80 at 10%) and fits
    /// 0.98 of its training rows; λ 1 loses 0.02, 0.01, 0 (0.85 clean) and fits 0.90, 0.91, 0.92. Per
    /// seed the success falls by 0.08, 0.10, 0.12 (mean -0.100, s 0.02: ± 4.302653 × 0.02/√3 = 0.0497),
    /// the capacity by 0.08, 0.07, 0.06 (-0.070 ± 0.0248), the clean accuracy by 0.05, 0.06, 0.07.
    @Test func aResolvedFallOfSuccessAndCapacityIsATradeOff() throws {
        let (study, runs) = try penaltySweep(lambdas: [0, 1], accuracies: Self.resolvedTradeOff)
        let sentences = findingSentences(StudyResults(study: study, runs: runs, toolVersion: "test"))
        let expected = [
            "Input-gradient penalty, MLP 16 under random label flip, per λ (means over seeds with their 95% ",
            "intervals): success is the test accuracy lost at 10.0% poisoned (the clean model's test accuracy minus the poisoned ",
            "model's, of the same series and seed); clean accuracy the clean model's test accuracy; capacity its accuracy on the ",
            "true labels of its training rows. λ 0: success +0.110 [+0.085, +0.135], clean accuracy 0.910 [0.885, 0.935], ",
            "capacity 0.980 [0.973, 0.987]; λ 1: success +0.010 [-0.015, +0.035], clean accuracy 0.850 [0.833, 0.867], ",
            "capacity 0.910 [0.885, 0.935]. From λ 0 to λ 1 (paired by seed) the success changes by -0.100 [-0.150, -0.050], ",
            "the clean accuracy by -0.060 [-0.085, -0.035] and the capacity by -0.070 [-0.095, -0.045], so λ trades success ",
            "against capacity: the penalty lowers the attack's success at a cost in what the model fits. Granziol (2026) claims ",
            "that the penalty suppresses poisoning at a cost in capacity: these runs support it.",
        ].joined()
        #expect(sentences.last == expected)
    }

    /// The capacity falls as above, but the success's per-seed changes are +0.02, -0.01, 0 (mean
    /// 0.0033, s = √(0.0007/3) = 0.0153, ± 0.0379): the runs cannot tell, and the sentence says how many
    /// seeds would resolve a change of the planning effect (0.02 with 80% power, by `seedsNeeded`).
    @Test func aSuccessChangeWhoseIntervalHoldsZeroCannotTell() throws {
        let (study, runs) = try penaltySweep(lambdas: [0.5, 2]) { defense, fraction, seed in
            let spread = [0.0, 0.01, 0.02][seed]
            if defense == 0 { return fraction == 0 ? (0.90 + spread, 0.98) : (fraction == 0.1 ? 0.80 : 0.70, 0.9) }
            return fraction == 0 ? (0.90 + spread, 0.90 + spread) : (fraction == 0.1 ? [0.78, 0.81, 0.80][seed] : 0.70, 0.9)
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let changes = try #require(PenaltyTradeOff(results)?.curves.first?.changes)
        #expect(changes.success.direction == .undecided && changes.capacity.direction == .lower)
        #expect(changes.success.seedsToResolve == seedsNeeded(effect: 0.02, sigma: (0.0007 / 3).squareRoot(), confidence: 0.95, power: 0.8,
                                                            limit: 200))
        let sentence = try #require(findingSentences(results).last)
        #expect(sentence.hasPrefix("Input-gradient penalty, MLP 16 under random label flip, per λ"))
        #expect(sentence.contains("From λ 0.5 to λ 2 (paired by seed) the success changes by +0.003 [-0.035, +0.041]"))
        let suffix = "so whether λ trades success against capacity the runs cannot tell: whether it lowers the success "
            + "is not resolved (its 95% interval holds 0; about \(changes.success.seedsToResolve!) seeds would resolve a change of 0.020 with 80.0% power). "
            + "Granziol (2026) claims that the penalty suppresses poisoning at a cost in capacity: these runs cannot tell."
        #expect(sentence.hasSuffix(suffix))
        #expect(changes.claim == .notResolved, "the success's lower end -0.035 lies below -0.020: a fall larger than the margin is not ruled out")
    }

    /// A λ whose every run diverged (a penalty too strong for the learning rate) is named as such and
    /// left out: the change runs from the smallest λ to the largest with finished runs, here the
    /// resolved trade-off of the first test between λ 0 and λ 1, λ 10 beyond them.
    @Test func aLambdaWhoseRunsAllDivergedIsNamedAndLeftOutOfTheChange() throws {
        let (study, runs) = try Self.sweepWithADivergedLambda()
        let sentence = try #require(findingSentences(StudyResults(study: study, runs: runs, toolVersion: "test")).last)
        #expect(sentence.contains("capacity 0.910 [0.885, 0.935]; λ 10: every run diverged or is missing. From λ 0 to λ 1 (paired by "
            + "seed) the success changes by -0.100 [-0.150, -0.050]"))
        #expect(sentence.hasSuffix("so λ trades success against capacity: the penalty lowers the attack's success at a cost in what the model fits. "
            + "Granziol (2026) claims that the penalty suppresses poisoning at a cost in capacity: these runs support it."))
    }

    /// The claim is contradicted only where the runs resolve it false. The capacity falls by 0.08, 0.09,
    /// 0.10 (-0.090 ± 4.302653 × 0.01/√3 = 0.0248) while the success does not change in any seed (its
    /// spread raised to one test row: 0 ± 4.302653 × (1/150)/√3 = 0.0166, [-0.017, +0.017]): the
    /// success's interval lies above -0.020, the planning effect, so an equivalence test rules out a
    /// fall larger than that: contradicted, in one consistent sentence. Not resolved: the same capacity
    /// cost beside success changes of +0.01, -0.01, 0 ([-0.025, +0.025]: a fall of 0.025 is not ruled
    /// out), and an unchanged success beside capacity changes of -0.01, 0, +0.01 (no cost resolved).
    @Test func aCapacityCostWithoutAFallOfSuccessBeyondTheMarginContradictsTheClaim() throws {
        let flat = [0.90, 0.90, 0.90], spread = [0.89, 0.91, 0.90]
        for (capacityFall, successes, claim) in [([0.08, 0.09, 0.10], flat, ClaimVerdict.contradicted), ([0.08, 0.09, 0.10], spread, .notResolved),
                                                 ([0.01, 0, -0.01], flat, .notResolved)] {
            let (study, runs) = try penaltySweep(lambdas: [0, 20]) { defense, fraction, seed in
                if defense == 0 { return fraction == 0 ? (0.90, 0.98) : (0.80, 0.9) }
                return fraction == 0 ? (0.90, 0.98 - capacityFall[seed]) : (fraction == 0.1 ? successes[seed] - 0.10 : 0.80, 0.9)
            }
            let results = StudyResults(study: study, runs: runs, toolVersion: "test")
            let changes = try #require(results.penaltyTradeOff?.curves.first?.changes)
            #expect(changes.verdict == .successNotResolved && changes.claim == claim)
            #expect(changes.capacity.direction == (capacityFall[0] > 0.05 ? .lower : .undecided))
            let sentence = try #require(findingSentences(results).last)
            let claimText = "Granziol (2026) claims that the penalty suppresses poisoning at a cost in capacity: "
            switch claim {
            case .contradicted:
                #expect(sentence.hasSuffix("the success changes by 0.000 [-0.017, +0.017], the clean accuracy by 0.000 [-0.017, +0.017] "
                    + "and the capacity by -0.090 [-0.115, -0.065], so λ costs capacity without lowering the success by more than 0.020, the "
                    + "study's planning effect: the success's 95% interval lies above -0.020 (two one-sided tests, each at the 2.5% level), "
                    + "though it holds 0. " + claimText + "these runs contradict it."), "\(sentence)")
            default:
                #expect(sentence.contains("so whether λ trades success against capacity the runs cannot tell: whether it lowers the success is not resolved"))
                #expect(sentence.hasSuffix(claimText + "these runs cannot tell."))
            }
            #expect(!sentence.contains("cannot tell") || !sentence.contains("contradict"), "one consistent sentence")
        }
    }

    /// An attack with nothing to suppress leaves the claim untested: at λ 0 the flips cost 0.01 of the
    /// test accuracy in every seed (0.91 clean, 0.90 at 10%; the spread raised to one test row: 0.010 ±
    /// 4.302653 × (1/150)/√3 = 0.0166, [-0.007, +0.027], whose lower end does not exceed the planning
    /// effect 0.020), the same at λ 20 while the capacity falls by 0.08, 0.09, 0.10. Before, the
    /// equivalence test called this "contradicted"; now it is "not testable", in the opening too. With a
    /// cost of 0.03 at λ 0 ([+0.013, +0.047]: its lower end below 0.020 still) it stays not testable;
    /// with 0.05 ([+0.033, +0.067]) it is testable and contradicted as before.
    @Test func anAttackWhoseSuccessAtTheSmallestLambdaIsWithinTheMarginLeavesTheClaimUntested() throws {
        for (loss, claim) in [(0.01, ClaimVerdict.notTestable), (0.03, .notTestable), (0.05, .contradicted)] {
            let (study, runs) = try penaltySweep(lambdas: [0, 20]) { defense, fraction, seed in
                if defense == 0 { return fraction == 0 ? (0.91, 0.98) : (0.91 - loss, 0.9) }
                return fraction == 0 ? (0.91, 0.98 - [0.08, 0.09, 0.10][seed]) : (0.91 - loss, 0.9)
            }
            let results = StudyResults(study: study, runs: runs, toolVersion: "test")
            let curve = try #require(results.penaltyTradeOff?.curves.first)
            let changes = try #require(curve.changes)
            #expect(changes.verdict == .successNotResolved && changes.capacity.direction == .lower)
            #expect(changes.claim == claim, "a loss of \(loss) at λ 0")
            let sentence = try #require(findingSentences(results).last)
            let claimText = "Granziol (2026) claims that the penalty suppresses poisoning at a cost in capacity: "
            if claim == .notTestable {
                let baseline = loss == 0.01 ? "+0.010 [-0.007, +0.027]" : "+0.030 [+0.013, +0.047]"
                #expect(sentence.hasSuffix(claimText + "these runs cannot test it: at λ 0 the success, \(baseline), is not resolved above "
                    + "0.020, the study's planning effect (the lower end of its 95% interval is at most 0.020), so the attack leaves the penalty nothing resolved to suppress."),
                        "\(sentence)")
                #expect(!sentence.contains("contradict"))
                #expect(unfittedStudyAnswers(results).first?.contains("poisoned, λ 0 to 20: not testable under random label flip.") == true)
            } else {
                #expect(sentence.hasSuffix(claimText + "these runs contradict it."))
            }
        }
    }

    /// results.json holds the trade-off the report words (schema 4's `penaltyTradeOff`): the numbers
    /// of the diverged-λ sweep above (λ 10 with no finished seed: a count of 0 and no mean), the
    /// verdict as its string, and a file that reads back (its analysis rebuilt byte for byte) to the
    /// same trade-off.
    @Test func resultsJSONHoldsTheTradeOffAndReadsItBack() throws {
        let (study, runs) = try Self.sweepWithADivergedLambda()
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let json = try results.jsonData()
        let document = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let tradeOff = try #require(document["penaltyTradeOff"] as? [String: Any])
        #expect(tradeOff["fraction"] as? Double == 0.1 && tradeOff["confidence"] as? Double == 0.95)
        let curve = try #require((tradeOff["curves"] as? [[String: Any]])?.first)
        let points = try #require(curve["points"] as? [[String: Any]])
        #expect(points.map { $0["lambda"] as? Double } == [0, 1, 10])
        let first = try #require(points[0]["success"] as? [String: Any])
        let firstMean = try #require(first["mean"] as? Double)
        #expect(first["count"] as? Int == 3 && abs(firstMean - 0.11) < 1e-12)
        #expect(points[2]["success"] as? [String: Int] == ["count": 0], "no finished seed: no mean, no interval")
        let changes = try #require(curve["changes"] as? [String: Any])
        #expect(changes["verdict"] as? String == "trade-off" && changes["claim"] as? String == "supported" && changes["from"] as? Double == 0 && changes["to"] as? Double == 1)
        let success = try #require(changes["success"] as? [String: Any])
        #expect(success["direction"] as? String == "lower")
        let fall = try #require((success["difference"] as? [String: Any])?["mean"] as? Double)
        #expect(abs(fall + 0.1) < 1e-12)
        let read = try StudyResults.read(json)
        #expect(read.penaltyTradeOff == results.penaltyTradeOff && read.penaltyTradeOff?.curves.first?.changes?.verdict == .tradeOff)
        #expect(try JSONDecoder().decode(StudyResults.self, from: json).penaltyTradeOff == results.penaltyTradeOff)
    }

    /// No sentence without a sweep of λ: one λ beside no defense is no sweep.
    @Test func aSingleLambdaGivesNoTradeOff() throws {
        let (study, runs) = try penaltySweep(lambdas: [1], before: [StudyConfig.component(NoDefense.kind)]) { _, fraction, _ in
            (0.9 - fraction, 0.95)
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        #expect(PenaltyTradeOff(results) == nil && results.penaltyTradeOff == nil)
        #expect(!String(decoding: try results.jsonData(), as: UTF8.self).contains("penaltyTradeOff"))
        #expect(!findingSentences(results).contains { $0.hasPrefix("Input-gradient penalty,") })
    }
}
