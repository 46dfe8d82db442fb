import Foundation
import Testing
@testable import PoisoningAttacks
import PoisoningAnalysis
@testable import PoisoningEngine
import PoisoningReport
import StudyPipeline
import TestSupport

/// A run whose attack fails (here: svm-gradient's SMO solve stopping at its step limit short of its
/// tolerance) is named in every output, as failed, never as diverged, and with advice that applies.
@Suite struct FailedRunTests {
    /// A study of logistic regression on 80 rows of two Gaussian clusters under random label flips
    /// and under svm-gradient at C = 10⁶, two seeds, fractions 0, 0.1 and 0.2; the svm-gradient
    /// series' attack has its SMO solves limited to one step (`SVMGradient.stepLimit`, which no study
    /// key sets), so that every one of its solves stops short and each of its 6 runs fails.
    static func study() throws -> Study {
        let config = StudyConfig(data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(80), "features": .int(4), "classes": .int(2)]),
                                 models: [StudyConfig.component(LogisticRegression.kind)],
                                 attacks: [StudyConfig.component(RandomLabelFlip.kind), StudyConfig.component(SVMGradient.kind, ["c": .double(1e6)])],
                                 fractions: [0, 0.1, 0.2], seeds: [1, 2], training: TrainingSettings(epochs: 2, batchSize: 16))
        var design = try StudyDesign(document: config.document)
        var attack = try #require(design.attacks[1] as? SVMGradient)
        attack.stepLimit = 1
        design.attacks[1] = attack
        return try Study(design: design)
    }

    /// A linear SVM whose solve reaches its max-passes (here 1) before its tolerance is not measured as
    /// if solved (it was, silently): each of its runs fails with the solver's reason, listed under the
    /// report's "Failed runs", its poisoned rows still counted. The same study at the shipped
    /// max-passes converges, and its runs finish.
    @Test func aLinearSVMThatStopsShortFailsItsRuns() throws {
        func runs(_ model: [String: ParameterValue]) throws -> (Study, [RunResult]) {
            let config = StudyConfig(data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(80), "features": .int(4), "classes": .int(2)]),
                                     models: [StudyConfig.component(LinearSVM.kind, model)], attacks: [StudyConfig.component(RandomLabelFlip.kind)],
                                     fractions: [0, 0.2], seeds: [1, 2])
            let study = try Study(config)
            return (study, runStudy(study, threads: 1).results)
        }
        let (study, stopped) = try runs(["max-passes": .int(1)])
        #expect(stopped.count == 4 && stopped.allSatisfy { $0.metrics == nil && $0.hasFailed })
        #expect(stopped.allSatisfy { $0.divergence?.contains("failed: the linear SVM (C = 1.0) did not converge: dual coordinate descent "
            + "ended at its max-passes 1 with a projected-gradient gap of ") == true && $0.divergence?.hasSuffix("above its tolerance 1e-08; "
            + "raise max-passes or tolerance, or lower c (unstandardised features also slow the solve)") == true })
        #expect(stopped.filter { $0.fraction == 0.2 }.allSatisfy { $0.poisonedCount > 0 })
        let report = ReportModel(StudyResults(study: study, runs: stopped, toolVersion: toolVersion), command: "make-report")
        #expect(report.failedRuns == stopped.compactMap(\.divergence) && report.divergedRuns.isEmpty)
        #expect(try runs([:]).1.allSatisfy { $0.metrics != nil })
    }

    /// The 6 runs of the svm-gradient series fail and the 6 random-flip runs finish. Each failed run
    /// is named, with its reason (the solve stopped at its limit of 1 step; lower c or standardise)
    /// in results.json (its `divergence`), in runs.csv (its `divergence` column), and in report.md,
    /// report.tex and report.html under "Failed runs", never under "Diverged runs". The warnings name
    /// the first three, then count the failed runs with the first one's reason, and never advise a
    /// smaller --lr, which cannot help a solve that stops short; a diverged run keeps that advice.
    @Test func failedRunsAreNamedInEveryOutputUnderTheirOwnHeading() throws {
        let study = try Self.study()
        let runs = runStudy(study, threads: 2).results
        let labels = study.series.map(\.label)
        let svmSeries = try #require(study.series.firstIndex { $0.attack == 1 })
        let failed = runs.filter { $0.metrics == nil }
        let reason = "the attacker's SVM (C = 1000000.0) did not converge: SMO stopped at its limit of 1 step short of its tolerance 1e-08; "
            + "lower c (a C too large for the features' scale makes the problem hard to solve; unstandardised features do too)"
        #expect(failed.count == 6 && failed.allSatisfy { $0.series == svmSeries && $0.hasFailed && $0.failure == reason })
        #expect(runs.filter { $0.series != svmSeries }.allSatisfy { $0.metrics != nil && !$0.hasFailed && $0.failure == nil })
        let messages = failed.map { RunResult.failureMessage(seriesLabel: labels[svmSeries], fraction: $0.fraction, seed: $0.seed, reason: reason) }
        #expect(failed.map(\.divergence) == messages)

        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("failed-runs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let folder = parent.appendingPathComponent("output")
        let results = StudyResults(study: study, runs: runs, toolVersion: toolVersion)
        let settings = OutputSettings(figureFormats: [.png], dpi: 60, templates: ReportTemplate.shipped(), strict: false,
                                      command: "make-report run", folder: folder.path)
        let staged = try StagedOutputFolder(path: folder.path)
        let written = try writeStudyOutputs(results, study: study.layout, settings: settings, into: staged)
        try staged.publish()
        #expect(written.report.failedRuns == messages && written.report.divergedRuns.isEmpty)
        func text(_ name: String) throws -> String { try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) }

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("results.json"))) as? [String: Any]
        let jsonRuns = try #require(json?["runs"] as? [[String: Any]])
        #expect(jsonRuns.compactMap { $0["divergence"] as? String }.sorted() == messages.sorted())
        // The typed field: each failed run's reason, absent from every other run.
        #expect(jsonRuns.compactMap { $0["failure"] as? String } == Array(repeating: reason, count: 6))
        #expect(jsonRuns.filter { $0["failure"] != nil }.count == 6 && jsonRuns.filter { $0["divergence"] == nil }.allSatisfy { $0["failure"] == nil })
        let csv = parseCSV(try text("runs.csv"))
        let column = try #require(csv.first?.firstIndex(of: "divergence"))
        #expect(csv.dropFirst().map { $0[column] }.filter { !$0.isEmpty }.sorted() == messages.sorted())

        let markdown = try text("report.md")
        #expect(!markdown.contains("Diverged runs"))
        let section = try #require(markdown.range(of: "## Failed runs\n\nThese runs stopped without metrics, each for the reason it gives, "
            + "and were left out of every average:\n\n"))
        let listed = markdown[section.upperBound...].prefix { $0 != "#" }
        #expect(listed.split(separator: "\n").map(String.init) == messages.map { "- " + $0 })
        let latex = try text("report.tex"), html = try text("report.html")
        #expect(latex.contains("\\section{Failed runs}") && !latex.contains("Diverged runs"))
        #expect(html.contains("<h2 id=\"failed\">Failed runs</h2>") && html.contains("<a href=\"#failed\">Failed runs</a>") && !html.contains("Diverged runs"))
        #expect(html.contains("stopped at its limit of 1 step"))

        let warnings = divergenceWarnings(runs)
        #expect(warnings == messages.prefix(3).map { $0 + "; left out of the averages" }
            + ["6 of 12 runs failed in all (listed in results.json); the first because " + reason])
        #expect(!warnings.contains { $0.contains("--lr") })
    }

    /// A study with diverged and failed runs counts each kind on its own line: the diverged runs with
    /// the advice of a smaller --lr, the failed ones with the first one's reason.
    @Test func divergedAndFailedRunsAreCountedApart() {
        let diverged = (0..<3).map { index in
            RunResult(fraction: 0.1, series: 0, seed: UInt64(index), poisonedCount: 0, realisedFraction: 0, metrics: nil,
                      divergence: "run MLP 8, fraction 0.1, seed \(index) diverged: the training loss became non-finite")
        }
        let failed = (0..<2).map { index in
            RunResult(fraction: 0.2, series: 1, seed: UInt64(index), poisonedCount: 0, realisedFraction: 0, metrics: nil,
                      divergence: RunResult.failureMessage(seriesLabel: "svm-gradient", fraction: 0.2, seed: UInt64(index), reason: "lower c"),
                      failure: "lower c")
        }
        #expect(!diverged[0].hasFailed && failed[1].hasFailed)
        let warnings = divergenceWarnings(diverged + failed)
        #expect(warnings.count == 5)
        #expect(Array(warnings.suffix(2)) == ["3 of 5 runs diverged in all (listed in results.json); a smaller --lr usually helps",
                                              "2 of 5 runs failed in all (listed in results.json); the first because lower c"])
    }

    /// Issue 23: a failed run is told by its typed `failure`, never by its message: a diverged run
    /// whose message reads like a failure's (a series labelled so) is diverged, `failure` survives
    /// JSON, and a run naming a failure without the message of a stopped run, or with an empty
    /// reason, is refused as no run's outcome.
    @Test func aFailedRunIsToldByItsFailureNotItsMessage() throws {
        let lookalike = RunResult(fraction: 0.2, series: 0, seed: 1, poisonedCount: 0, realisedFraction: 0, metrics: nil,
                                  divergence: RunResult.failureMessage(seriesLabel: "MLP 8", fraction: 0.2, seed: 1, reason: "loss became non-finite"))
        #expect(!lookalike.hasFailed && lookalike.failure == nil)
        #expect(divergenceWarnings([lookalike, lookalike, lookalike, lookalike]).last
            == "4 of 4 runs diverged in all (listed in results.json); a smaller --lr usually helps")
        let failed = RunResult(fraction: 0.2, series: 0, seed: 1, poisonedCount: 0, realisedFraction: 0, metrics: nil,
                               divergence: "run x, fraction 0.2, seed 1 stopped", failure: "lower c")
        let decoded = try JSONDecoder().decode(RunResult.self, from: JSONEncoder().encode(failed))
        #expect(decoded == failed && decoded.failure == "lower c" && decoded.hasFailed)
        #expect(!String(decoding: try JSONEncoder().encode(lookalike), as: UTF8.self).contains("failure"))
        #expect(failed.problem(trainingRows: nil, recordable: nil) == nil)
        let unstopped = RunResult(fraction: 0.2, series: 0, seed: 1, poisonedCount: 0, realisedFraction: 0, metrics: nil, divergence: nil,
                                  failure: "lower c")
        #expect(unstopped.problem(trainingRows: nil, recordable: nil) == "it names its attack's failure but not the message of a run that stopped")
        let reasonless = RunResult(fraction: 0.2, series: 0, seed: 1, poisonedCount: 0, realisedFraction: 0, metrics: nil,
                                   divergence: "run x, fraction 0.2, seed 1 stopped", failure: "")
        #expect(reasonless.problem(trainingRows: nil, recordable: nil) == "it names its attack's failure but gives no reason")
    }
}
