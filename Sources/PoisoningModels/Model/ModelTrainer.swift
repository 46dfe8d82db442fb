import PoisoningData
import PoisoningUtilities

/// Trains a run's model (its kind at the data's sizes, training settings and seed) on any rows: what
/// an informed attack uses for a model of the clean data, and a defense for one of the poisoned data.
public struct ModelTrainer: Sendable {
    /// The run's model.
    public let model: any TrainableModel
    /// The run's SGD settings.
    public let settings: TrainingSettings
    /// The run's seed.
    public let seed: UInt64

    /// A trainer for one run.
    public init(model: any TrainableModel, settings: TrainingSettings, seed: UInt64) {
        self.model = model
        self.settings = settings
        self.seed = seed
    }

    /// Trains from scratch on `data` (rows and labels), as `adjustment` says.
    public func train(_ data: Dataset, adjustment: TrainingAdjustment = TrainingAdjustment()) -> ModelFit {
        model.train(data, settings: settings, seed: seed, adjustment: adjustment)
    }

    /// Whether `other` trains exactly as this one: the same model, settings and seed.
    package func trainsLike(_ other: ModelTrainer) -> Bool {
        seed == other.seed && settings == other.settings && model.identity == other.model.identity
    }
}

/// What an informed attacker knows of the victim when it trains its surrogate model of the clean data.
public enum AttackerKnowledge: String, Sendable, Codable, Equatable {
    /// Transfer setting, the default: the surrogate has the victim's architecture, training settings
    /// and clean rows, but its own seed (so its own initialisation and data order). For a model whose
    /// training does not depend on the seed, that is the white box.
    case transfer
    /// White box: the surrogate is the victim's clean model itself (the run's seed, initialisation
    /// and data order).
    case whiteBox = "white box"

    /// Reads the attack's `white-box` key (default false: transfer).
    public static func read(_ parameters: inout ParameterReader) throws -> AttackerKnowledge {
        try parameters.bool("white-box", default: false,
                            help: "Train the surrogate model with the run's own seed (white box: the victim's exact clean model). "
                                + "Off by default: the surrogate has a seed of its own (transfer setting).") ? .whiteBox : .transfer
    }
}

extension ModelTrainer {
    /// The trainer of an attacker's surrogate: this one in the white-box setting, or for a model whose
    /// training does not depend on the seed (kernel ridge, the linear SVM: another seed would train
    /// the same model); otherwise the same architecture and settings with the seed drawn from the
    /// run's stream (seed, "surrogate"), so that the surrogate's initialisation and data order are
    /// not the victim's.
    public func surrogate(_ knowledge: AttackerKnowledge) -> ModelTrainer {
        guard knowledge == .transfer, model.trainingDependsOnSeed else { return self }
        var stream = Xoshiro256StarStar(seed: seed, purpose: "surrogate")
        return ModelTrainer(model: model, settings: settings, seed: stream.next())
    }
}
