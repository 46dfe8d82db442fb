/// Differentially private SGD (Abadi et al. 2016): every example's gradient is clipped to norm C and
/// Gaussian noise of standard deviation σ C is added to each batch's sum, which bounds the influence
/// any one (poisoned) row can have. Each run records the privacy budget ε at δ of its training
/// (`privacyEpsilon`), from the Rényi-DP accountant of the subsampled Gaussian mechanism.
public struct DPSGD: TrainingSetDefense {
    public static let kind = "dp-sgd"
    public static let summary = "Train with per-example gradient clipping and Gaussian noise (DP-SGD); reports the privacy budget."

    /// The settings.
    public let privacy: DifferentialPrivacy

    public init(parameters: inout ParameterReader) throws {
        let clip = try parameters.double("clip", default: 1.0, in: 1e-6...1e6, help: "Per-example gradient norm bound C.")
        let noise = try parameters.double("noise", default: 1.0, in: 0...1e3, help: "Noise multiplier σ (>= 0): noise std is σ C.")
        let delta = try parameters.double("delta", default: 1e-5, in: 1e-12...0.5, help: "δ of the reported (ε, δ) guarantee, in (0, 1).")
        privacy = DifferentialPrivacy(clip: clip, noise: noise, delta: delta)
    }

    /// "DP-SGD (C = 1.0, σ = 1.0)".
    public var label: String { "DP-SGD (C = \(privacy.clip), σ = \(privacy.noise))" }

    /// Its runs record their privacy budget ε.
    public var recordedMetrics: [String] { [MetricKey.privacyEpsilon] }

    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        DefenseDecision(scores: nil, kept: Array(0..<poisoned.data.count), training: TrainingAdjustment(privacy: privacy))
    }
}
