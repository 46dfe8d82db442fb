import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// The reference study's claims answered by a run of another design: its results from the committed
/// reference runs, analysed with the reference configuration changed by `change`.
func referenceResults(changing change: (inout StudyConfig) -> Void) throws -> StudyResults {
    var config = StudyConfig.reference
    change(&config)
    return StudyResults(study: try Study(config), runs: try referenceResults().runs, toolVersion: "9.9.9")
}

/// Verdicts on published claims belong only to a run of the published design (r21 #1).
struct ClaimsOfAnotherDesignTests {
    @Test func theDefaultStudyGetsVerdicts() throws {
        let claims = try #require(try referenceResults().findings.claims)
        #expect(claims.designDifferences == nil)
        #expect(claims.thresholds.allSatisfy { $0.verdict != nil })
        #expect(claims.sharpTransition?.verdict != nil && claims.largerModelsMoreSensitive.allSatisfy { $0.answer.verdict != nil })
    }

    @Test func thirtyEpochsGetNoVerdictsAndNameTheEpochs() throws {
        let reference = try referenceResults()
        let results = try referenceResults { $0.training.epochs = 30 }
        let claims = try #require(results.findings.claims)
        #expect(claims.designDifferences?.map { [$0.setting, $0.value, $0.published] } == [["epochs", "30", "200"]])
        #expect(claims.thresholds.allSatisfy { $0.verdict == nil })
        #expect(claims.sharpTransition?.verdict == nil && claims.sharpTransition?.claimed == true)
        #expect(claims.largerModelsMoreSensitive.count == 1 && claims.largerModelsMoreSensitive.allSatisfy { $0.answer.verdict == nil })
        // The published claims still stand beside this run's estimates.
        #expect(claims.thresholds.map(\.estimate) == reference.findings.claims?.thresholds.map(\.estimate))
        #expect(claims.thresholds.map(\.published) == [0.434, 0.373, 0.349])

        let report = try markdownReport(results)
        #expect(report.contains("This run differs from the paper's design in: epochs 30 (paper 200). Its estimates answer a different "
            + "question from the published numbers, so the claims stand beside them without verdicts"))
        let section = try #require(report.components(separatedBy: "## Published claims").dropFirst().first?
            .components(separatedBy: "\n## ").first)
        for verdict in ["supported", "contradicted", "not resolved |"] { #expect(!section.contains(verdict), "\(verdict) in \(section)") }
        #expect(section.contains("| Critical threshold of MLP 32 | 43.4% | "))
        #expect(section.hasSuffix("| — |\n\n") || section.contains("| — |\n"))

        let opening = openingSummary(results)
        #expect(opening.hasSuffix(" The published claims get no verdicts: this run differs from the paper's design in epochs."))
        #expect(!opening.contains("published claims, these runs"))
        #expect(wordCount(opening) <= 120, "\(wordCount(opening)) words: \(opening)")

        let json = try JSONSerialization.jsonObject(with: try results.jsonData()) as! [String: Any]
        let written = try #require((json["findings"] as? [String: Any])?["claims"] as? [String: Any])
        #expect((written["thresholds"] as? [[String: Any]])?.allSatisfy { $0["verdict"] == nil && $0["published"] != nil } == true)
        #expect((written["sharpTransition"] as? [String: Any])?["verdict"] == nil)
        #expect(written["designDifferences"] as? [[String: String]] == [["setting": "epochs", "value": "30", "published": "200"]])
        #expect(try StudyResults.read(try results.jsonData()).findings == results.findings, "read back as written")
    }

    @Test func twoWidthsGetNoVerdictsAndNameTheWidths() throws {
        let full = try referenceResults()
        var config = StudyConfig.reference
        config.models = [32, 64].map(StudyConfig.mlp)
        let study = try Study(config)
        // The runs of MLP 32 and MLP 64: series 0 and 1 in both studies.
        let results = StudyResults(study: study, runs: full.runs.filter { $0.series < 2 }, toolVersion: "9.9.9")
        let claims = try #require(results.findings.claims)
        #expect(claims.designDifferences?.map(\.text) == ["widths 32, 64 (paper 32, 64, 128)"])
        #expect(claims.thresholds.allSatisfy { $0.verdict == nil })
        #expect(openingSummary(results).hasSuffix("differs from the paper's design in widths."))
    }
}

/// The curve table prefers no curve where the runs cannot tell the curves apart, and names the
/// design that would in plain words (r21 #5).
struct CurveTableWordingTests {
    @Test func anUndecidedSeriesPrefersNoCurveAndNamesTheDesignInWords() throws {
        let rows = ReportModel.curveRows(of: try referenceResults())
        #expect(rows.map(\.decided) == ["no", "no", "no"])
        #expect(rows.map(\.preferred) == Array(repeating: "— (not told apart)", count: 3))
        #expect(rows.map(\.design) == ["41 fractions × 10 seeds (expected ratio 345)", "41 fractions × 20 seeds (expected ratio 348)",
                                     "none up to 41 fractions × 20 seeds"])
        // Curves told apart (sharp sigmoids over 12 seeds) keep their preferred curve.
        #expect(ReportModel.curveRows(of: try averageTrendResults()).map(\.preferred) == ["sigmoid", "sigmoid", "sigmoid"])
        let report = try markdownReport(try referenceResults())
        #expect(report.contains("| Series | Sigmoid | Quadratic | Line | Preferred | Evidence ratio | Expected | Decided | "
            + "Design that would tell the curves apart |"))
    }
}

/// A study of three widths whose threshold falls with width on average, but whose two largest
/// widths the seeds cannot tell apart: MLP 32, 64 and 128 with midpoints 42%, 36% and 35.5%, each
/// run moved by its own offset of up to ±2 pp (a seed's offset differs between models), 12 seeds.
func averageTrendResults() throws -> StudyResults {
    let study = try Study(StudyConfig(seeds: Array(1...12), claims: nil))
    let runs = study.runSpecs.map { spec -> RunResult in
        let model = study.series[spec.series].model
        let shift = 0.02 * sin(Double(spec.seed) * 2.3 + Double(model) * 1.7)
        let curve = SigmoidParameters(amplitude: 0.6, steepness: 14, midpoint: [0.42, 0.36, 0.355][model] + shift, floor: 0.3)
        return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed,
                         poisonedCount: poisonCount(fraction: spec.fraction, of: study.split.train.count), realisedFraction: spec.fraction,
                         metrics: runMetrics(test: curve.value(at: spec.fraction), train: 1 - 0.4 * spec.fraction, trainClean: 0.95, loss: 0.3),
                         divergence: nil)
    }
    return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
}

/// A model-size trend resolved over several widths is an average: the opening says so and names the
/// pairs of widths it leaves unresolved (r21 #7).
struct AverageTrendOpeningTests {
    @Test func theOpeningCallsTheTrendAnAverageAndNamesTheUnresolvedPair() throws {
        let results = try averageTrendResults()
        let opening = openingSummary(results)
        #expect(results.findings.sensitivity.map(\.largerModelsMoreSensitive) == [true])
        #expect(opening.contains(" and larger models are more sensitive on average (-3.3 pp (percentage points) per doubling of parameters, "), "\(opening)")
        #expect(opening.contains("Not resolved: the threshold difference of MLP 128 vs MLP 64."), "\(opening)")
        #expect(wordCount(opening) <= 120, "\(wordCount(opening)) words: \(opening)")
    }
}
