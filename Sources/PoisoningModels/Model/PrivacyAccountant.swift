import Foundation
import PoisoningData
import PoisoningUtilities

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

    /// The (ε, optimal order) of training `rows` rows for `settings`: `privacyBudget` of the
    /// Poisson-subsampled Gaussian mechanism with sampling rate q = b / rows (b = min(batch size, rows))
    /// composed over T = epochs · ⌈rows / b⌉ steps, at this δ.
    ///
    /// Sampling assumption: the bound is that of Poisson sampling, where every step takes each row
    /// independently with probability q. The runs instead shuffle the rows every epoch and train on
    /// fixed-size batches (each row exactly once per epoch), for which this ε is the customary
    /// approximation, not a proven guarantee: shuffled batches can be less private (Chua et al. 2024).
    public func budget(rows: Int, settings: TrainingSettings) -> PrivacyBudget {
        let batch = min(settings.batchSize, rows)
        let steps = settings.epochs * ((rows + batch - 1) / batch)
        return privacyBudget(samplingRate: Double(batch) / Double(rows), noise: noise, steps: steps, delta: delta)
    }
}

/// An (ε, δ) guarantee from Rényi DP: ε at the accountant's δ, and the Rényi order α whose bound gave it.
public struct PrivacyBudget: Sendable, Equatable {
    /// ε, in [0, ∞] (∞ without noise).
    public let epsilon: Double
    /// The order α at which ε(α) is smallest (the first such in the order list).
    public let order: Double
}

/// The Rényi orders the accountant evaluates: dp-accounting's RdpAccountant defaults
/// (`DEFAULT_RDP_ORDERS` of dp-accounting 0.6.0), 1.1, 1.2, ..., 10.9 (1 + x / 10 for x = 1...99),
/// then 11, 12, ..., 63, then 128, 256, 512 and 1024: 156 orders.
public let renyiOrders: [Double] = {
    let fractional: [Double] = (1...99).map { (x: Int) -> Double in 1 + Double(x) / 10 }
    let integer: [Double] = (11...63).map { (n: Int) -> Double in Double(n) }
    return fractional + integer + [128, 256, 512, 1024]
}()

/// The (ε, δ) guarantee of `steps` compositions of the Poisson-subsampled Gaussian mechanism with
/// sampling rate q and noise multiplier σ: the RDP of one step at each of `orders` (see
/// `subsampledGaussianRenyi`), times `steps` (RDP composes additively), converted to ε at `delta` by
/// `privacyBudget(renyi:orders:delta:)`. With the default orders this is dp-accounting's
/// RdpAccountant on `PoissonSampledDpEvent(q, GaussianDpEvent(σ))` composed `steps` times, except that
/// its fractional orders are summed exactly (see `subsampledGaussianRenyi`), which can only lower ε
/// (up to rounding, 1e-13). Every order must exceed 1. q = 0 or no steps gives ε = 0 and σ = 0 (with
/// q > 0) ε = ∞, both at the first order.
public func privacyBudget(samplingRate q: Double, noise sigma: Double, steps: Int, delta: Double,
                          orders: [Double] = renyiOrders) -> PrivacyBudget {
    precondition(steps >= 0)
    let renyi = orders.map { steps == 0 ? 0 : Double(steps) * subsampledGaussianRenyi(samplingRate: q, noise: sigma, order: $0) }
    return privacyBudget(renyi: renyi, orders: orders, delta: delta)
}

