import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// A study, run: its study and runs, their times, and its results; for an adaptive study, its last
/// look's study and runs and the results at that look's confidence with the sequential record.
public struct SequentialStudyRun: Sendable {
    /// The study of the last look (its seeds are those run).
    public let study: Study
    /// Its runs, in `study.runSpecs` order, with each run's wall seconds (0 for a stored one).
    public let runs: StudyRuns
    /// The results, with the sequential record.
    public let results: StudyResults
}

/// Why an adaptive study cannot run.
public struct SequentialStudyError: Error, CustomStringConvertible {
    /// The reason, in one line.
    public let description: String
}

/// The study of `study`'s adaptive design with its first `count` seeds, as a study with a fixed list.
public func sequentialLookStudy(_ study: Study, seeds count: Int) throws -> Study {
    guard let sequential = study.config.sequential else { return study }
    var config = study.config
    config.sequential = nil
    config.seeds = sequential.seeds(count)
    return try Study(config)
}

/// Runs the adaptive study `study` (its `config.sequential` set): at each look of
/// `sequentialLooks` (every look from `start` when its questions are all differences of means, whose
/// t intervals are exact at any level; else those the bootstrap's replicates can read), which spend α = 1 - confidence split equally among the m comparisons its
/// questions name (Bonferroni, α/m each, so that the chance of any false resolution is at most α
/// whatever the comparisons' dependence; the analysis README says why not Holm), it trains the seeds
/// the look adds (`trainBatch`, given the study of those seeds alone, returns their runs), analyses
/// all seeds so far at the look's confidence, and stops when every comparison of the named questions
/// has been resolved at some look (`SignDecision`: an undetermined comparison is first analysed again
/// with up to `sequentialReplicateCap` times the replicates, `escalatingReplicates`, and, still
/// undetermined, is not resolved, so the study goes on), or when every one left lies beyond the swept fractions, its thresholds' whole
/// intervals with them (`SequentialAnswer.beyondSweep`: more seeds cannot resolve it), or after the last look (`runSequentialRule`). `progress` hears one
/// line per look. The results are a pure function of the study: looks do not depend on timing or
/// threads.
public func runSequentialStudy(_ study: Study, threads: Int, trainBatch: (Study) throws -> StudyRuns,
                               progress: (String) -> Void) throws -> SequentialStudyRun {
    guard let settings = study.config.sequential else { throw SequentialStudyError(description: "the study is not adaptive") }
    let analysis = study.config.analysis
    let comparisonCount = sequentialComparisonCount(series: study.series, modelKinds: study.config.modelKinds, questions: settings.until)
    guard comparisonCount > 0 else {
        throw SequentialStudyError(description: "seeds.until: the study's series give no comparison for \(settings.until.map(\.rawValue).joined(separator: ", "))")
    }
    // Thresholds and trends are read off the bootstrap, whose replicates limit how small a level a look
    // can read; the differences of means have exact t intervals at any level, so every look is taken.
    let bootstrapped = settings.until.contains { $0 == .thresholdTrend || $0 == .thresholdPairs }
    let plan = sequentialLooks(start: settings.start, step: settings.step, max: settings.max,
                               alpha: (1 - analysis.confidence) / Double(comparisonCount),
                               replicates: bootstrapped ? analysis.replicates : nil)
    var finished = [RunSpec: (result: RunResult, seconds: Double)]()
    var trained = 0
    var last: (study: Study, results: StudyResults, names: [String])?
    var undetermined = [[String]](), replicates = [Int]()
    let outcome = try runSequentialRule(looks: plan) { index, look in
        let lookStudy = try sequentialLookStudy(study, seeds: look.seeds)
        let newSeeds = lookStudy.config.seeds.dropFirst(trained)
        var batchConfig = lookStudy.config
        batchConfig.seeds = Array(newSeeds)
        let batchStudy = try Study(batchConfig)
        let batch = try trainBatch(batchStudy)
        let specs = batchStudy.runSpecs
        for (position, runIndex) in batch.indices.enumerated() {
            finished[specs[runIndex]] = (batch.results[position], batch.runSeconds[position])
        }
        trained = look.seeds
        let runs = lookStudy.runSpecs.map { finished[$0]!.result }
        // An undetermined comparison is the bootstrap's noise, not the runs': the look is analysed again
        // with more replicates (cheap next to training a look's seeds) before the rule reads it.
        let ((results, comparisons), lookReplicates) = escalatingReplicates(analysis.replicates, analyse: {
            (count: Int) -> (StudyResults, [(name: String, decision: SignDecision, answer: SequentialAnswer)]) in
            let results = StudyResults(study: lookStudy, runs: runs, toolVersion: toolVersion, threads: threads,
                                       bootstrapReplicates: count == analysis.replicates ? nil : count, confidence: look.confidence)
            // As many as `comparisonCount`: both enumerate `comparedSeriesPairs` and `thresholdTrendGroups`.
            return (results, sequentialComparisons(results.statistics, series: lookStudy.series, questions: settings.until))
        }, undetermined: { analysed in analysed.1.contains { $0.decision == SignDecision.undetermined } })
        replicates.append(lookReplicates)
        last = (lookStudy, results, comparisons.map(\.name))
        undetermined.append(comparisons.filter { $0.decision == .undetermined }.map(\.name))
        let resolved = comparisons.filter { $0.decision == .resolved }.count
        progress(String(format: "Look %d of at most %d: %d seeds, boundary %.3f (%.2f%% intervals, %d replicates): %d of %d comparisons resolved here",
                        index + 1, plan.count, look.seeds, look.boundary, look.confidence * 100, lookReplicates, resolved, comparisons.count))
        return Dictionary(uniqueKeysWithValues: comparisons.map { ($0.name, $0.answer) })
    }
    guard let last else { throw SequentialStudyError(description: "the study has no look") }
    let record = SequentialRecord(settings: settings, nominalConfidence: analysis.confidence, plan: plan, outcome: outcome, comparisons: last.names,
                                undetermined: undetermined, replicates: replicates)
    let specs = last.study.runSpecs
    let runs = StudyRuns(indices: Array(specs.indices), results: specs.map { finished[$0]!.result },
                         runSeconds: specs.map { finished[$0]!.seconds })
    return SequentialStudyRun(study: last.study, runs: runs, results: last.results.recording(record))
}
