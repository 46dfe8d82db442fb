/// `performance.json`: how long the study took. Kept apart from `results.json`, which holds no
/// timings and so stays byte-identical across reruns.
struct PerformanceRecord: Codable {
    /// The wall time of one run.
    struct RunTime: Codable {
        let fraction: Double
        let width: Int
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
}
