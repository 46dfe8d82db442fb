import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// The shared work of the informed label flips (`margin-flip`, `confident-flip`): train the run's
/// model on the clean training rows, measure every row's margin m = z_y - max_{k≠y} z_k (its true
/// class's logit minus the best wrong class's), and flip the round(fraction · n) rows that come first
/// in margin order, ties by row index.
///
/// The orders are the heuristics of Xiao, Biggio, Nelson et al., "Support vector machines under
/// adversarial label contamination" (Neurocomputing 2015), which extend Biggio, Nelson and Laskov
/// (ACML 2011): "nearest-first" flips the points closest to the clean decision boundary (smallest
/// margin, `margin-flip`), "far-first" those farthest from it (largest margin, `confident-flip`).
/// Here the margin is the clean network's logit margin rather than an SVM's distance to its hyperplane.
enum InformedLabelFlip {
    /// Where a flipped row's label goes.
    enum Relabel: String, CaseIterable {
        /// The clean model's highest-scoring wrong class: the flip that hurts most under that model.
        case worst
        /// A class drawn uniformly from the other classes, from the stream (seed, "poison-labels").
        case random
    }

    /// Reads the `to` parameter.
    static func relabel(_ parameters: inout ParameterReader) throws -> Relabel {
        Relabel(rawValue: try parameters.string("to", default: Relabel.worst.rawValue, oneOf: Relabel.allCases.map(\.rawValue),
                                                help: "The new label: worst (the clean model's highest-scoring wrong class) or "
                                                    + "random (a uniformly drawn other class)."))!
    }

    /// The memory of an informed flip: the poisoned set's labels and rows, as a label flip's; while it
    /// works, training the clean model, then that model's parameters, its logits of every training
    /// row with a workspace, every row's margin and worst class, and the rows in margin order.
    static func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let (n, c) = (sizes.n, sizes.c)
        let margins = sizes.parameterBytes + 4 * n * c + sizes.trainEvaluationBytes + 3 * 8 * n
        return MemoryNeed(kept: sizes.rowIndexBytes + 8 * sizes.p, working: max(sizes.trainingBytes, margins))
    }

    /// Every training row's margin under the clean model and its highest-scoring wrong class; nil when
    /// the clean model diverged.
    static func margins(of train: Dataset, trainer: ModelTrainer) -> (margins: [Double], worst: [Int])? {
        let outcome = trainer.train(train)
        guard outcome.divergedEpoch == nil else { return nil }
        let logits = outcome.model.logits(on: train)
        let classes = train.classCount
        var margins = [Double](), worst = [Int]()
        for row in 0..<train.count {
            let z = { (k: Int) in Double(logits[row * classes + k]) }
            let label = train.labels[row]
            var best = label == 0 ? 1 : 0
            for k in 0..<classes where k != label && z(k) > z(best) { best = k }
            margins.append(z(label) - z(best))
            worst.append(best)
        }
        return (margins, worst)
    }

    /// The `count` rows that come first in ascending (`smallestFirst`) or descending margin order,
    /// ties broken by row index.
    static func select(_ count: Int, by margins: [Double], smallestFirst: Bool) -> [Int] {
        let order = margins.indices.sorted {
            margins[$0] != margins[$1] ? (smallestFirst ? margins[$0] < margins[$1] : margins[$0] > margins[$1]) : $0 < $1
        }
        return Array(order.prefix(count))
    }

    /// The poisoned set: the first round(fraction · n) rows in ascending margin order
    /// (`smallestFirst`) or descending, each relabelled as `relabel` says.
    static func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer,
                       smallestFirst: Bool, relabel: Relabel) -> PoisonedTrainingSet? {
        let train = split.train
        precondition((0...1).contains(fraction) && train.classCount >= 2)
        let count = poisonCount(fraction: fraction, of: train.count)
        guard count > 0 else { return PoisonedTrainingSet(data: train, trueLabels: train.labels, poisonedRows: []) }
        guard let (margins, worst) = margins(of: train, trainer: trainer) else { return nil }
        let chosen = select(count, by: margins, smallestFirst: smallestFirst)
        var labelStream = Xoshiro256StarStar(seed: seed, purpose: "poison-labels")
        var poisoned = train
        for row in chosen {
            switch relabel {
            case .worst: poisoned.labels[row] = worst[row]
            case .random: poisoned.labels[row] = (train.labels[row] + 1 + labelStream.nextInt(below: train.classCount - 1)) % train.classCount
            }
        }
        return PoisonedTrainingSet(data: poisoned, trueLabels: train.labels, poisonedRows: chosen)
    }
}
