import Foundation
import PoisoningEngine
import PoisoningUtilities

/// The threshold a gradient-canceling run is judged by, from its metrics and the gradient it cancels
/// (`cancel`): the weights-only τ_w (`weightsOnlyThreshold`) when it cancels the weights' gradient
/// only (`cancel: weights`, the default), τ (`poisonabilityThreshold`) when it cancels the biases' too
/// (`cancel: weights-and-bias`). τ counts the bias as a feature that is always 1, so under
/// `cancel: weights` it is neither exact nor a bound once the target's bias is not 0
/// (`binaryWeightsOnlyThreshold`). Under `cancel: first-layer` τ_w too, which such a run records only
/// on softmax regression (one layer, where `first-layer` is `weights`): on a network with hidden
/// layers no threshold is derived for the first layer's gradient (τ and τ_w are conditions on the
/// last layer) and the run records none. Nil when the run records none: no threshold exists (the
/// product with the clean gradient is at most 0), none is derived (`first-layer` on a network with
/// hidden layers), or the run predates `weightsOnlyThreshold` (engine version 10).
public func applicableThreshold(metrics: [String: Double], cancel: CanceledGradient) -> Double? {
    switch cancel {
    case .weightsAndBias: metrics[MetricKey.poisonabilityThreshold]
    case .weights, .firstLayer: metrics[MetricKey.weightsOnlyThreshold]
    }
}

/// The gradient the gradient-canceling attack `attack` (its study entry) cancels, its `cancel`
/// (`weights` when absent: the default, and the only gradient before the key existed).
public func canceledGradient(attack: ParameterValue) -> CanceledGradient {
    guard case .string(let value)? = attack.value(at: "cancel") else { return .weights }
    return CanceledGradient(rawValue: value) ?? .weights
}

/// Whether a threshold is derived for a gradient-canceling series that cancels `cancel` on the model
/// `model` (its study entry): not for `cancel: first-layer` on a network with hidden layers (an MLP),
/// for whose first layer's gradient none is derived (τ and τ_w are conditions on the last layer,
/// which it leaves out).
public func thresholdDerived(cancel: CanceledGradient, model: ParameterValue) -> Bool {
    !(cancel == .firstLayer && model.value(at: "kind") == .string(MLP.kind))
}

/// The symbol of the threshold a series is judged by, as its sentences and cells name it: "τ" under
/// `cancel: weights-and-bias`, "τ_w" (the weights-only threshold) under `cancel: weights`.
public func thresholdSymbol(cancelsBias: Bool) -> String { cancelsBias ? "τ" : "τ_w" }

extension StudyResults {
    /// The gradient series `series` (a gradient-canceling series) cancels, its attack's `cancel`
    /// (`weights` when absent: the default, and the only gradient before the key existed).
    public func canceledGradient(series: Int) -> CanceledGradient {
        PoisoningAnalysis.canceledGradient(attack: config.attacks[self.series[series].attack])
    }

    /// Whether series `series` cancels the biases' gradient as well as the weights' (`cancel: weights-and-bias`).
    public func cancelsBias(series: Int) -> Bool { canceledGradient(series: series).cancelsBias }

    /// The symbol of the threshold series `series` is judged by (`thresholdSymbol(cancelsBias:)`).
    public func thresholdSymbol(series: Int) -> String {
        PoisoningAnalysis.thresholdSymbol(cancelsBias: cancelsBias(series: series))
    }

    /// Whether a threshold is derived for series `series` at all: not for `cancel: first-layer` on a
    /// network with hidden layers (an MLP), for whose first layer's gradient none is derived (τ and τ_w
    /// are conditions on the last layer, which it leaves out); the report then says so instead of
    /// judging the series against τ.
    public func thresholdDerived(series: Int) -> Bool {
        PoisoningAnalysis.thresholdDerived(cancel: canceledGradient(series: series), model: config.models[self.series[series].model])
    }

    /// The threshold `run` (of a gradient-canceling series) is judged by (`applicableThreshold(metrics:cancel:)`);
    /// nil for a run without metrics or without a threshold, and for every run of a series for which
    /// none is derived (`thresholdDerived(series:)`).
    public func applicableThreshold(of run: RunResult) -> Double? {
        guard thresholdDerived(series: run.series) else { return nil }
        return run.metrics.flatMap { PoisoningAnalysis.applicableThreshold(metrics: $0, cancel: canceledGradient(series: run.series)) }
    }

    /// Whether the threshold of series `series`'s runs (`applicableThreshold(of:)`) is exact, that is
    /// sufficient as well as necessary when the poisons' features are free: only τ_w of binary softmax
    /// regression under `cancel: weights` (or `first-layer`, the same there). τ under
    /// `cancel: weights-and-bias` is necessary only (the
    /// bias's entry is no free feature); τ_w of an MLP (its last layer's weights, the hidden
    /// representation relaxed to any logits) and of more than two classes (`softmaxWeightsOnlyThresholdBound`)
    /// is a lower bound. With `project` (the default) the poisons stay in the clean rows' box, so even an
    /// exact threshold is only necessary for them.
    public func applicableThresholdIsExact(series: Int) -> Bool {
        !cancelsBias(series: series) && data.classCount == 2 && !tauIsLowerBound(series: series)
    }
}
