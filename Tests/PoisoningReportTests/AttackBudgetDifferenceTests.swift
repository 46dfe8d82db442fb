import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
@testable import PoisoningReport

/// Review r23f, finding 1: the report compares attacks budget by budget, paired by seed with Student t
/// intervals, and says the paper's comparison (svm-gradient added one at a time against random flips
/// added) in a finding; its numbers are those of scripts/svm_gradient_paired_seeds.py on the committed
/// examples/svm results (scripts/svm_gradient_paired_seeds.out), an independent computation in NumPy
/// and SciPy.
struct AttackBudgetDifferenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// examples/svm's committed results, decoded as written (no analysis rebuilt).
    static func svmResults() throws -> StudyResults {
        try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: root.appendingPathComponent("examples/svm/output/results.json")))
    }

    /// The script's one-line-per-budget table of the paper's comparison: budget → its cells (the
    /// attacker's SVM, then each victim, then the attacker's validation error).
    static func scriptCells() throws -> [String: [String]] {
        let text = try String(contentsOf: root.appendingPathComponent("scripts/svm_gradient_paired_seeds.out"), encoding: .utf8)
        let heading = "## svm-gradient class 7 → class 1 (linear, add, one at a time) against svm-gradient class 7 → class 1 (linear, random flips, add)"
        let section = try #require(text.components(separatedBy: heading).dropFirst().first?.components(separatedBy: "\n## ").first)
        let table = try #require(section.components(separatedBy: "one line per budget:").last)
        var cells = [String: [String]]()
        for line in table.split(separator: "\n") where line.hasPrefix("| ") && line.contains("%") && !line.hasPrefix("| Budget") {
            let parts = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            cells[parts[0]] = Array(parts.dropFirst())
        }
        return cells
    }

    @Test func thePapersComparisonIsAFindingWithTheScriptsNumbers() throws {
        let results = try Self.svmResults(), cells = try Self.scriptCells()
        #expect(cells.count == 6)
        let sentence = try #require(likeForLikeSentence(results))
        let papers = "svm-gradient class 7 → class 1 (linear, add, one at a time) (the paper's configuration) minus svm-gradient class 7 → "
            + "class 1 (linear, random flips, add) (its like-for-like baseline): "
        #expect(sentence.contains(papers + listing(["2.5%", "5.0%", "7.5%", "10.0%", "15.0%", "20.0%"].map { "\(cells[$0]![0]) at \($0)" })),
                "\(sentence)")
        #expect(sentence.contains("+0.117 (+0.097 to +0.136) at 10.0%"))
        // The paper's configuration comes first, then the default (replace, together) against flips in place.
        #expect(sentence.contains("; svm-gradient class 7 → class 1 (linear, replace, together) minus svm-gradient class 7 → class 1 (linear, random flips) "
            + "(its like-for-like baseline): +0.065 (+0.035 to +0.095) at 2.5%"), "\(sentence)")
        #expect(findingSentences(results).contains(sentence))
    }

    @Test func everyVictimsTestErrorIsTheScriptsWhereTheSpreadExceedsOneTestRow() throws {
        let results = try Self.svmResults(), cells = try Self.scriptCells()
        let climbed = 3, flips = 5
        #expect(results.series.filter { $0.attack == climbed }.first?.attackLabel == "svm-gradient class 7 → class 1 (linear, add, one at a time)")
        #expect(results.series.filter { $0.attack == flips }.first?.attackLabel == "svm-gradient class 7 → class 1 (linear, random flips, add)")
        let differences = attackBudgetDifferences(results)
        // One test row's spread: the half-width of an interval whose spread was raised to it.
        let floorHalfWidth = 2.262 * (1.0 / 109) / 10.0.squareRoot()
        var floored = 0
        for (column, model) in ["linear SVM (C = 1.0)", "kernel ridge rbf (ℓ = 8.0, λ = 1.0)", "logistic"].enumerated() {
            for (budget, row) in cells {
                let d = try #require(differences.first { d in
                    percent(d.fraction) == budget && d.key == MetricKey.testAccuracy && results.series[d.base].modelLabel == model
                        && results.series[d.base].attack == climbed && results.series[d.other].attack == flips
                })
                // The table subtracts the earlier series (the climbed attack); the script the baseline.
                let mean = -d.mean!, lower = -d.interval!.upper!, upper = -d.interval!.lower!
                let text = "\(signedFixed(mean, decimals: 3)) (\(signedFixed(lower, decimals: 3)) to \(signedFixed(upper, decimals: 3)))"
                // The report writes a zero without a sign ("0.000"), the script with one ("+0.000").
                let script = row[column + 1].replacingOccurrences(of: "+0.000", with: "0.000").replacingOccurrences(of: "-0.000", with: "0.000")
                let ends = script.split(separator: "(")[1].dropLast().components(separatedBy: " to ").compactMap { Double($0) }
                if (ends[1] - ends[0]) / 2 >= floorHalfWidth + 0.001 {
                    #expect(text == script, "\(model) at \(budget)")
                } else {
                    // Seeds that agree to within one test row: the report's intervals raise the spread to one row.
                    floored += 1
                    #expect(text.hasPrefix(String(script.prefix(6))), "\(model) at \(budget): \(text) against \(script)")
                    #expect(abs((upper - lower) / 2 - floorHalfWidth) < 1e-9 || (upper - lower) / 2 > floorHalfWidth, "\(model) at \(budget)")
                }
            }
        }
        #expect(floored <= 4, "the floor binds only where kernel ridge's seeds agree")
        // The table's rows: one per pair of series that differ only in their attack with their
        // poisons placed alike, per budget (three placed in place, three added: 3 + 3 attack pairs, 3 models).
        let rows = attackBudgetRows(results)
        #expect(rows.count == 6 * 3 * 6)
        // Review r23g m6: a row says the climbed attack minus its baseline, as the finding does, whatever the series' order.
        let row = try #require(rows.first { $0.model == "linear SVM (C = 1.0)" && $0.budget == "10.0%"
            && $0.attacks == "svm-gradient class 7 → class 1 (linear, add, one at a time) − svm-gradient class 7 → class 1 (linear, random flips, add)" })
        #expect(row.ownTestError == "+0.117 (+0.097 to +0.136)" && row.testError == "+0.113 (+0.092 to +0.134)", "\(row)")
        #expect(row.success == "+0.193 (+0.168 to +0.218)", "\(row)")
        #expect(!rows.contains { $0.attacks.hasPrefix("svm-gradient class 7 → class 1 (linear, random flips") && $0.attacks.contains("− svm-gradient class 7 → class 1 (linear, add, one") })
        #expect(!rows.contains { $0.attacks.hasPrefix("svm-gradient class 7 → class 1 (linear, unclimbed clones") && $0.attacks.contains("− svm-gradient class 7 → class 1 (linear, replace, together)") })
        // Two baselines or controls keep the series' order: the later minus the earlier.
        #expect(rows.contains { $0.attacks == "svm-gradient class 7 → class 1 (linear, unclimbed clones, replace) − svm-gradient class 7 → class 1 (linear, random flips)" })
    }

    /// Review r23f, finding 3: the Findings quote a poorly identified fit's threshold as the opening
    /// does, by its interval alone, marked.
    @Test func theFindingsGiveAPoorlyIdentifiedThresholdByItsIntervalOnly() throws {
        let findings = findingSentences(try Self.svmResults())
        let thresholds = try #require(findings.first { $0.hasPrefix("Critical thresholds (accuracy halfway between clean and chance)") })
        #expect(thresholds.contains("with 95% intervals: 12.6% or more (poorly identified) (linear SVM (C = 1.0), svm-gradient class 7 → class 1 "
            + "(linear, replace, together)), "), "\(thresholds)")
        #expect(!thresholds.contains("17.7%"), "\(thresholds)")
    }
}
