import PoisoningData
import PoisoningModels
import PoisoningUtilities

extension MetricKey {
    /// λ_max of the mean input Hessian of the loss over the clean test rows (`InputCurvatureMeasurement`).
    public static let inputCurvatureTopClean = "inputCurvatureTopClean"
    /// λ_max of the mean input Hessian of the loss over the triggered test rows of a backdoor.
    public static let inputCurvatureTopTriggered = "inputCurvatureTopTriggered"
    /// λ_max of the mean input Hessian of the loss over the training rows the attack poisoned.
    public static let inputCurvatureTopPoisoned = "inputCurvatureTopPoisoned"
    /// `inputCurvatureTopPoisoned` of the clean model of the same series and seed (fraction 0), over
    /// the same poisoned rows with the same labels: what the rows' curvature is without the poisons.
    public static let inputCurvatureTopPoisonedBaseline = inputCurvatureTopPoisoned + baselineSuffix
    /// |cos| of the angle between the top eigenvector over the clean test rows and a trigger's direction.
    public static let inputCurvatureTriggerAlignment = "inputCurvatureTriggerAlignment"
    /// The largest relative residual ‖H̄ v - λ v‖ / max(|λ|, σ) (`InputCurvature.relativeResidual`) of
    /// the run's input-curvature eigenpairs (the clean, triggered and poisoned rows, and the poisoned
    /// rows' baseline): rounding for the exact decomposition, at most `InputHessian.residualTolerance`
    /// where power iteration converged.
    public static let inputCurvatureResidual = "inputCurvatureResidual"
    /// How many of the run's input-curvature eigenpairs power iteration left short of the residual
    /// tolerance after `InputHessian.maximumProducts` products (0 to 4; 0 with the exact decomposition).
    public static let inputCurvatureUnconverged = "inputCurvatureUnconverged"
}

/// Input-space curvature of the trained model (after Granziol 2026, who finds that clustered
/// dirty-label poisons add a rank-one spike, aligned with the poisons, to the Hessian of the loss with
/// respect to the input): the top eigenpair (λ, v) of the mean input Hessian H̄ = (1/m) Σ_r ∂²ℓ_r/∂x²
/// over three sets of rows, from exact Hessian-vector products (`InputHessianEvaluator.meanTop`: up to
/// `InputHessian.exactInputLimit` features H̄ built exactly and decomposed in full, above it power
/// iteration to a residual tolerance from the stream (seed, "input curvature")):
/// - the clean test rows (every run): `inputCurvatureTopClean`; for an attack that stamps a trigger
///   (`PoisonedTrainingSet.triggered`), also |vᵀt| for its eigenvector v and the trigger's unit
///   direction t (`TriggeredInputs.direction`): `inputCurvatureTriggerAlignment`, in [0, 1], the
///   direction of the spike. A direction drawn uniformly from the unit sphere in d dimensions has
///   E|vᵀt| = Γ(d/2) / (√π Γ((d+1)/2)), about √(2 / (π d)) for large d, and the run at fraction 0
///   measures the clean model's;
/// - the test rows of the classes other than the target with the trigger:
///   `inputCurvatureTopTriggered`;
/// - the training rows the attack poisoned: `inputCurvatureTopPoisoned` (absent when it poisoned
///   none, as at fraction 0), and its clean baseline `inputCurvatureTopPoisonedBaseline`: the same
///   rows, with the same labels, under the clean model of the same series and seed (the fraction-0
///   run's model, `PreparedRun.cleanModelOfTheRun`: trained once per model and seed and shared by
///   every fraction), so that the spike the poisons add is the difference of the two, as an
///   attack's success is corrected by the clean model's rate. Absent in a series whose defense
///   changes training or the rows (its fraction-0 model is not at hand; an input-gradient penalty of
///   λ 0 trains as no defense and has it) and where the clean model diverged.
/// For a ReLU network with softmax cross-entropy H_r = J_zᵀ (diag(p) - p pᵀ) J_z does not depend on the
/// row's label (`InputHessian`), so the labels above only name the rows, and H̄ is positive
/// semi-definite (λ ≥ 0). For kernel ridge's squared error H_r depends on the row's label (the true
/// one for the clean rows, the target for the triggered ones, the poisoned label for the poisoned
/// rows) and can be indefinite (`KernelRidgeInputHessian`): λ is still the largest eigenvalue, and
/// can be negative. The eigenvalues are in the loss's units per squared input unit. Every run also
/// records how exact its eigenpairs are: the largest relative residual (`inputCurvatureResidual`) and
/// how many power iteration left unconverged at its cap (`inputCurvatureUnconverged`), whose
/// eigenvalues are the last Rayleigh quotients, below the largest eigenvalue.
public enum InputCurvatureMeasurement: RunMeasurement {
    /// "input-curvature".
    public static let kind = "input-curvature"
    /// One sentence for help and commented study files.
    public static let summary = "The top eigenvalue of the mean input Hessian of the loss over the clean test rows, the triggered test "
        + "rows (backdoors) and the poisoned training rows, and the alignment of the clean rows' top eigenvector with the trigger. "
        + "Option: vanish-margin (default 0.1, in a study file as {kind: input-curvature, vanish-margin: 0.1}), the share of the "
        + "clustered reference's spike within which a near-clone spike counts as vanished."

