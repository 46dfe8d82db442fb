import Foundation
import PoisoningEngine
import PoisoningUtilities

/// The threshold a gradient-canceling run is judged by, from its metrics: the weights-only τ_w
/// (`weightsOnlyThreshold`) when the run cancels the weights' gradient only (`cancel: weights`, the
/// default), τ (`poisonabilityThreshold`) when it cancels the biases' too (`cancel: weights-and-bias`).
/// τ counts the bias as a feature that is always 1, so under `cancel: weights` it is neither exact nor
/// a bound once the target's bias is not 0 (`binaryWeightsOnlyThreshold`). Nil when the run records
/// none: no threshold exists (the product with the clean gradient is at most 0), or the run predates
/// `weightsOnlyThreshold` (engine version 10).
public func applicableThreshold(metrics: [String: Double], cancelsBias: Bool) -> Double? {
    metrics[cancelsBias ? MetricKey.poisonabilityThreshold : MetricKey.weightsOnlyThreshold]
}

/// Whether the gradient-canceling attack `attack` (its study entry) cancels the biases' gradient as
/// well as the weights' (`cancel: weights-and-bias`); false under the default `cancel: weights`.
public func cancelsBias(attack: ParameterValue) -> Bool {
    attack.value(at: "cancel") == .string(CanceledGradient.weightsAndBias.rawValue)
}

/// The symbol of the threshold a series is judged by, as its sentences and cells name it: "τ" under
/// `cancel: weights-and-bias`, "τ_w" (the weights-only threshold) under `cancel: weights`.
public func thresholdSymbol(cancelsBias: Bool) -> String { cancelsBias ? "τ" : "τ_w" }

extension StudyResults {
    /// Whether series `series` cancels the biases' gradient as well as the weights' (`cancel: weights-and-bias`).
    public func cancelsBias(series: Int) -> Bool {
        PoisoningAnalysis.cancelsBias(attack: config.attacks[self.series[series].attack])
    }

    /// The symbol of the threshold series `series` is judged by (`thresholdSymbol(cancelsBias:)`).
    public func thresholdSymbol(series: Int) -> String {
        PoisoningAnalysis.thresholdSymbol(cancelsBias: cancelsBias(series: series))
    }

    /// The threshold `run` (of a gradient-canceling series) is judged by (`applicableThreshold(metrics:cancelsBias:)`);
    /// nil for a run without metrics or without a threshold.
    public func applicableThreshold(of run: RunResult) -> Double? {
        run.metrics.flatMap { PoisoningAnalysis.applicableThreshold(metrics: $0, cancelsBias: cancelsBias(series: run.series)) }
    }

    /// Whether the threshold of series `series`'s runs (`applicableThreshold(of:)`) is exact, that is
    /// sufficient as well as necessary when the poisons' features are free: only τ_w of binary softmax
    /// regression under `cancel: weights`. τ under `cancel: weights-and-bias` is necessary only (the
    /// bias's entry is no free feature); τ_w of an MLP (its last layer's weights, the hidden
    /// representation relaxed to any logits) and of more than two classes (`softmaxWeightsOnlyThresholdBound`)
    /// is a lower bound. With `project` (the default) the poisons stay in the clean rows' box, so even an
    /// exact threshold is only necessary for them.
    public func applicableThresholdIsExact(series: Int) -> Bool {
        !cancelsBias(series: series) && data.classCount == 2 && !tauIsLowerBound(series: series)
    }
}
