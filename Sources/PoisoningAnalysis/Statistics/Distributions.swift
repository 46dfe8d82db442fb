import Foundation

// The distributions the statistics need, written from their textbook definitions; the tests check
// them against SciPy (scripts/reference_statistics.py).

/// Φ(x), the standard normal CDF: ½ erfc(-x / √2).
public func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.squareRoot()) }

/// Φ⁻¹(p), the standard normal quantile, for 0 < p < 1: Acklam's rational approximation (relative
/// error below 1.2e-9) refined by one Halley step on Φ, which brings it to full double precision.
public func normalQuantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "a quantile needs 0 < p < 1")
    // Upper half by symmetry: 1 - p is exact there (Sterbenz), while Φ(x) - p near 1 would cancel.
    if p > 0.5 { return -normalQuantile(1 - p) }
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
             -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
             -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
             4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    var x: Double
    if p < low || p > 1 - low {
        let q = (-2 * log(p < low ? p : 1 - p)).squareRoot()
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        if p > 1 - low { x = -x }
    } else {
        let q = p - 0.5, r = q * q
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
    // Halley: e = Φ(x) - p, u = e √(2π) exp(x²/2), x -= u / (1 + x u / 2).
    let e = normalCDF(x) - p
    let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
    return x - u / (1 + x * u / 2)
}

/// I_x(a, b), the regularized incomplete beta function, for a, b > 0 and 0 <= x <= 1: the continued
/// fraction of Numerical Recipes §6.4 (modified Lentz), on the side of x where it converges fast
/// (I_x(a, b) = 1 - I_{1-x}(b, a)).
public func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    precondition(a > 0 && b > 0 && x >= 0 && x <= 1)
    if x == 0 || x == 1 { return x }
    // front = x^a (1-x)^b / (a B(a, b)).
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
    if x > (a + 1) / (a + b + 2) { return 1 - regularizedIncompleteBeta(1 - x, a: b, b: a) }
    return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
}

/// The continued fraction of I_x(a, b) (Numerical Recipes' betacf): 1 / (1 + d1 / (1 + d2 / ...)) with
/// d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)) and d_{2m} = m(b-m) x / ((a+2m-1)(a+2m)).
private func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0, d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...10_000 {
        let m = Double(m)
        let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1 + even * d; if abs(d) < tiny { d = tiny }
        c = 1 + even / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1 + odd * d; if abs(d) < tiny { d = tiny }
        c = 1 + odd / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        let step = d * c
        h *= step
        if abs(step - 1) < 1e-16 { break }
    }
    return h
}

/// P(a, x), the regularized lower incomplete gamma function, for a > 0 and x >= 0: its series
/// Σ xⁿ / (a (a+1) ... (a+n)) · x^a e^{-x} / Γ(a) below x = a + 1, and 1 - Q(a, x) from Q's
/// continued fraction above (Numerical Recipes §6.2).
public func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
    precondition(a > 0 && x >= 0)
    if x == 0 { return 0 }
    let logFront = a * log(x) - x - lgamma(a)
    if x < a + 1 {
        var term = 1 / a, sum = term, n = a
        for _ in 0..<100_000 {
            n += 1
            term *= x / n
            sum += term
            if abs(term) < abs(sum) * 1e-17 { break }
        }
        return sum * exp(logFront)
    }
    let tiny = 1e-300
    var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
    for i in 1...100_000 {
        let an = -Double(i) * (Double(i) - a)
        b += 2
        d = an * d + b; if abs(d) < tiny { d = tiny }
        c = b + an / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        let step = d * c
        h *= step
        if abs(step - 1) < 1e-16 { break }
    }
    return 1 - exp(logFront) * h
}

/// The CDF of Student's t with `df` degrees of freedom: with x = df / (df + t²), the tail is
/// ½ I_x(df/2, ½).
public func studentTCDF(_ t: Double, df: Double) -> Double {
    if t.isInfinite { return t > 0 ? 1 : 0 }
    let tail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), a: df / 2, b: 0.5)
    return t > 0 ? 1 - tail : tail
}

/// The p-quantile of Student's t with `df` degrees of freedom (0 < p < 1), by bisection on the CDF.
public func studentTQuantile(_ p: Double, df: Double) -> Double {
    precondition(p > 0 && p < 1)
    if p == 0.5 { return 0 }
    return monotoneQuantile(p, bracket: (-1, 1), scaleFloor: 1) { studentTCDF($0, df: df) }
}

/// P(F > f) for Fisher's F with (d1, d2) degrees of freedom: I_{d2/(d2 + d1 f)}(d2/2, d1/2).
public func fUpperTail(_ f: Double, d1: Double, d2: Double) -> Double {
    if f <= 0 { return 1 }
    return regularizedIncompleteBeta(d2 / (d2 + d1 * f), a: d2 / 2, b: d1 / 2)
}

/// P(X > x) for a chi-square variable with `df` degrees of freedom: 1 - P(df/2, x/2).
public func chiSquareUpperTail(_ x: Double, df: Double) -> Double {
    if x <= 0 { return 1 }
    return 1 - regularizedLowerGamma(df / 2, x / 2)
}

/// The p-quantile of the chi-square distribution with `df` degrees of freedom (0 < p < 1), by
/// bisection on one minus its upper tail.
public func chiSquareQuantile(_ p: Double, df: Double) -> Double {
    precondition(p > 0 && p < 1 && df > 0)
    return monotoneQuantile(p, bracket: (0, max(1, df)), scaleFloor: 1e-300) { 1 - chiSquareUpperTail($0, df: df) }
}

/// The p-quantile of the increasing `cdf` by bisection: the bracket's ends are doubled until
/// cdf(low) <= p <= cdf(high) (an end at 0 stays there), then halved at most 200 times, until its width
/// is at most 1e-14 times the larger of |midpoint| and `scaleFloor`; the bracket's midpoint.
private func monotoneQuantile(_ p: Double, bracket: (low: Double, high: Double), scaleFloor: Double,
                              cdf: (Double) -> Double) -> Double {
    var (low, high) = bracket
    while cdf(low) > p { low *= 2 }
    while cdf(high) < p { high *= 2 }
    for _ in 0..<200 {
        let middle = (low + high) / 2
        if cdf(middle) < p { low = middle } else { high = middle }
        if high - low <= 1e-14 * max(scaleFloor, abs(middle)) { break }
    }
    return (low + high) / 2
}

/// The p-quantile of Beta(a, b): Newton steps on I_x(a, b), kept within a shrinking bracket (bisection
/// when a step would leave it); exact for a = b = 1 (the uniform).
func betaQuantile(_ p: Double, a: Double, b: Double) -> Double {
    if a == 1 && b == 1 { return p }
    var low = 0.0, high = 1.0, x = a / (a + b)
    let logNorm = lgamma(a + b) - lgamma(a) - lgamma(b)
    for _ in 0..<100 {
        let error = regularizedIncompleteBeta(x, a: a, b: b) - p
        if error > 0 { high = x } else { low = x }
        let density = exp(logNorm + (a - 1) * log(x) + (b - 1) * log1p(-x))
        var next = x - error / density
        if !(next > low && next < high) { next = (low + high) / 2 }
        if abs(next - x) <= 1e-14 * max(x, 1e-300) || high - low <= 1e-15 { return next }
        x = next
    }
    return x
}
