import Foundation
import PoisoningAnalysis
import PoisoningEngine
@testable import PoisoningReport
import Testing

/// Review r23g, major 1 and minor 9: a success rate corrected for what the model does without poisons
/// is given with its Student t interval over seeds wherever the report gives it (the excess tables,
/// the "Success at" column, the Findings), and a cell of one run shows no "± 0.000".
struct CorrectedSuccessIntervalTests {
    /// svmShapedResults with the validation error's slope 1.5 + 0.5 x seed: at fraction f its excess
    /// over the clean run is (1.5 + 0.5 s) f for seeds s = 1...4, mean 2.75 f, standard deviation
    /// 0.5 f x sd(1, 2, 3, 4) = 0.5 f x 1.2909944. With t(0.975; 3 df) = 3.1824463 (tables; SciPy
    /// stats.t.ppf) the half-width is 3.1824463 x 0.6454972 f / 2 = 1.0271396 f: at 20% the interval
    /// of 0.550 is 0.344572 to 0.755428.
    @Test func theExcessTableGivesTheStudentTIntervalOfTheSeeds() throws {
        let results = try svmShapedResults(slopePerSeed: 0.5)
        let table = try #require(ReportModel.attackMetricTables(of: results, fractions: results.config.fractions)
            .first { $0.name.hasPrefix("Attacker's SVM validation error, excess") })
        let row = try #require(table.rows.first { $0.fraction == "20.0%" })
        #expect(row.cells[0] == "+0.550 [+0.345, +0.755]", "\(row.cells)")
        #expect(table.summary.hasPrefix("mean over seeds, in brackets its 95% Student t interval"), "\(table.summary)")
        // Every series shares the attacker's SVM, so every column is the same.
        #expect(Set(row.cells).count == 1)
        // The uncorrected rate keeps its mean ± standard deviation.
        let raw = try #require(ReportModel.attackMetricTables(of: results, fractions: results.config.fractions)
            .first { $0.name == "Attacker's SVM validation error" })
        #expect(raw.summary == "mean ± standard deviation over seeds" && raw.rows[4].cells[0].contains(" ± "), "\(raw.rows[4].cells)")
    }

    @Test func theSuccessColumnAndTheFindingsGiveTheSameInterval() throws {
        let results = try svmShapedResults(slopePerSeed: 0.5)
        let budget = try #require(results.findings.comparisonBudget)
        let half = 1.0271396 * budget, mean = 2.75 * budget
        let expected = "\(signedFixed(mean, decimals: 3)) [\(signedFixed(mean - half, decimals: 3)), \(signedFixed(mean + half, decimals: 3))]"
        let rows = ReportModel(results, command: "make-report").attackComparisonRows
        for row in rows {
            #expect(row.success.hasPrefix(expected + " (without poisons 0.005; on the attacker's SVM, not this model)"), "\(row.success)")
        }
        let sentence = try #require(findingSentences(results).first { $0.contains("validation error") && $0.contains("minus its rate") })
        #expect(sentence.contains("(mean over seeds, its 95% Student t interval in parentheses) is +0.550 (+0.345 to +0.755) ("), "\(sentence)")
        #expect(!sentence.contains("+0.550 ±"), "\(sentence)")
    }

    /// With one seed there is no spread and no interval: the tables give the value alone.
    @Test func oneSeedGivesValuesWithoutSpreadOrInterval() throws {
        let results = try svmShapedResults(seeds: [3])
        let model = ReportModel(results, command: "make-report")
        for table in model.attackMetrics {
            for row in table.rows { for cell in row.cells { #expect(!cell.contains("±") && !cell.contains("["), "\(table.name): \(cell)") } }
        }
        for row in model.accuracyRows { for cell in row.cells { #expect(!cell.contains("±"), "\(cell)") } }
        for row in model.attackComparisonRows {
            #expect(!row.accuracy.contains("±") && !row.success.contains("±") && !row.success.contains("["), "\(row)")
        }
        let sentence = try #require(findingSentences(results).first { $0.contains("validation error") && $0.contains("minus its rate") })
        #expect(sentence.contains(" (one seed)") && !sentence.contains("Student t"), "\(sentence)")
    }

    /// Review r23g m5: examples/svm's opening leads with the paper's comparison at the comparison
    /// budget, as its Findings give it (scripts/svm_gradient_paired_seeds.out: +0.117 (+0.097 to
    /// +0.136) at 10.0%), and says that its one threshold reached is not placed, within 120 words.
    @Test func theSVMExampleOpensWithTheLikeForLikeComparison() throws {
        let results = try AttackBudgetDifferenceTests.svmResults()
        let opening = openingSummary(results)
        let comparison = " In the paper's test error (the attacker's SVM on the pair's test rows), svm-gradient class 7 → class 1 (linear, "
            + "add, one at a time), the paper's configuration, minus its like-for-like random flips, paired by seed with its 95% Student t "
            + "interval: +0.117 (+0.097 to +0.136) at 10.0%. No critical threshold (accuracy halfway from clean to chance) is placed within "
            + "the swept fractions: one poorly identified fit reaches it (95% interval 12.6% or more)."
        #expect(opening.contains(comparison), "\(opening)")
        #expect(wordCount(opening) <= 120, "\(wordCount(opening)) words: \(opening)")
        #expect(!opening.contains("17.7%") && !opening.contains("reaches its critical threshold (accuracy"), "\(opening)")
    }
}
