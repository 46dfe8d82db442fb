import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// Early stopping on a held-out split of the poisoned training rows: `validation` of them (drawn
/// from the stream (seed, "validation-split")) are set aside, the model trains on the rest, and the
/// epoch with the lowest validation loss is kept once `patience` epochs bring no improvement. The
/// validation rows are judged by their given (possibly poisoned) labels, as a defender who cannot
/// see the poison would; with `trusted: true` by their true labels, a defender with a small trusted
/// set. Each run records the epoch it kept (`stoppingEpoch`).
public struct EarlyStoppingDefense: TrainingSetDefense {
    /// "early-stopping".
    public static let kind = "early-stopping"
    /// One sentence for help and commented study files.
    public static let summary = "Hold out part of the training rows, stop training when their loss stops falling."

    /// Share of the training rows held out for validation.
    public let validation: Double
    /// Epochs without improvement before stopping.
    public let patience: Int
    /// Judge the validation rows by their true labels.
    public let trusted: Bool

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        validation = try parameters.double("validation", default: 0.2, in: 0.01...0.9, help: "Share of the training rows held out.")
        patience = try parameters.int("patience", default: 10, in: 1...100_000, help: "Epochs without improvement before stopping.")
        trusted = try parameters.bool("trusted", default: false,
                                      help: "Judge the held-out rows by their true labels (a defender with a trusted set).")
    }

    /// "early stopping (patience 10)" or "early stopping, trusted (patience 10)".
    public var label: String { "early stopping" + (trusted ? ", trusted" : "") + " (patience \(patience))" }

    /// Its runs record the epoch they kept.
    public var recordedMetrics: [String] { [MetricKey.stoppingEpoch] }

    /// Its decision holds the validation rows' copy, their labels and the kept rows' list, and the
    /// run trains on a copy of the kept rows; while it inspects, every row's index, and the run's
    /// model trains with early stopping's workspace, losses and best parameters.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let rows = sizes.split.trainRows, held = min(max(poisonCount(fraction: validation, of: rows), 1), rows - 1)
        let kept = datasetBytes(rows: held, features: sizes.split.features) + 8 * Double(held) + sizes.rowIndexBytes + keptRowsBytes(sizes)
        let training = sizes.model.trainingBytes(rows: rows - held, settings: sizes.settings, validationRows: held, trimmed: false,
                                                 inputGradientPenalty: false)
        return MemoryNeed(kept: kept, working: max(sizes.rowIndexBytes, training))
    }

    /// Early stopping picks an epoch of SGD on a parameter vector.
    public var requirements: Set<ModelCapability> { [.parameterGradient] }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        let count = poisoned.data.count
        var rows = Array(0..<count)
        var stream = Xoshiro256StarStar(seed: trainer.seed, purpose: "validation-split")
        let held = min(max(poisonCount(fraction: validation, of: count), 1), count - 1)
        stream.choosePrefix(held, of: &rows)
        let heldOut = Array(rows.prefix(held)).sorted()
        var validationSet = poisoned.data.rows(heldOut)
        if trusted { validationSet.labels = heldOut.map { poisoned.trueLabels[$0] } }
        let kept = Array(rows.dropFirst(held)).sorted()
        return DefenseDecision(scores: nil, kept: kept,
                               training: TrainingAdjustment(earlyStopping: EarlyStopping(validation: validationSet, patience: patience)))
    }
}
