import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// Loss-based sanitisation: train the run's model on every row, score each row by its final
/// training loss (softmax cross-entropy against its possibly poisoned label), drop the round(drop · n)
/// rows that come first by score (ties: the earlier row is dropped first) and train again from
/// scratch on the rest. Which side is suspicious depends on the attack: flipped labels are hard to
/// fit, so with `side: high` the score is the loss and the highest losses go; backdoored rows are
/// learnt fastest (Li et al. 2021, "Anti-backdoor learning", which isolates the lowest-loss rows), so
/// with `side: low` the score is the negated loss and the lowest losses go. Li et al. rank by the loss
/// early in training under their local gradient ascent; here the plain model's final loss is ranked.
public struct LossFilter: TrainingSetDefense {
    /// "loss-filter".
    public static let kind = "loss-filter"
    /// One sentence for help and commented study files.
    public static let summary = "Train, drop the rows with the highest (or lowest) training loss, train again on the rest."

    /// Which end of the losses is suspicious.
    public enum Side: String, CaseIterable, Sendable {
        /// The highest losses (rows the model cannot fit, such as flipped labels).
        case high
        /// The lowest losses (rows the model learns fastest, such as backdoored ones).
        case low
    }

    /// Fraction of the training rows to drop.
    public let drop: Double
    /// Which end of the losses it drops.
    public let side: Side

    /// A loss filter dropping `drop` of the rows (0 <= drop < 1) at `side` of the losses.
    public init(drop: Double, side: Side = .high) {
        precondition((0..<1).contains(drop), "drop must lie in [0, 1)")
        self.drop = drop
        self.side = side
    }

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        let drop = try parameters.double("drop", default: 0.1, in: 0...0.95, help: "Fraction of the training rows to remove.")
        let side = try parameters.string("side", default: Side.high.rawValue, oneOf: Side.allCases.map(\.rawValue),
                                         help: "Which losses are suspicious: high (rows the model cannot fit, e.g. flipped labels) "
                                             + "or low (rows it learns fastest, e.g. backdoored ones).")
        self.init(drop: drop, side: Side(rawValue: side)!)
    }

    /// "loss-filter 10%", or "loss-filter 10% (low)" when it drops the lowest losses.
    public var label: String { "loss-filter " + percentLabel(drop) + (side == .low ? " (low)" : "") }

    /// It scores rows, so its runs record how well the scores and removals find the poisoned ones.
    public var recordedMetrics: [String] { MetricKey.detection }

    /// Scores and removes rows; while it inspects, training a model, then its parameters, every
    /// row's loss with a workspace, the rows ranked by score and the set of removed rows.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let ranking = sizes.parameterBytes + sizes.trainEvaluationBytes + 8 * sizes.n + 24 * sizes.n
        return removingDefenseNeed(sizes, working: max(sizes.trainingBytes, ranking))
    }

    /// None: it reads a trained model's row losses.
    public var requirements: Set<ModelCapability> { [] }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        let first = trainer.train(poisoned.data)
        guard first.divergedEpoch == nil else { return nil }
        var scores = first.model.rowLosses(on: poisoned.data)
        if side == .low { for row in scores.indices { scores[row] = -scores[row] } }
        let removed = Set(rankedDescending(scores).prefix(poisonCount(fraction: drop, of: scores.count)))
        return DefenseDecision(scores: scores, kept: scores.indices.filter { !removed.contains($0) })
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
