import Foundation
import Testing
import PoisoningEngine
import TestSupport
@testable import PoisoningAnalysis

/// A detection AUROC whose seeds do not share one orientation is summarised by its split, never by a mean.
struct OrientationSplitTests {
    @Test func theRuleNeedsASeedClearlyBelowAndOneClearlyAbove() throws {
        let split = try #require(OrientationSplit(values: [0.98, 0.02, 0.95, 0.05, 0.5]))
        #expect([split.seeds, split.below, split.above, split.between] == [5, 2, 2, 1] as [Int])
        #expect([split.belowLowest, split.belowHighest, split.aboveLowest, split.aboveHighest] == [0.02, 0.05, 0.95, 0.98] as [Double])
        #expect(split.text == "split: 2 of 5 seeds below 0.5 (0.02 to 0.05), 2 above (0.95 to 0.98), 1 between")
        // The margin's ends count: 0.25 is below, 0.75 above; one seed a side prints its value once.
        #expect(OrientationSplit(values: [0.25, 0.75])?.text == "split: 1 of 2 seeds below 0.5 (0.25), 1 above (0.75)")
        // Not split: one orientation, a weak score on both sides of 0.5, or a side only just beyond the margin's other end.
        #expect(OrientationSplit(values: [0.90, 0.95, 0.97, 0.98]) == nil)
        #expect(OrientationSplit(values: [0.01, 0.03]) == nil)
        #expect(OrientationSplit(values: [0.3, 0.7, 0.45, 0.55]) == nil)
        #expect(OrientationSplit(values: [0.2600001, 0.99]) == nil && OrientationSplit(values: [0.01, 0.7499999]) == nil)
        #expect(OrientationSplit(values: []) == nil)
    }

    @Test func aSplitCellHasNoMeanAndANotSplitCellKeepsIt() throws {
        let (study, runs) = splitDetectionStudy()
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let split = try #require(results.points.first { $0.series == 1 && $0.fraction == 0.3 })
        #expect(split.metric(MetricKey.detectionAUROC) == nil)
        #expect(split.orientationSplit(MetricKey.detectionAUROC) == OrientationSplit(values: [0.02, 0.05, 0.95, 0.98]))
        // TPR at 5% FPR is not orientation-dependent: it keeps its mean (half the seeds find every poisoned row).
        #expect(split.metric(MetricKey.detectionTPRAt5FPR)?.mean == 0.5)
        let kept = try #require(results.points.first { $0.series == 1 && $0.fraction == 0.1 })
        #expect(kept.orientationSplits == nil)
        #expect(abs(try #require(kept.metric(MetricKey.detectionAUROC)).mean - 0.95) < 1e-12)
        // The findings: the split cell is listed, its AUROC is no value at the largest fraction, and the
        // defense's AUROC at the 10% budget is the unsplit mean.
        #expect(results.findings.detectionSplits == [SeriesFractionSplit(series: 1, fraction: 0.3, metric: MetricKey.detectionAUROC,
                                                                          split: split.orientationSplit(MetricKey.detectionAUROC)!)])
        #expect(results.findings.detectionAUROC.isEmpty && results.findings.detectionBelowChance.isEmpty)
        #expect(abs((results.findings.defenses.first?.aurocAtBudget ?? 0) - 0.95) < 1e-12)
        // results.json: no detectionAUROC under the split point's metrics, its split under orientationSplits.
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(results)) as? [String: Any])
        let points = try #require(json["points"] as? [[String: Any]])
        let encoded = try #require(points.first { ($0["series"] as? Int) == 1 && ($0["fraction"] as? Double) == 0.3 })
        #expect((encoded["metrics"] as? [String: Any])?["detectionAUROC"] == nil)
        let splits = try #require(encoded["orientationSplits"] as? [String: [String: Double]])
        #expect(splits["detectionAUROC"]?["below"] == 2 && splits["detectionAUROC"]?["above"] == 2 && splits["detectionAUROC"]?["seeds"] == 4)
        #expect(points.filter { $0["orientationSplits"] != nil }.count == 1)
        #expect(((json["findings"] as? [String: Any])?["detectionSplits"] as? [Any])?.count == 1)
    }

    @Test func pointsCSVFlagsTheSplitCellAndLeavesItsMeanEmpty() throws {
        let (study, runs) = splitDetectionStudy()
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let lines = TidyTables.pointsCSV(results).split(separator: "\n").map { Self.cells(String($0)) }
        let header = lines[0]
        let column = { (name: String) in header.firstIndex(of: name)! }
        let (mean, std, flag, below, above) = (column("detectionAUROC_mean"), column("detectionAUROC_std"), column("detectionAUROC_orientationSplit"),
                                               column("detectionAUROC_seedsBelow"), column("detectionAUROC_seedsAbove"))
        #expect([std + 1, flag + 1, below + 1] == [flag, below, above] as [Int])
        #expect(!header.contains("detectionTPRAt5FPR_orientationSplit"))
        let row = { (series: String, fraction: String) in lines.first { $0[0] == series && $0[header.firstIndex(of: "fraction")!] == fraction }! }
        let splitRow = row("1", "0.3"), keptRow = row("1", "0.1"), undefended = row("0", "0.3")
        #expect([splitRow[mean], splitRow[std], splitRow[flag], splitRow[below], splitRow[above]] == ["", "", "true", "2", "2"])
        #expect(abs((Double(keptRow[mean]) ?? 0) - 0.95) < 1e-12)
        #expect([keptRow[flag], keptRow[below], keptRow[above]] == ["false", "", ""])
        #expect(undefended[flag] == "false")
    }

    /// The cells of one CSV line as `csvLine` writes it (RFC 4180 quotes around a cell with a comma;
    /// a doubled quote inside is dropped, which no cell compared here has).
    static func cells(_ line: String) -> [String] {
        var cells = [""], quoted = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
            } else if character == "," && !quoted {
                cells.append("")
            } else {
                cells[cells.count - 1].append(character)
            }
        }
        return cells
    }
}
