/// Loss-based sanitisation: train the run's model on every row, score each row by its final
/// training loss (softmax cross-entropy against its possibly poisoned label; flipped labels are
/// hard to fit), drop the round(drop · n) rows with the highest loss (ties: the earlier row is
/// dropped first) and train again from scratch on the rest.
public struct LossFilter: TrainingSetDefense {
    public static let kind = "loss-filter"
    public static let summary = "Train, drop the rows with the highest training loss, train again on the rest."

    /// Fraction of the training rows to drop.
    public let drop: Double

    /// A loss filter dropping `drop` of the rows (0 <= drop < 1).
    public init(drop: Double) {
        precondition((0..<1).contains(drop), "drop must lie in [0, 1)")
        self.drop = drop
    }

    public init(parameters: inout ParameterReader) throws {
        self.init(drop: try parameters.double("drop", default: 0.1, in: 0...0.95,
                                              help: "Fraction of the training rows with the highest loss to remove."))
    }

    /// "loss-filter 10%".
    public var label: String { "loss-filter " + percentLabel(drop) }

    /// It scores rows, so its runs record how well the scores and removals find the poisoned ones.
    public var recordedMetrics: [String] { MetricKey.detection }

    /// Scores and removes rows; while it inspects, training a model, then its parameters, every
    /// row's loss with a workspace, the rows ranked by loss and the set of removed rows.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let ranking = sizes.parameterBytes + evaluationBytes(sizes.shape, rows: sizes.split.trainRows) + 8 * sizes.n + 24 * sizes.n
        return removingDefenseNeed(sizes, working: max(sizes.trainingBytes, ranking))
    }

    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        let first = trainer.train(poisoned.data)
        guard first.divergedEpoch == nil else { return nil }
        let losses = first.parameters.rowLosses(on: poisoned.data)
        let removed = Set(rankedDescending(losses).prefix(poisonCount(fraction: drop, of: losses.count)))
        return DefenseDecision(scores: losses, kept: losses.indices.filter { !removed.contains($0) })
    }
}

/// Row indices by descending score, the earlier row first among equal scores (NaN ranks highest).
public func rankedDescending(_ scores: [Double]) -> [Int] {
    scores.indices.sorted { a, b in
        let (x, y) = (scores[a].isNaN ? .infinity : scores[a], scores[b].isNaN ? .infinity : scores[b])
        return x != y ? x > y : a < b
    }
}

/// A fraction as a short percentage: 0.1 -> "10%", 0.125 -> "12.5%".
func percentLabel(_ fraction: Double) -> String {
    let percent = fraction * 100
    return (percent == percent.rounded() ? "\(Int(percent))" : "\((percent * 10).rounded() / 10)") + "%"
}
