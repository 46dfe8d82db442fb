import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// Differentially private SGD (Abadi et al. 2016): every example's gradient is clipped to norm C and
/// Gaussian noise of standard deviation σ C is added to each batch's sum, which bounds the influence
/// any one (poisoned) row can have. Each run records the privacy budget ε at δ of its training
/// (`privacyEpsilon`) and the Rényi order that gave it (`privacyOrder`), from the Rényi-DP accountant
/// of the Poisson-subsampled Gaussian mechanism (`privacyBudget`): with sampling rate q = b / n (b the
/// batch size, n the training rows) and T = epochs · ⌈n / b⌉ steps,
/// ε = min_α [T · R_q,σ(α) + log(1 - 1/α) - log(δ α) / (α - 1)].
///
/// Sampling assumption: that ε assumes Poisson sampling (every step takes each row independently with
/// probability q). The runs shuffle the rows and train on fixed-size batches instead, for which ε is
/// the customary approximation, not a proven guarantee (shuffled batches can be less private).
public struct DPSGD: TrainingSetDefense {
    /// The study file's `kind`.
    public static let kind = "dp-sgd"
    /// The one-line help, with the sampling assumption behind the reported ε.
    public static let summary = "Train with per-example gradient clipping and Gaussian noise (DP-SGD); reports epsilon at delta from a Renyi accountant that assumes Poisson sampling at rate batch/rows, while the runs shuffle fixed-size batches (an approximation, not a proven guarantee)."

    /// The settings.
    public let privacy: DifferentialPrivacy

    /// Reads `clip` (C), `noise` (σ) and `delta` (δ).
    public init(parameters: inout ParameterReader) throws {
        let clip = try parameters.double("clip", default: 1.0, in: 1e-6...1e6, help: "Per-example gradient norm bound C.")
        let noise = try parameters.double("noise", default: 1.0, in: 0...1e3, help: "Noise multiplier σ (>= 0): noise std is σ C.")
        let delta = try parameters.double("delta", default: 1e-5, in: 1e-12...0.5, help: "δ of the reported (ε, δ), in (0, 1); ε assumes Poisson sampling at rate batch/rows, the runs shuffle fixed-size batches.")
        privacy = DifferentialPrivacy(clip: clip, noise: noise, delta: delta)
    }

    /// "DP-SGD (C = 1.0, σ = 1.0)".
    public var label: String { "DP-SGD (C = \(privacy.clip), σ = \(privacy.noise))" }

    /// Its runs record their privacy budget ε and the Rényi order that gave it.
    public var recordedMetrics: [String] { [MetricKey.privacyEpsilon, MetricKey.privacyOrder] }

    /// Those of DP-SGD training.
    public var requirements: Set<ModelCapability> { TrainingAdjustment(privacy: privacy).requirements }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        DefenseDecision(scores: nil, kept: Array(0..<poisoned.data.count), training: TrainingAdjustment(privacy: privacy))
    }
}
