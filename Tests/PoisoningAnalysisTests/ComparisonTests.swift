import Foundation
import Testing
import PoisoningEngine
import TestSupport
@testable import PoisoningAnalysis

/// `compare` on identical, shifted and published-format studies.
struct ComparisonTests {
    static let fractions = (0...8).map { Double($0) * 0.0625 }

    /// A study of MLPs 16 and 32 over 4 seeds whose accuracy follows a sigmoid plus a seed noise of
    /// 0.01 that varies with the fraction, shifted by `shift`; as results.json bytes.
    static func resultsJSON(shift: Double = 0, widths: [Int] = [16, 32], fractions: [Double] = fractions) throws -> Data {
        let study = widthStudy(widths, fractions: fractions, seeds: [1, 2, 3, 4], epochs: 5)
        let curve = SigmoidParameters(amplitude: 0.7, steepness: 12, midpoint: 0.25, floor: 0.2)
        let runs = study.runSpecs.map { spec in
            let i = fractions.firstIndex(of: spec.fraction)!
            let noise = 0.01 * [1.0, -1.0, 0.5, -0.5][(Int(spec.seed) + i + spec.series) % 4]
            let test = curve.value(at: spec.fraction) + noise + shift
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: spec.fraction,
                             metrics: runMetrics(test: test, train: 0.95, trainClean: 0.95, loss: 0.2), divergence: nil)
        }
        return try StudyResults(study: study, runs: runs, toolVersion: "test").jsonData()
    }

    @Test func identicalStudiesAgreeEverywhere() throws {
        let study = try ComparableStudy(json: Self.resultsJSON())
        let comparison = compareStudies(study, study, confidence: 0.95, replicates: 300)
        #expect(comparison.unmatched.isEmpty && comparison.commonSeries == ["MLP 16", "MLP 32"])
        #expect(comparison.points.count == 2 * 9 * 3)
        #expect(comparison.points.allSatisfy { !$0.exceedsSeedNoise && $0.difference.value == 0 && $0.p == 1 })
        let agreement = try #require(comparison.agreement)
        #expect(agreement.p == 1 && agreement.statistic == 0 && agreement.degreesOfFreedom == 36)
        #expect(comparison.fits.allSatisfy { !$0.resolved })
    }

    @Test func aShiftOfFiveSeedSpreadsIsDetected() throws {
        let comparison = compareStudies(try ComparableStudy(json: Self.resultsJSON()),
                                        try ComparableStudy(json: Self.resultsJSON(shift: -0.05)), confidence: 0.95, replicates: 300)
        let accuracy = comparison.points.filter { $0.metric == MetricKey.testAccuracy }
        #expect(accuracy.allSatisfy { $0.exceedsSeedNoise && abs($0.difference.value! + 0.05) < 1e-12 })
        #expect(try #require(comparison.agreement).p < 1e-6)
        let clean = comparison.fits.filter { $0.quantity == "cleanAccuracy" }
        #expect(clean.count == 2 && clean.allSatisfy(\.resolved))
    }

    @Test func mismatchedAxesAreComparedOnTheirCommonPointsAndListed() throws {
        let comparison = compareStudies(try ComparableStudy(json: Self.resultsJSON()),
                                        try ComparableStudy(json: Self.resultsJSON(widths: [32, 64], fractions: Array(Self.fractions.prefix(7)))),
                                        confidence: 0.95, replicates: 300)
        #expect(comparison.commonSeries == ["MLP 32"] && comparison.commonFractions == Array(Self.fractions.prefix(7)))
        #expect(comparison.unmatched == ["series MLP 16 (only in the first)", "fraction 43.8% (only in the first)",
                                         "fraction 50.0% (only in the first)", "series MLP 64 (only in the second)"])
        #expect(comparison.points.count == 7 * 3)
    }

    @Test func thePublishedFormatIsRead() throws {
        let url = try #require(Bundle.module.url(forResource: "published-format-example", withExtension: "json", subdirectory: "Fixtures"))
        let published = try ComparableStudy(json: Data(contentsOf: url))
        #expect(published.format == "published")
        #expect(published.seriesLabels == ["MLP 16", "MLP 32"] && published.fractions == [0, 0.3] && published.seeds == [1, 2])
        #expect(published.testCount == 150 && published.classCount == 5 && published.runs.count == 8)
        let last = try #require(published.runs.last)
        #expect(last.series == 1 && last.fraction == 0.3 && last.seed == 2)
        #expect(last.metrics?[MetricKey.testAccuracy] == 0.6066666666666667)
        #expect(last.metrics?[MetricKey.generalizationGap] == 0.179047619047619)
        #expect(last.metrics?[MetricKey.trainCleanAccuracy] == 0.7357142857142857)
        // Against itself: no difference anywhere.
        let comparison = compareStudies(published, published, confidence: 0.95, replicates: 200)
        #expect(comparison.points.count == 2 * 2 * 3 && comparison.agreement?.p == 1)
    }

    @Test func otherJSONIsRefusedWithTheReason() {
        #expect(throws: ComparisonInputError.self) { try ComparableStudy(json: Data(#"{"config": {}}"#.utf8)) }
        do {
            _ = try ComparableStudy(json: Data(#"{"config": {"n_samples": 5}, "runs": []}"#.utf8))
        } catch let error as ComparisonInputError {
            #expect(error.reason.contains("config: missing field 'n_classes'"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// The reason `ComparableStudy` refuses `text`, or "accepted".
    func refusal(_ text: String) -> String {
        do {
            _ = try ComparableStudy(json: Data(text.utf8))
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func impossibleValuesAreRefusedByTheStudyFilesOwnRules() throws {
        let url = try #require(Bundle.module.url(forResource: "published-format-example", withExtension: "json", subdirectory: "Fixtures"))
        let published = try String(contentsOf: url, encoding: .utf8)
        /// The fixture with its first occurrence of `old` replaced by `new`.
        func edited(_ old: String, _ new: String) -> String {
            published.replacingOccurrences(of: old, with: new, range: published.range(of: old))
        }
        #expect(refusal(published) == "accepted")
        let prefix = "in the published study's format, but "
        #expect(refusal(edited(#""test_accuracy": 0.88"#, #""test_accuracy": 5.0"#))
            == prefix + "runs[0].test_accuracy is 5.0, outside its valid range [0, 1]")
        #expect(refusal(edited(#""test_accuracy": 0.88"#, #""test_accuracy": -1e308"#))
            == prefix + "runs[0].test_accuracy is -1e+308, outside its valid range [0, 1]")
        #expect(refusal(edited(#""final_loss": 0.1"#, #""final_loss": -1"#)) == prefix + "runs[0].final_loss is -1.0, outside its valid range [0, 1e+100]")
        // A loss whose square overflows (the bound was Double's largest value: a standard deviation became inf).
        #expect(refusal(edited(#""final_loss": 0.1"#, #""final_loss": 1e300"#))
            == prefix + "runs[0].final_loss is 1e+300, outside its valid range [0, 1e+100]")
        #expect(refusal(edited(#""n_classes": 5"#, #""n_classes": 0"#)) == prefix + "config.n_classes: must lie in [2, 10000]")
        #expect(refusal(edited(#""n_samples": 500"#, #""n_samples": -10"#)) == prefix + "config.n_samples: must lie in [2, 10000000]")
        #expect(refusal(edited(#""train_fraction": 0.7"#, #""train_fraction": 1.0"#))
            == prefix + "config.train_fraction: must leave at least one training and one test sample")
        #expect(refusal(edited("0.3\n", "1.5\n")) == prefix + "config.poison_fractions: each value must lie in [0.0, 1.0]")
        #expect(refusal(edited("16,\n", "0,\n")) == prefix + "config.hidden_widths: each width must lie in [1, 65536]")
        #expect(refusal(edited(#""hidden_width": 16"#, #""hidden_width": 32"#))
            == prefix + "runs[2] repeats the poison_fraction, hidden_width and seed of an earlier run")
        #expect(refusal(edited(#""poison_fraction": 0.0"#, #""poison_fraction": 0.1"#))
            == prefix + "runs[0].poison_fraction is 0.1, which config.poison_fractions does not list")
        let noRuns = String(published[..<published.range(of: #""runs""#)!.lowerBound]) + #""runs": []}"#
        #expect(refusal(noRuns) == prefix + "it has no runs")
        #expect(refusal(edited(#""test_accuracy": 0.88"#, #""test_accuracy": NaN"#)).hasPrefix("neither a make-report results.json"))
        // Our own format: a file consistent with its runs, but with accuracies above 1.
        let above = try Self.resultsJSON(shift: 0.5)
        #expect(refusal(String(decoding: above, as: UTF8.self)).hasPrefix("a make-report results.json in which a run's testAccuracy of 1."))
    }
}
