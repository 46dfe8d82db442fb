import Foundation
import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// Softmax regression (a network without hidden layers) trained to convergence from `start` on
/// `data`: full-batch gradient descent with Nesterov's momentum on the mean cross-entropy
/// L(θ) = (1/n) Σ ℓ(x_i, y_i; θ), θ = (W, b), with gradient-based adaptive restart (O'Donoghue and
/// Candès 2015):
///     y_k = θ_k + (k − 1)/(k + 2) (θ_k − θ_{k−1}),   θ_{k+1} = y_k − ∇L(y_k)/λ,
/// restarting the momentum (k ← 1) when ⟨∇L(y_k), θ_{k+1} − θ_k⟩ > 0. The step is 1/λ with λ a bound
/// of the Hessian's largest eigenvalue: ∇²L = (1/n) Σ (diag(p) − p pᵀ) ⊗ x̃ x̃ᵀ, x̃ = (x, 1), and
/// ‖diag(p) − p pᵀ‖ ≤ ½, so λ = ½ (1/n) Σ ‖x̃‖². Stops once ‖∇L(y_k)‖ ≤ `tolerance` or after
/// `iterations` gradients. L is convex, so the result lies within ‖∇L‖/μ of the minimiser, μ the
/// Hessian's smallest eigenvalue off the softmax's class-sum direction (a direction the gradient
/// never has, so it keeps `start`'s component). Returns the model and ‖∇L‖ at it.
public func convergedSoftmaxRegression(from start: NetworkParameters, on data: Dataset, tolerance: Double = MetricKey.victimGradientTolerance,
                                       iterations: Int = 20_000) -> (model: NetworkParameters, gradientNorm: Double) {
    precondition(start.shape.hidden.isEmpty, "a convex model (softmax regression) only")
    let d = data.featureCount
    var squares = 0.0
    for value in data.features { squares += Double(value) * Double(value) }
    let lipschitz = 0.5 * (squares / Double(data.count) + 1)
    var theta = start.parameterValues, previous = theta, y = theta
    var k = 1
    var model = start, gradientNorm = Double.infinity
    precondition(d == start.shape.inputs, "rows do not fit the model")
    for _ in 0..<iterations {
        // y_k = θ_k + (k − 1)/(k + 2) (θ_k − θ_{k−1}).
        let beta = Double(k - 1) / Double(k + 2)
        for i in theta.indices { y[i] = theta[i] + beta * (theta[i] - previous[i]) }
        model = start.withParameterValues(y)
        let gradient = model.lossAndGradient(on: data).gradient
        gradientNorm = gradient.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        if gradientNorm <= tolerance || !gradientNorm.isFinite { return (model, gradientNorm) }
        // θ_{k+1} = y_k − ∇L(y_k)/λ; restart when the step goes up the gradient of the last iterate.
        var ascent = 0.0
        previous = theta
        for i in theta.indices {
            theta[i] = y[i] - Double(gradient[i]) / lipschitz
            ascent += Double(gradient[i]) * (theta[i] - previous[i])
        }
        k = ascent > 0 ? 1 : k + 1
    }
    return (model, gradientNorm)
}
