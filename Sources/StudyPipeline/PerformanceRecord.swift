import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// `performance.json`: how long the study took. Kept apart from `results.json`, which holds no
/// timings and so stays byte-identical across reruns.
public struct PerformanceRecord: Codable, Sendable {
    /// The wall time of one run.
    public struct RunTime: Codable, Sendable {
        /// The run's poison fraction.
        public let fraction: Double
        /// The run's series label.
        public let series: String
        /// The run's seed.
        public let seed: UInt64
        /// Its wall time.
        public let seconds: Double
    }

    /// The file's name.
    public static let fileName = "performance.json"
    /// Tool version.
    public let toolVersion: String
    /// SHA-256 of the results.json these timings belong to.
    public let resultsSHA256: String
    /// Worker threads used (summed over the shards of a merged sweep).
    public let threads: Int
    /// Wall seconds of the whole command: data, training, analysis and writing (for a merged sweep:
    /// the slowest shard's training).
    public let wallSeconds: Double
    /// Wall seconds of the training sweep alone.
    public let trainingSeconds: Double
    /// Runs finished per second of the training sweep.
    public let runsPerSecond: Double
    /// Every run's wall time, in run order.
    public let runs: [RunTime]

    /// The record of `runSeconds` (run index in `config.runSpecs`, seconds), in the order given;
    /// runs per second counts them against `trainingSeconds`.
    public init(study: StudyLayout, resultsSHA256: String, threads: Int, wallSeconds: Double, trainingSeconds: Double,
                runSeconds: [(index: Int, seconds: Double)]) {
        let specs = study.runSpecs
        self.toolVersion = StudyPipeline.toolVersion
        self.resultsSHA256 = resultsSHA256
        self.threads = threads
        self.wallSeconds = wallSeconds
        self.trainingSeconds = trainingSeconds
        runsPerSecond = Double(runSeconds.count) / max(trainingSeconds, 1e-9)
        runs = runSeconds.map { index, seconds in
            RunTime(fraction: specs[index].fraction, series: study.series[specs[index].series].label, seed: specs[index].seed, seconds: seconds)
        }
    }

    /// Writes performance.json into the staged output folder.
    public func write(into folder: StagedOutputFolder) throws {
        try folder.write(try sortedJSON(self), to: Self.fileName)
    }
}
