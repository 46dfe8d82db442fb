import Foundation
import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// Confident learning (Northcutt, Jiang and Chuang 2021), the rule of the `cleanlab` package's
/// `find_label_issues(filter_by="confident_learning")`: out-of-fold predicted probabilities p from
/// `folds` models of the run's architecture (rows split by the stream (seed, "confident-learning-folds"));
/// per class k the threshold t_k, the mean p_k over the rows labelled k (at least 2e-6); a row is
/// confident in class j when p_j >= t_j - 1e-6, and its guessed true class is that class when it is
/// the only one, its most probable class when there are several, and none when there is none. A row
/// is flagged when it has a guess that differs from its given label and the model does not predict
/// its given label (argmax of p, with p_given raised by 1e-6). Flagged rows are removed; the score is
/// t_given - p_given. Checked against cleanlab 2.9 on fixed probabilities (scripts/reference_statistics.py).
public struct ConfidentLearning: TrainingSetDefense {
    /// "confident-learning".
    public static let kind = "confident-learning"
    /// One sentence for help and commented study files.
    public static let summary = "Remove the rows whose out-of-fold probabilities confidently point to another class (cleanlab's rule)."

    /// Folds of the out-of-fold probabilities.
    public let folds: Int

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        folds = try parameters.int("folds", default: 4, in: 2...100, help: "Folds k of the out-of-fold predicted probabilities.")
    }

    /// "confident learning (4 folds)".
    public var label: String { "confident learning (\(folds) folds)" }

    /// It scores rows, so its runs record how well the scores and removals find the poisoned ones.
    public var recordedMetrics: [String] { MetricKey.detection }

    /// Scores and removes rows; while it inspects, the fold order and every row's probabilities in
    /// Double, a fold's held-out rows (three arrays on the way) with their set and the other rows'
    /// indices, and either a copy of the rows the fold trains on and training on them, or the model's
    /// parameters, a copy of the held-out rows and their logits.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let rows = sizes.split.trainRows, features = sizes.split.features
        let held = (rows + folds - 1) / folds, fitted = rows - rows / folds
        let fitting = datasetBytes(rows: fitted, features: features) + sizes.model.trainingBytes(rows: fitted, settings: sizes.settings)
        let predicting = sizes.parameterBytes + datasetBytes(rows: held, features: features) + 4 * Double(held) * sizes.c
            + sizes.model.evaluationBytes(rows: held)
        let folding = 8 * sizes.n + 8 * sizes.n * sizes.c + (3 * 8 + 24) * Double(held) + 8 * Double(fitted)
        return removingDefenseNeed(sizes, working: folding + max(fitting, predicting))
    }

    /// None: it reads out-of-fold decision values.
    public var requirements: Set<ModelCapability> { [] }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        let data = poisoned.data, classes = data.classCount
        var order = Array(0..<data.count)
        var stream = Xoshiro256StarStar(seed: trainer.seed, purpose: "confident-learning-folds")
        for index in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(index, stream.nextInt(below: index + 1)) }
        var probabilities = [Double](repeating: 0, count: data.count * classes)
        for fold in 0..<min(folds, data.count) {
            let held = order.indices.filter { $0 % folds == fold }.map { order[$0] }.sorted()
            let heldSet = Set(held)
            let outcome = trainer.train(data.rows((0..<data.count).filter { !heldSet.contains($0) }))
            guard outcome.divergedEpoch == nil else { return nil }
            let logits = outcome.model.logits(on: data.rows(held))
            for (i, row) in held.enumerated() {
                // Softmax in Double.
                let z = (0..<classes).map { Double(logits[i * classes + $0]) }
                let top = z.max()!
                let total = z.reduce(0) { $0 + exp($1 - top) }
                for k in 0..<classes { probabilities[row * classes + k] = exp(z[k] - top) / total }
            }
        }
        let (flags, scores) = Self.issues(probabilities: probabilities, labels: data.labels, classes: classes)
        return DefenseDecision(scores: scores, kept: flags.indices.filter { !flags[$0] })
    }

    /// The label issues of rows with predicted probabilities [rows x classes] and given labels, by the
    /// rule above, and each row's score t_given - p_given.
    static func issues(probabilities p: [Double], labels: [Int], classes: Int) -> (flags: [Bool], scores: [Double]) {
        let thresholds = (0..<classes).map { k -> Double in
            let rows = labels.indices.filter { labels[$0] == k }
            guard !rows.isEmpty else { return 2 }
            return max(rows.reduce(0) { $0 + p[$1 * classes + k] } / Double(rows.count), 2e-6)
        }
        var flags = [Bool](), scores = [Double]()
        for (row, label) in labels.enumerated() {
            let probability = { (k: Int) in p[row * classes + k] }
            let confident = (0..<classes).filter { probability($0) >= thresholds[$0] - 1e-6 }
            let argmax = (0..<classes).max { probability($0) != probability($1) ? probability($0) < probability($1) : $0 > $1 }!
            let guess: Int? = confident.count > 1 ? argmax : confident.first
            let predictsGiven = (0..<classes).max { a, b in
                let (x, y) = (probability(a) + (a == label ? 1e-6 : 0), probability(b) + (b == label ? 1e-6 : 0))
                return x != y ? x < y : a > b
            }! == label
            flags.append(guess.map { $0 != label } == true && !predictsGiven)
            scores.append(thresholds[label] - probability(label))
        }
        return (flags, scores)
    }
}
