import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// Flips the labels of the training rows the clean model classifies with the largest margin (the
/// "far-first" heuristic; see `InformedLabelFlip`).
public struct ConfidentFlip: PoisoningAttack {
    /// "confident-flip".
    public static let kind = "confident-flip"
    /// None: the victim's accuracy is the only measure of its success.
    public static let successMetricKey: String? = nil
    /// One sentence for help and commented study files.
    public static let summary = "Flip the labels of the round(fraction · n) training rows the clean model is most confident about."

    /// Where flipped labels go.
    let relabel: InformedLabelFlip.Relabel
    /// Whose seed the surrogate model of the clean data is trained with.
    let attacker: AttackerKnowledge

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        relabel = try InformedLabelFlip.relabel(&parameters)
        attacker = try AttackerKnowledge.read(&parameters)
    }

    /// "confident flip (to worst)", with ", white box" in that setting.
    public var label: String { "confident flip (to \(relabel.rawValue)\(attacker == .whiteBox ? ", white box" : ""))" }

    /// What its surrogate knows of the victim.
    public var knowledge: AttackerKnowledge? { attacker }

    /// An informed flip's (`InformedLabelFlip.memoryNeed`).
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed { InformedLabelFlip.memoryNeed(sizes) }

    /// None: it reads the clean model's decision values.
    public var requirements: Set<ModelCapability> { [] }

    /// The poisoned training set of `split` at `fraction`, every random choice from streams of `seed`.
    public func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer) -> PoisonedTrainingSet? {
        InformedLabelFlip.poison(split, fraction: fraction, seed: seed, trainer: trainer.surrogate(attacker),
                               smallestFirst: false, relabel: relabel)
    }
}