/// ε at `delta` from the Rényi DP `renyi[k]` = R(α_k) at each order α_k of `orders`, by the conversion
/// of Balle et al. 2020 (Proposition 12; Canonne, Kamath and Steinke 2020, eq. 20), the one
/// dp-accounting's `compute_epsilon` uses:
/// ε(α) = R(α) + log(1 - 1/α) - log(δ α) / (α - 1) for α > 1.01 (∞ at smaller orders, where it is
/// unstable); ε(α) = 0 when R(α) <= 0 or δ² + e^{-R(α)} - 1 > 0 (then δ >= √(1 - e^{-R(α)}), which
/// bounds the total variation distance since R(α) is at least the KL divergence). The result is
/// ε = max(0, min_α ε(α)) and the first order that attains the minimum.
public func privacyBudget(renyi: [Double], orders: [Double], delta: Double) -> PrivacyBudget {
    precondition(renyi.count == orders.count && !orders.isEmpty && orders.allSatisfy { $0 >= 1 } && delta > 0 && delta < 1)
    var best = (epsilon: Double.infinity, order: orders[0])
    for (index, (alpha, r)) in zip(orders, renyi).enumerated() {
        let epsilon: Double
        if r <= 0 || delta * delta + expm1(-r) > 0 {
            epsilon = 0
        } else if alpha > 1.01 {
            epsilon = r + log1p(-1 / alpha) - log(delta * alpha) / (alpha - 1)
        } else {
            epsilon = .infinity
        }
        if index == 0 || epsilon < best.epsilon { best = (epsilon, alpha) }
    }
    return PrivacyBudget(epsilon: max(0, best.epsilon), order: best.order)
}

/// The most terms `subsampledGaussianRenyi` sums at a fractional order before it gives the order up
/// (∞, which leaves it out of the minimum). dp-accounting stops at 1,000 and so leaves out orders
/// whose series decays slowly (for q = 64/350 and σ = 1, every order below 1.8); the terms decay like
/// i^{-(α+2)}, so 100,000 reaches the relative e^{-30} at every order of `renyiOrders` in practice.
let fractionalSeriesTermLimit = 100_000

/// The Rényi DP R(α) = log(A_α) / (α - 1) of one step of the Poisson-subsampled Gaussian mechanism
/// with sampling rate q and noise multiplier σ (Mironov, Talwar and Zhang 2019, "Rényi Differential
/// Privacy of the Sampled Gaussian Mechanism"), where, with μ_0 = N(0, σ²) and μ = (1 - q) μ_0 + q N(1, σ²),
/// A_α = E_{z ~ μ_0}[(μ(z) / μ_0(z))^α] = E_{z ~ μ_0}[((1 - q) + q e^{(2z - 1) / (2σ²)})^α]:
///
/// - q = 0: R = 0; σ = 0 (q > 0): R = ∞; q = 1: R = α / (2σ²), the Gaussian mechanism's.
/// - Integer α (their section 3.2): the finite binomial sum
///   A_α = Σ_{i=0}^{α} C(α, i) (1 - q)^{α-i} q^i e^{(i² - i) / (2σ²)}, in log space.
/// - Fractional α (their section 3.3): the integral split at z_0 = σ² log(1/q - 1) + 1/2, where
///   q e^{(2z-1)/(2σ²)} = 1 - q, each part expanded by the generalised binomial series:
///   A_α = Σ_{i>=0} C(α, i) [(1 - q)^{α-i} q^i e^{(i² - i) / (2σ²)} ½ erfc((i - z_0) / (√2 σ))
///                          + q^{α-i} (1 - q)^i e^{(j² - j) / (2σ²)} ½ erfc((z_0 - j) / (√2 σ))], j = α - i,
///   with C(α, i) = α (α-1) ... (α-i+1) / i!, negative exactly when i - ⌈α⌉ is positive and odd. The
///   positive and the negative terms are summed separately in log space and subtracted at the end.
///   The sum stops once both terms have shrunk since the previous i and are below e^{-30} of the total
///   (dp-accounting's rule); the terms alternate in sign from i = ⌈α⌉ on, so what is left out is of
///   the order of the last terms.
///
/// dp-accounting 0.6.0 sums |C(α, i)| instead of C(α, i) at fractional orders, an upper bound (for
/// q = 64/350 and σ = 1, 9% above the exact R at α = 1.8, 28% at 1.5, 63% at 1.1), and gives an order
/// up after 1,000 terms (there, every order below 1.8). At integer orders both are the exact finite sum.
public func subsampledGaussianRenyi(samplingRate q: Double, noise sigma: Double, order alpha: Double) -> Double {
    precondition((0...1).contains(q) && sigma >= 0 && alpha > 1)
    if q == 0 { return 0 }
    if sigma == 0 || alpha.isInfinite { return .infinity }
    if q == 1 { return alpha / (2 * sigma * sigma) }
    let logA = alpha == alpha.rounded() ? logMomentInteger(q: q, sigma: sigma, alpha: Int(alpha))
        : logMomentFractional(q: q, sigma: sigma, alpha: alpha)
    return logA / (alpha - 1)
}

