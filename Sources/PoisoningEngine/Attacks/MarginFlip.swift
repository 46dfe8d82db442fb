/// Flips the labels of the training rows the clean model classifies with the smallest margin (the
/// "nearest-first" heuristic; see `InformedLabelFlip`).
public struct MarginFlip: PoisoningAttack {
    public static let kind = "margin-flip"
    public static let summary = "Flip the labels of the round(fraction · n) training rows nearest the clean model's decision boundary."

    /// Where flipped labels go.
    let relabel: InformedLabelFlip.Relabel

    public init(parameters: inout ParameterReader) throws {
        relabel = try InformedLabelFlip.relabel(&parameters)
    }

    /// "margin flip (to worst)".
    public var label: String { "margin flip (to \(relabel.rawValue))" }

    /// An informed flip's (`InformedLabelFlip.memoryNeed`).
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed { InformedLabelFlip.memoryNeed(sizes) }

    public func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer) -> PoisonedTrainingSet? {
        InformedLabelFlip.poison(split, fraction: fraction, seed: seed, trainer: trainer, smallestFirst: true, relabel: relabel)
    }
}
