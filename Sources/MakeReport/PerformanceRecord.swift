import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// The tool version, named apart from `PerformanceRecord.toolVersion`, which shadows it inside the type.
private let currentToolVersion = toolVersion

/// `performance.json`: how long the study took. Kept apart from `results.json`, which holds no
/// timings and so stays byte-identical across reruns.
struct PerformanceRecord: Codable {
    /// The wall time of one run.
    struct RunTime: Codable {
        let fraction: Double
        let series: String
        let seed: UInt64
        let seconds: Double
    }

    /// Tool version.
    let toolVersion: String
    /// Worker threads used (summed over the shards of a merged sweep).
    let threads: Int
    /// Wall seconds of the whole command: data, training, analysis and writing (for a merged sweep:
    /// the slowest shard's training).
    let wallSeconds: Double
    /// Wall seconds of the training sweep alone.
    let trainingSeconds: Double
    /// Runs finished per second of the training sweep.
    let runsPerSecond: Double
    /// Every run's wall time, in run order.
    let runs: [RunTime]

    /// The record of `runSeconds` (run index in `config.runSpecs`, seconds), in the order given;
    /// runs per second counts them against `trainingSeconds`.
    init(study: Study, threads: Int, wallSeconds: Double, trainingSeconds: Double,
         runSeconds: [(index: Int, seconds: Double)]) {
        let specs = study.runSpecs
        self.toolVersion = currentToolVersion
        self.threads = threads
        self.wallSeconds = wallSeconds
        self.trainingSeconds = trainingSeconds
        runsPerSecond = Double(runSeconds.count) / max(trainingSeconds, 1e-9)
        runs = runSeconds.map { index, seconds in
            RunTime(fraction: specs[index].fraction, series: study.series[specs[index].series].label, seed: specs[index].seed, seconds: seconds)
        }
    }

    /// Writes performance.json into `folderPath`, atomically.
    func write(into folderPath: String) throws {
        try OutputFolder(path: folderPath).write(try sortedJSON(self), to: "performance.json")
    }
}
