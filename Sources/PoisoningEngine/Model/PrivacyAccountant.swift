import Foundation

/// DP-SGD's settings (Abadi et al. 2016): every example's gradient is clipped to norm `clip`, and
/// Gaussian noise of standard deviation `noise` · `clip` is added to each batch's summed gradient.
public struct DifferentialPrivacy: Sendable, Equatable {
    /// C, the per-example gradient norm bound.
    public let clip: Double
    /// σ, the noise multiplier.
    public let noise: Double
    /// δ of the (ε, δ) guarantee reported.
    public let delta: Double

    /// DP-SGD with clip norm C > 0, noise multiplier σ >= 0 and 0 < δ < 1.
    public init(clip: Double, noise: Double, delta: Double) {
        precondition(clip > 0 && noise >= 0 && delta > 0 && delta < 1)
        self.clip = clip
        self.noise = noise
        self.delta = delta
    }

    /// The ε of training `rows` rows for `settings` (batches of `batchSize`, every epoch): the
    /// sampled Gaussian mechanism with sampling rate q = batch / rows, composed over all steps.
    public func epsilon(rows: Int, settings: TrainingSettings) -> Double {
        let batch = min(settings.batchSize, rows)
        let steps = settings.epochs * ((rows + batch - 1) / batch)
        return privacyEpsilon(samplingRate: Double(batch) / Double(rows), noise: noise, steps: steps, delta: delta)
    }
}

/// The integer Rényi orders the accountant evaluates, 2 to 64.
public let renyiOrders = Array(2...64)

/// ε at `delta` of `steps` compositions of the Poisson-subsampled Gaussian mechanism with sampling
/// rate q and noise multiplier σ, by its Rényi DP (Mironov 2017; Mironov, Talwar and Zhang 2019):
/// per step and integer order α, RDP(α) = log A_α / (α - 1) with
/// A_α = Σ_{i=0}^{α} C(α, i) (1 - q)^{α-i} q^i exp((i² - i) / (2σ²)) (α / (2σ²) when q = 1), summed
/// over the steps, then converted with the bound of Balle et al. 2020 (Proposition 12):
/// ε = min_α RDP(α) + log(1 - 1/α) - log(δ α) / (α - 1), or 0 when δ² + e^{-RDP} - 1 > 0. The same
/// computation as the `dp-accounting` package's RdpAccountant on these orders. The runs shuffle
/// fixed-size batches rather than sampling them, so this is the usual Poisson approximation.
public func privacyEpsilon(samplingRate q: Double, noise sigma: Double, steps: Int, delta: Double) -> Double {
    guard q > 0, steps > 0 else { return 0 }
    guard sigma > 0 else { return .infinity }
    let epsilons = renyiOrders.map { order -> Double in
        let alpha = Double(order)
        let perStep: Double
        if q >= 1 {
            perStep = alpha / (2 * sigma * sigma)
        } else {
            var logA = -Double.infinity
            for i in 0...order {
                let term = logBinomial(order, i) + Double(i) * log(q) + Double(order - i) * log1p(-q)
                    + Double(i * i - i) / (2 * sigma * sigma)
                logA = logAdd(logA, term)
            }
            perStep = logA / (alpha - 1)
        }
        let rdp = perStep * Double(steps)
        if delta * delta + expm1(-rdp) > 0 { return 0 }
        return rdp + log1p(-1 / alpha) - log(delta * alpha) / (alpha - 1)
    }
    return max(0, epsilons.min() ?? .infinity)
}

/// log C(n, k) by log-gamma.
private func logBinomial(_ n: Int, _ k: Int) -> Double {
    lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
}

/// log(e^a + e^b) without overflow.
private func logAdd(_ a: Double, _ b: Double) -> Double {
    let (high, low) = a > b ? (a, b) : (b, a)
    return high == -.infinity ? low : high + log1p(exp(low - high))
}
