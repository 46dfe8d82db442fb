import Foundation
import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// The principal branch W₀ of Lambert's W function: the w ≥ −1 with w·eʷ = x, for x ≥ −1/e.
/// Returns NaN below −1/e (no real solution) and for NaN, +∞ for +∞.
///
/// Start: near the branch point (x < −0.32) the series in p = √(2(e·x + 1)),
/// w ≈ −1 + p − p²/3 + 11p³/72 − 43p⁴/540; for x ≤ e the rational guess w ≈ x/(1 + x) · (1 + ln(1 + x))
/// refined below; above e the asymptotic w ≈ L₁ − L₂ + L₂/L₁ (L₁ = ln x, L₂ = ln L₁). Then, for
/// x ≤ e, Halley's iteration on f(w) = w·eʷ − x,
///     w ← w − f / (eʷ(w + 1) − (w + 2) f / (2w + 2)),
/// and above e (where eʷ may overflow) Newton's on f(w) = w + ln w − ln x, w ← w − f·w/(1 + w);
/// each until the step is below 4 ulp of w (at most 32 iterations).
public func lambertW0(_ x: Double) -> Double {
    let inverseELow = -1.2428753672788363e-17   // 1/e − Double(1/e)
    let branchPoint = -exp(-1.0)
    if x.isNaN || x < branchPoint { return .nan }
    // −exp(−1) in Double lies 1.2e-17 below the true −1/e: taken as the branch point itself.
    if x == branchPoint { return -1 }
    if x == .infinity { return .infinity }
    if x == 0 { return 0 }
    var w: Double
    if x < -0.32 {
        // e·x + 1 = e·(x + 1/e), with 1/e in two parts (its Double and the rest, −1.2428753672788363e-17)
        // so that the small sum near the branch point keeps its digits.
        let p = (2 * exp(1.0) * ((x - branchPoint) + inverseELow)).squareRoot()
        w = -1 + p * (1 + p * (-1.0 / 3 + p * (11.0 / 72 + p * (-43.0 / 540))))
        if p < 1e-4 { return w }   // the series' error, O(p⁵), is below 1e-20 there; Halley would lose digits to w + 1 ≈ 0
    } else if x <= exp(1.0) {
        w = x / (1 + x) * (1 + log1p(x))
    } else {
        let l1 = log(x), l2 = log(l1)
        w = l1 - l2 + l2 / l1
    }
    for _ in 0..<32 {
        let step: Double
        if x <= exp(1.0) {
            let ew = exp(w), f = w * ew - x
            step = f / (ew * (w + 1) - (w + 2) * f / (2 * w + 2))
        } else {
            let f = w + log(w) - log(x)
            step = f * w / (1 + w)
        }
        w -= step
        if !(abs(step) > 4 * w.ulp) { break }
    }
    return w
}
