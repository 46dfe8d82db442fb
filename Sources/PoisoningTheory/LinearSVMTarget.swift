import Foundation
import PoisoningData
import PoisoningModels
import PoisoningUtilities

// A one-vs-rest linear SVM as a target: its `TargetableClassifier` conformance and its hinge
// threshold τ.

extension LinearSVMClassifier: TargetableClassifier {
    /// `weights`.
    public var parameterValues: [Double] { weights }

    /// This SVM (same C) with `values` as its weights.
    public func withParameterValues(_ values: [Double]) -> LinearSVMClassifier {
        LinearSVMClassifier(featureCount: featureCount, classCount: classCount, weights: values, c: c)
    }

    /// The gradient of the mean one-vs-rest hinge loss (1/n) Σ_rows Σ_k max(0, 1 − y_k (w_k · x + b_k))
    /// with respect to (w_k, b_k): −y_k (x, 1) per row and class whose hinge is active (1 − y_k f_k > 0;
    /// the subgradient 0 where it is exactly 0).
    public func meanLossGradient(on data: Dataset) -> [Double] {
        let d = featureCount, c = classCount, f = decisionValues(on: data)
        var gradient = [Double](repeating: 0, count: weights.count)
        for r in 0..<data.count {
            for k in 0..<c {
                let sign: Double = data.labels[r] == k ? 1 : -1
                guard 1 - sign * f[r * c + k] > 0 else { continue }
                for j in 0..<d { gradient[k * (d + 1) + j] -= sign * Double(data.features[r * d + j]) }
                gradient[k * (d + 1) + d] -= sign
            }
        }
        return gradient.map { $0 / Double(data.count) }
    }

    /// The hinge threshold of its one-vs-rest hyperplanes (`linearSVMPoisonabilityThreshold`).
    public func poisonabilityThreshold(on data: Dataset) -> PoisonabilityThreshold { linearSVMPoisonabilityThreshold(of: self, on: data) }
}

/// How far above 1 a margin t may lie and still count as on the hinge's kink t = 1
/// (`linearSVMPoisonabilityThreshold`): 1e-6, a hundred times the linear SVM's default solver
/// tolerance (1e-8), far below any margin a row is meant to have.
public let hingeMarginTolerance = 1e-6

/// τ of a one-vs-rest linear SVM (`LinearSVMClassifier`) as a target on the n clean rows `data`.
/// Class k's hyperplane θ_k = (w_k, b_k) minimises ½‖θ_k‖² + C Σ_rows ℓ(t), ℓ the hinge loss
/// max(0, 1 − t) of the margin t = y_k θ_k · (x, 1): the loss the SVM trains (not a squared or smoothed
/// hinge). The penalty counts once whatever the number of rows, so it belongs to the clean part: the
/// clean rows' mean gradient of the objective is g_k(μ) = θ_k/(C n) + E_μ[ℓ'(t) y_k (x, 1)], and
///     <θ_k, g_k(μ)> = ‖θ_k‖²/(C n) + E_μ[t ℓ'(t)],   t ℓ'(t) = −t for t ≤ 1, 0 above
/// (at t = 1, where the hinge's subgradients are [−1, 0], the one that needs the least budget; rows
/// within `hingeMarginTolerance` above 1 count as on the margin, where a solved SVM puts its free
/// support vectors up to its solver's tolerance, so that a model stationary on the clean rows, as
/// the clean SVM itself, has a product of at most 0 and no threshold). The
/// poisons' E_ν[t ℓ'(t)] lies in [−1, +∞) (`MarginLoss.hinge`), so class k needs
/// ε_d ≥ τ_k = <θ_k, g_k(μ)> (`marginPoisonabilityThreshold`). The poisons are shared by the classes,
/// so τ is the largest τ_k: exact for two classes, whose hyperplanes are mirror images (θ_0 = −θ_1,
/// one binary problem: the solver and GradPC keep them so bit for bit), a necessary condition for
/// more. None when no class's product is positive. One pass over the rows, in Double.
public func linearSVMPoisonabilityThreshold(of model: LinearSVMClassifier, on data: Dataset) -> PoisonabilityThreshold {
    precondition(data.count > 0 && data.featureCount == model.featureCount, "rows do not fit the model")
    let d = model.featureCount, c = model.classCount, n = Double(data.count), f = model.decisionValues(on: data)
    var largest: Double?
    for k in 0..<c {
        var squaredNorm = 0.0
        for j in 0...d { squaredNorm += model.weights[k * (d + 1) + j] * model.weights[k * (d + 1) + j] }
        var margins = 0.0   // Σ_rows t ℓ'(t)
        for r in 0..<data.count {
            let t = (data.labels[r] == k ? 1 : -1) * f[r * c + k]
            if t <= 1 + hingeMarginTolerance { margins -= t }
        }
        let product = squaredNorm / (model.c * n) + margins / n
        if let tau = marginPoisonabilityThreshold(innerProduct: product, interval: MarginLoss.hinge.interval).tau {
            largest = max(largest ?? tau, tau)
        }
    }
    return largest.map { .threshold(tau: $0, lowerBound: false) } ?? .none
}