    /// The default `vanishMargin`.
    public static let defaultVanishMargin = 0.1
    /// The values `vanish-margin` may take: above 0 (a margin of 0 shows nothing vanished, whatever
    /// the seeds) and at most a half (a spike half as large as the clustered one has not vanished).
    public static let vanishMarginRange = 0.001...0.5

    /// Reads `vanish-margin`: the share of the clustered reference's spike within which a near-clone
    /// spike counts as vanished (`CurvatureClaims.NearCloneRegime.vanishMargin`).
    public static func readOptions(_ reader: inout ParameterReader) throws {
        _ = try reader.double("vanish-margin", default: defaultVanishMargin, in: vanishMarginRange,
                              help: "The near-clone claim's margin for the spike, as a share of the clustered reference's spike: a near-clone "
                                  + "spike whose interval lies within ± this share of it has vanished, one beyond it is visible, in "
                                  + "[\(vanishMarginRange.lowerBound), \(vanishMarginRange.upperBound)] (default \(defaultVanishMargin)).")
    }

    /// The study's `vanish-margin` (`readOptions`), or the default when its `measure:` names input-curvature alone.
    public static func vanishMargin(_ config: StudyConfig) -> Double {
        switch config.measureOptions[kind]?.value(at: "vanish-margin") {
        case .double(let value)?: value
        case .int(let value)?: Double(value)
        default: defaultVanishMargin
        }
    }

    /// Exact input Hessian-vector products of the trained model.
    public static let requirements: Set<ModelCapability> = [.inputHessian]

    /// Over the clean test rows and the poisoned training rows; with a trigger also over the
    /// triggered test rows, and the clean rows' alignment with the trigger.
    public static func metrics(triggered: Bool) -> [MetricInfo] {
        let top = "top eigenvalue of the mean input Hessian of the loss"
        let clean = MetricInfo(key: MetricKey.inputCurvatureTopClean, name: "Input curvature, clean test rows",
                               meaning: top + " over the clean test rows")
        let poisoned = MetricInfo(key: MetricKey.inputCurvatureTopPoisoned, name: "Input curvature, poisoned training rows",
                                  meaning: top + " over the training rows the attack poisoned")
        let baseline = MetricInfo(key: MetricKey.inputCurvatureTopPoisonedBaseline, name: "Input curvature, poisoned training rows, clean model",
                                  meaning: top + " over the training rows the attack poisoned, of the clean model of the same series and seed "
                                      + "(no defense, or one that trains as none, such as an input-gradient penalty of λ 0)")
        let residual = MetricInfo(key: MetricKey.inputCurvatureResidual, name: "Input curvature, largest relative residual",
                                  meaning: "the largest ‖H v - λ v‖ / max(|λ|, σ) of the run's input-curvature eigenpairs (σ the spectral radius "
                                      + "where the Hessian may be indefinite)")
        let unconverged = MetricInfo(key: MetricKey.inputCurvatureUnconverged, name: "Input curvature, unconverged eigenpairs",
                                     meaning: "how many of the run's input-curvature eigenpairs power iteration left above the residual tolerance "
                                         + "\(InputHessian.residualTolerance) after \(InputHessian.maximumProducts) products")
        guard triggered else { return [clean, poisoned, baseline, residual, unconverged] }
        let stamped = MetricInfo(key: MetricKey.inputCurvatureTopTriggered, name: "Input curvature, triggered test rows",
                                 meaning: top + " over the test rows of other classes than the target, with the trigger")
        let alignment = MetricInfo(key: MetricKey.inputCurvatureTriggerAlignment, name: "Curvature alignment with the trigger",
                                   meaning: "|cos| of the angle between the trigger's direction and the top eigenvector of the mean input "
                                       + "Hessian of the loss over the clean test rows (for a random direction about √(2 / (π · features)))")
        return [clean, stamped, poisoned, baseline, alignment, residual, unconverged]
    }

