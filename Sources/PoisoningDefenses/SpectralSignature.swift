import Foundation
import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// Spectral signatures (Tran, Li and Madry 2018): train the run's model on the poisoned set; per
/// class c, take the top singular vector v of the centred representations (the last hidden layer) and
/// score each row by its squared projection ((φ(x) - mean) · v)²; remove the ⌈1.5 ε n_c⌉ highest
/// scores of each class and train again on the rest. As in the paper, ε is a share of each class: an
/// upper bound on the share of a class's rows (those carrying its label, n_c of them) that are
/// poisoned, which the defender supplies; it is not estimated from the data. A backdoor of 10% of the
/// training rows aimed at one of five equal classes is a third of that class, so it takes ε = 1/3 to
/// remove it all; ε = 0.1 removes 15% of the class, at most 45% of the poison.
public struct SpectralSignature: TrainingSetDefense {
    /// "spectral-signature".
    public static let kind = "spectral-signature"
    /// One sentence for help and commented study files.
    public static let summary = "Per class, remove the rows with the largest projection on the top singular vector of the representations."

    /// ε, the share of each class the defender expects to be poisoned (at most).
    public let epsilon: Double

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        epsilon = try parameters.double("epsilon", default: 0.1, in: 0...0.6,
                                        help: "The share ε of each class's rows the defender expects to be poisoned (at most); "
                                            + "1.5 ε of each class is removed.")
    }

    /// "spectral signature (ε = 0.1 per class)".
    public var label: String { "spectral signature (ε = \(epsilon) per class)" }

    /// It scores rows, so its runs record how well the scores and removals find the poisoned ones.
    public var recordedMetrics: [String] { MetricKey.detection }

    /// Scores and removes rows; while it inspects, grouping a model's representations (one direction).
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        removingDefenseNeed(sizes, working: ClassRepresentations.bytes(sizes, components: 1))
    }

    /// It projects the model's representations.
    public var requirements: Set<ModelCapability> { [.representation] }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        guard let representations = ClassRepresentations(poisoned, trainer: trainer) else { return nil }
        return decide(representations, rowCount: poisoned.data.count)
    }

    /// The scores and kept rows for representations grouped by class.
    func decide(_ representations: ClassRepresentations, rowCount: Int) -> DefenseDecision {
        var scores = [Double](repeating: 0, count: rowCount), removed = Set<Int>()
        for (rows, centred) in representations.classes where !rows.isEmpty {
            let top = ClassRepresentations.leadingDirections(centred, width: representations.width, count: 1)
            let projections = ClassRepresentations.project(centred, width: representations.width, on: top)
            let classScores = projections.map { ($0.first ?? 0) * ($0.first ?? 0) }
            for (i, row) in rows.enumerated() { scores[row] = classScores[i] }
            let drop = min(Int((1.5 * epsilon * Double(rows.count)).rounded(.up)), rows.count)
            for i in rankedDescending(classScores).prefix(drop) { removed.insert(rows[i]) }
        }
        return DefenseDecision(scores: scores, kept: scores.indices.filter { !removed.contains($0) })
    }
}
