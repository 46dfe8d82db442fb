import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// Trimmed-loss training after TRIM (Jagielski et al. 2018): train the run's model with every
/// epoch's SGD steps on the (1 - ε) share of the rows with the lowest current loss (measured before
/// the epoch), then train again from scratch on the rows that took part in the last epoch. Each row's
/// score is its final loss under the trimmed model, so detection is measured as for the loss filter.
public struct TrimmedLoss: TrainingSetDefense {
    /// "trimmed-loss".
    public static let kind = "trimmed-loss"
    /// One sentence for help and commented study files.
    public static let summary = "Train each epoch on the rows with the lowest current loss, then train again on the final ones."

    /// ε, the share of rows left out of each epoch.
    public let epsilon: Double

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        epsilon = try parameters.double("epsilon", default: 0.1, in: 0...0.9,
                                        help: "Share ε of the rows with the highest current loss left out of each epoch.")
    }

    /// "trimmed loss 10%".
    public var label: String { "trimmed loss " + percentLabel(epsilon) }

    /// It scores rows, so its runs record how well the scores and removals find the poisoned ones.
    public var recordedMetrics: [String] { MetricKey.detection }

    /// Scores and removes rows; while it inspects, trimmed-loss training, then the model's parameters,
    /// every row's loss with a workspace, the rows left out and their set.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let training = sizes.model.trainingBytes(rows: sizes.split.trainRows, settings: sizes.settings, validationRows: 0, trimmed: true,
                                                 inputGradientPenalty: false)
        let scoring = sizes.parameterBytes + sizes.trainEvaluationBytes + 8 * sizes.n + 24 * sizes.n
        return removingDefenseNeed(sizes, working: max(training, scoring))
    }

    /// Those of trimmed epochs.
    public var requirements: Set<ModelCapability> { TrainingAdjustment(trimmedShare: epsilon).requirements }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        let outcome = trainer.train(poisoned.data, adjustment: TrainingAdjustment(trimmedShare: epsilon))
        guard outcome.divergedEpoch == nil else { return nil }
        let left = Set(outcome.trimmedRows ?? [])
        return DefenseDecision(scores: outcome.model.rowLosses(on: poisoned.data),
                               kept: (0..<poisoned.data.count).filter { !left.contains($0) })
    }
}