    /// λ over the clean test rows, the triggered test rows and the poisoned training rows (and the
    /// last under the `clean` model), and the clean rows' alignment with the trigger.
    public static func measure(_ model: any Classifier, test: Dataset, poisoned: PoisonedTrainingSet, seed: UInt64,
                               clean cleanModel: () -> (any Classifier)?) -> [String: Double] {
        let hessians = model.capable((any InputHessianClassifier).self)
        var metrics = [String: Double]()
        var pairs = [InputCurvature]()   // every eigenpair the run computes, for their convergence
        let clean = top(hessians, test, seed: seed)
        if let clean {
            metrics[MetricKey.inputCurvatureTopClean] = clean.value
            pairs.append(clean)
        }
        if let triggered = poisoned.triggered {
            if let top = top(hessians, triggered.rows, seed: seed) {
                metrics[MetricKey.inputCurvatureTopTriggered] = top.value
                pairs.append(top)
            }
            if let clean, let direction = triggered.direction {
                // |vᵀt|, both unit vectors, clamped to 1 against rounding.
                let cosine = zip(clean.vector, direction).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                metrics[MetricKey.inputCurvatureTriggerAlignment] = min(abs(cosine), 1)
            }
        }
        let poisonedRows = poisoned.data.rows(poisoned.poisonedRows)
        if let spike = top(hessians, poisonedRows, seed: seed) {
            metrics[MetricKey.inputCurvatureTopPoisoned] = spike.value
            pairs.append(spike)
            if let baseline = cleanModel().flatMap({ top($0.capable((any InputHessianClassifier).self), poisonedRows, seed: seed) }) {
                metrics[MetricKey.inputCurvatureTopPoisonedBaseline] = baseline.value
                pairs.append(baseline)
            }
        }
        if !pairs.isEmpty {
            metrics[MetricKey.inputCurvatureResidual] = pairs.map(\.relativeResidual).max()!
            metrics[MetricKey.inputCurvatureUnconverged] = Double(pairs.filter { !$0.converged }.count)
        }
        return metrics
    }

    /// The top eigenpair of the mean input Hessian over the rows of `data`; nil without rows.
    static func top(_ model: any InputHessianClassifier, _ data: Dataset, seed: UInt64) -> InputCurvature? {
        guard data.count > 0 else { return nil }
        return model.inputHessian(rows: data.count).meanTop(inputs: data.features, labels: data.labels, seed: seed)
    }

    /// The largest of the three sets (the test rows, or the poisoned rows when more): a copy of its
    /// rows (the poisoned ones), the Hessian's buffers (`TrainableModel.inputHessianBytes`), the
    /// products' direction and result, and the mean Hessian with its decomposition's copies (four d x d
    /// matrices in Double); or, when larger, training the clean model for the baseline.
    public static func memoryBytes(_ sizes: RunSizes) -> Double {
        let rows = max(sizes.split.testRows, sizes.poisonedRows), d = sizes.d
        let measuring = 4 * Double(rows) * d + sizes.model.inputHessianBytes(rows: rows) + 2 * 4 * Double(rows) * d + 8 * d + 4 * 8 * d * d
        return max(measuring, sizes.trainingBytes)
    }
}
