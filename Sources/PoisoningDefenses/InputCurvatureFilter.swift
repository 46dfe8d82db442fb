import PoisoningData
import PoisoningModels
import PoisoningUtilities

extension MetricKey {
    /// The largest relative residual ‖H_r v_r - λ_r v_r‖ / max(|λ_r|, σ_r) (`InputCurvature.relativeResidual`)
    /// over the rows the input-curvature filter scored.
    public static let inputCurvatureFilterResidual = "inputCurvatureFilterResidual"
    /// How many of the rows the input-curvature filter scored power iteration left short of the
    /// residual tolerance after `InputHessian.maximumProducts` products (0 with the exact decomposition).
    public static let inputCurvatureFilterUnconverged = "inputCurvatureFilterUnconverged"
}

/// Input-curvature sanitisation (after Granziol 2026, who finds that clustered dirty-label poisons
/// add a spike to the Hessian of the loss with respect to the input): train the run's model on every
/// row, score each row by the top eigenvalue λ_r of its own input Hessian H_r = ∂²ℓ_r/∂x² (`InputHessianEvaluator.rowTops`:
/// up to `InputHessian.exactInputLimit` features each H_r built from exact Hessian-vector products and
/// decomposed in full, above it power iteration to a residual tolerance from the stream (seed, "input
/// curvature")), drop the round(drop · n) rows with the highest scores
/// (ties: the earlier row first) and train again from scratch on the rest. For a ReLU network with
/// softmax cross-entropy H_r = J_zᵀ (diag(p) - p pᵀ) J_z almost everywhere, which does not depend on
/// the row's label: the score measures how uncertain and how sensitive the model is at the row, not
/// whether its label fits. For kernel ridge's squared error it does depend on the label
/// (`KernelRidgeInputHessian`). The paper scores the spike of the mean Hessian; scoring each row by its
/// own top eigenvalue is this tool's per-row reading of it.
public struct InputCurvatureFilter: TrainingSetDefense {
    /// "input-curvature".
    public static let kind = "input-curvature"
    /// One sentence for help and commented study files.
    public static let summary = "Train, drop the rows whose input Hessian of the loss has the largest top eigenvalue, train again on the rest."

    /// Fraction of the training rows to drop.
    public let drop: Double

    /// An input-curvature filter dropping `drop` of the rows (0 <= drop < 1).
    public init(drop: Double) {
        precondition((0..<1).contains(drop), "drop must lie in [0, 1)")
        self.drop = drop
    }

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        let drop = try parameters.double("drop", default: 0.1, in: 0...0.95, help: "Fraction of the training rows to remove.")
        self.init(drop: drop)
    }

    /// "input-curvature 10%".
    public var label: String { "input-curvature " + percentLabel(drop) }

    /// It scores rows, so its runs record how well the scores and removals find the poisoned ones,
    /// and how well the scores' eigenvalues converged.
    public var recordedMetrics: [String] { MetricKey.detection + [MetricKey.inputCurvatureFilterResidual, MetricKey.inputCurvatureFilterUnconverged] }

    /// Scores and removes rows; while it inspects, training a model, or its parameters with the input
    /// Hessian's buffers for every row (`TrainableModel.inputHessianBytes`) and three vectors per row (start vectors, products, their copy),
    /// with up to `InputHessian.exactInputLimit` features every row's d x d Hessian in Float, then the ranking and the set of removed rows.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let exact = sizes.d <= Double(InputHessian.exactInputLimit) ? 4 * sizes.n * sizes.d * sizes.d : 0
        let scoring = sizes.parameterBytes + sizes.model.inputHessianBytes(rows: sizes.split.trainRows) + 3 * 4 * sizes.n * sizes.d
            + exact + 8 * sizes.n + 24 * sizes.n
        return removingDefenseNeed(sizes, working: max(sizes.trainingBytes, scoring))
    }

    /// Exact input Hessian-vector products of the trained model.
    public var requirements: Set<ModelCapability> { [.inputHessian] }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        let first = trainer.train(poisoned.data)
        guard first.divergedEpoch == nil else { return nil }
        let tops = Self.tops(first.model.capable((any InputHessianClassifier).self), on: poisoned.data, seed: trainer.seed)
        let scores = tops.values
        let removed = Set(rankedDescending(scores).prefix(poisonCount(fraction: drop, of: scores.count)))
        var metrics = [String: Double]()
        if let largest = tops.relativeResiduals.max() {
            metrics[MetricKey.inputCurvatureFilterResidual] = largest
            metrics[MetricKey.inputCurvatureFilterUnconverged] = Double(tops.converged.filter { !$0 }.count)
        }
        return DefenseDecision(scores: scores, kept: scores.indices.filter { !removed.contains($0) }, metrics: metrics)
    }

    /// Each row's top input-Hessian eigenpair under `model` (its eigenvalue is the row's score).
    static func tops(_ model: any InputHessianClassifier, on data: Dataset, seed: UInt64) -> RowCurvatures {
        guard data.count > 0 else { return RowCurvatures([]) }
        return model.inputHessian(rows: data.count).rowTops(inputs: data.features, labels: data.labels, seed: seed)
    }
}