/// log A_α at an integer order α >= 2 by the finite binomial sum, 0 < q < 1, σ > 0.
private func logMomentInteger(q: Double, sigma: Double, alpha: Int) -> Double {
    let (logQ, logNotQ, twoVariance) = (log(q), log1p(-q), 2 * sigma * sigma)
    var logA = -Double.infinity
    for i in 0...alpha {
        let term = logBinomial(Double(alpha), Double(i)) + Double(i) * logQ + Double(alpha - i) * logNotQ
            + Double(i * i - i) / twoVariance
        logA = logAdd(logA, term)
    }
    return logA
}

/// log A_α at a fractional order α > 1 by the signed generalised binomial series, 0 < q < 1, σ > 0;
/// ∞ when it has not converged within `fractionalSeriesTermLimit` terms.
private func logMomentFractional(q: Double, sigma: Double, alpha: Double) -> Double {
    let (logQ, logNotQ, twoVariance) = (log(q), log1p(-q), 2 * sigma * sigma)
    let z0 = sigma * sigma * log(1 / q - 1) + 0.5
    let scale = 2.squareRoot() * sigma
    let firstNegativeFactor = alpha.rounded(.up)  // the factors α - m of C(α, i) are negative from m = ⌈α⌉ on
    var positive = -Double.infinity, negative = -Double.infinity
    var previous = (first: -Double.infinity, second: -Double.infinity)
    for index in 0..<fractionalSeriesTermLimit {
        let i = Double(index), j = alpha - i
        let logCoefficient = logBinomial(alpha, i)
        let first = logCoefficient + i * logQ + j * logNotQ + (i * i - i) / twoVariance + logHalfErfc((i - z0) / scale)
        let second = logCoefficient + j * logQ + i * logNotQ + (j * j - j) / twoVariance + logHalfErfc((z0 - j) / scale)
        let negativeFactors = max(0, i - firstNegativeFactor)
        if negativeFactors.truncatingRemainder(dividingBy: 2) == 1 {
            negative = logAdd(negative, logAdd(first, second))
        } else {
            positive = logAdd(positive, logAdd(first, second))
        }
        // A_α >= 1, so the negative terms never outweigh the positive ones but by rounding; then the
        // order is given up.
        guard negative < positive else { return .infinity }
        let total = positive + log1p(-exp(negative - positive))
        if first < previous.first && second < previous.second && max(first, second) < total - 30 { return total }
        previous = (first, second)
    }
    return .infinity
}

/// log |C(n, k)| = log |Γ(n + 1) / (Γ(k + 1) Γ(n - k + 1))| by log-gamma, for real n and k >= 0.
private func logBinomial(_ n: Double, _ k: Double) -> Double {
    logAbsGamma(n + 1) - logAbsGamma(k + 1) - logAbsGamma(n - k + 1)
}

/// log |Γ(x)|, by the reentrant lgamma_r (lgamma writes a global sign).
private func logAbsGamma(_ x: Double) -> Double {
    var sign: Int32 = 0
    return lgamma_r(x, &sign)
}

/// log(½ erfc(x)) without underflow: directly while erfc(x) is a normal number (x < 25), then from
/// the asymptotic series erfc(x) = e^{-x²} / (x √π) Σ_n (-1)^n (2n - 1)!! / (2x²)^n, whose ninth term
/// is below 4e-19 of the first there.
private func logHalfErfc(_ x: Double) -> Double {
    if x < 25 { return log(0.5 * erfc(x)) }
    let inverse = 1 / (2 * x * x)
    var term = 1.0, sum = 1.0
    for n in 1...8 {
        term *= -Double(2 * n - 1) * inverse
        sum += term
    }
    return -x * x - log(x * Double.pi.squareRoot()) + log(sum) - log(2.0)
}

/// log(e^a + e^b) without overflow.
private func logAdd(_ a: Double, _ b: Double) -> Double {
    let (high, low) = a > b ? (a, b) : (b, a)
    return high == -.infinity ? low : high + log1p(exp(low - high))
}
