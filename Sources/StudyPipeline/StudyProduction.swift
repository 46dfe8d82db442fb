import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// Runs `study` to its results and timings, the one way every command that trains a whole study
/// does it: a fixed study (`config.sequential` nil) trains all its runs in one `trainBatch` and
/// analyses them; an adaptive one runs `runSequentialStudy`, whose looks call `trainBatch` with the
/// seeds each adds and tell `progress` of each look. `trainBatch`, given a study, returns its runs
/// (all of them, in `runSpecs` order). Training time runs from `started` to the end of the
/// analysis (an adaptive study's looks' analyses are part of running it); performance.json's wall
/// time runs to the moment it is made.
public func produceStudyResults(_ study: Study, threads: Int, started: ContinuousClock.Instant,
                                trainBatch: (Study) throws -> StudyRuns, progress: (String) -> Void) throws -> ProducedResults {
    let ran: SequentialStudyRun
    if study.config.sequential != nil {
        ran = try runSequentialStudy(study, threads: threads, trainBatch: trainBatch, progress: progress)
    } else {
        let runs = try trainBatch(study)
        ran = SequentialStudyRun(study: study, runs: runs,
                                 results: StudyResults(study: study, runs: runs.results, toolVersion: toolVersion, threads: threads))
    }
    let trainingSeconds = secondsElapsed(since: started)
    return ProducedResults(results: ran.results) { resultsSHA256 in
        PerformanceRecord(study: ran.study.layout, resultsSHA256: resultsSHA256, threads: threads,
                          wallSeconds: secondsElapsed(since: started), trainingSeconds: trainingSeconds,
                          runSeconds: Array(zip(ran.runs.indices, ran.runs.runSeconds)))
    }
}
