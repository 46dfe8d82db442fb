import Foundation

/// How an axis maps data to position: linearly, by the base-10 logarithm (for data spanning decades;
/// only positive values can be shown), or symmetric-logarithmically (linear within ±`linearWithin`,
/// logarithmic beyond, as matplotlib's "symlog": for a sweep that includes 0 and then spans decades).
public enum AxisScale: Sendable, Equatable {
    case linear
    case log10
    /// Position v / t for |v| ≤ t, else sign(v) · (1 + log10(|v| / t)), with t = `linearWithin` > 0.
    case symmetricLog(linearWithin: Double)

    /// Whether `value` has a position on this scale: finite, and positive on a log scale.
    public func shows(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        if case .log10 = self { return value > 0 }
        return true
    }

    /// The position of `value` along the scale, in scale units (log10(v) on a log scale); NaN for a
    /// value the scale cannot show.
    public func scaled(_ value: Double) -> Double {
        switch self {
        case .linear: return value
        case .log10: return value > 0 ? Foundation.log10(value) : .nan
        case .symmetricLog(let t):
            let magnitude = abs(value)
            let position = magnitude <= t ? magnitude / t : 1 + Foundation.log10(magnitude / t)
            return value < 0 ? -position : position
        }
    }

    /// The value at a position along the scale (the inverse of `scaled`).
    public func unscaled(_ position: Double) -> Double {
        switch self {
        case .linear: return position
        case .log10: return pow(10, position)
        case .symmetricLog(let t):
            let magnitude = abs(position)
            let value = magnitude <= 1 ? magnitude * t : t * pow(10, magnitude - 1)
            return position < 0 ? -value : value
        }
    }

    /// The share of the way from `range`'s lower to its upper end at which `value` lies along the
    /// scale: (s(v) - s(lo)) / (s(hi) - s(lo)). A value the scale cannot show (0 or less on a log
    /// scale) lies at -1, a whole axis length before the lower end: outside the plot area, finite.
    func fraction(_ value: Double, of range: ClosedRange<Double>) -> Double {
        if case .linear = self { return (value - range.lowerBound) / (range.upperBound - range.lowerBound) }
        guard shows(value) else { return -1 }
        let low = scaled(range.lowerBound)
        return (scaled(value) - low) / (scaled(range.upperBound) - low)
    }

    /// The value at `fraction` of the way along `range` on this scale (the inverse of `fraction`).
    func value(atFraction fraction: Double, of range: ClosedRange<Double>) -> Double {
        if case .linear = self { return range.lowerBound + fraction * (range.upperBound - range.lowerBound) }
        let low = scaled(range.lowerBound)
        return unscaled(low + fraction * (scaled(range.upperBound) - low))
    }
}

/// `m` × 10^`n` as the nearest double (by one correctly rounded multiplication or division, so that
/// 10^-4 is the double nearest 0.0001).
func decimalPower(_ m: Double, _ n: Int) -> Double {
    n >= 0 ? m * pow(10, Double(n)) : m / pow(10, Double(-n))
}

/// The ticks of a logarithmic axis over `lower...upper` (lower > 0): the labelled ticks at powers
/// of ten (every k-th decade, k the least that keeps them at most `maxTicks`, with the others minor)
/// and minor ticks at 2…9 × 10^n; when at most two powers of ten lie in the range, labelled ticks at
/// 1, 2 and 5 × 10^n if at most `maxTicks` (the other multiples minor), and with fewer than two powers
/// then at 1…9 × 10^n, else the linear nice ticks.
/// Values are the doubles nearest the decimals (10^-4 is the double nearest 0.0001).
public func logTicks(lower: Double, upper: Double, maxTicks: Int) -> (major: [Double], minor: [Double]) {
    precondition(lower > 0 && upper > lower && maxTicks >= 2, "a log tick range needs 0 < lower < upper and at least 2 ticks")
    let inside = { (value: Double) in value >= lower * (1 - 1e-12) && value <= upper * (1 + 1e-12) }
    let first = Int((Foundation.log10(lower) - 1e-9).rounded(.up)), last = Int((Foundation.log10(upper) + 1e-9).rounded(.down))
    // Every multiple m × 10^n of the decades the range touches, in increasing order.
    func multiples(_ ms: [Double]) -> [Double] {
        (first - 1...last).flatMap { n in ms.map { decimalPower($0, n) } }.filter(inside)
    }
    let powers = last - first + 1
    // Within about two decades, 1, 2 and 5 × 10^n (or every multiple within one) when they fit.
    if powers <= 2 {
        for ms in powers < 2 ? [[1.0, 2, 5], [1.0, 2, 3, 4, 5, 6, 7, 8, 9]] : [[1.0, 2, 5]] {
            let major = multiples(ms)
            if major.count >= 2 && major.count <= maxTicks {
                return (major, multiples([1.0, 2, 3, 4, 5, 6, 7, 8, 9]).filter { !major.contains($0) })
            }
        }
    }
    if powers >= 2 {
        let decades = Array(first...last)
        let every = (1...).first { (decades.count + $0 - 1) / $0 <= maxTicks }!
        var major = decades.filter { (($0 % every) + every) % every == 0 }
        if major.count < 2 { major = stride(from: first, through: last, by: every).map { $0 } }
        let minor = every == 1
            ? multiples([2, 3, 4, 5, 6, 7, 8, 9])
            : decades.filter { !major.contains($0) }.map { decimalPower(1, $0) }
        return (major.map { decimalPower(1, $0) }, minor)
    }
    return (niceTicks(lower: lower, upper: upper, maxTicks: maxTicks).filter { $0 > 0 }, [])
}

/// The label of a tick at `value` on a logarithmic axis whose labelled ticks are `ticks`: plain
/// decimals ("0.001", "0.5", "1000") when every tick lies within 10^-3…10^4, else powers of ten with
/// a superscript exponent and a typographic minus ("10⁻⁴", "2×10⁻⁴"), as a printed figure writes them.
public func logTickLabel(_ value: Double, ticks: [Double]) -> String {
    if value == 0 { return "0" }
    let plain = ticks.allSatisfy { $0 == 0 || (abs($0) >= 1e-3 * (1 - 1e-9) && abs($0) <= 1e4 * (1 + 1e-9)) }
    let sign = value < 0 ? "\u{2212}" : ""
    let magnitude = abs(value)
    if plain { return sign + String(format: "%.\(tickDecimals(step: magnitude))f", magnitude) }
    let exponent = Int((Foundation.log10(magnitude) + 1e-9).rounded(.down))
    let mantissa = (magnitude / decimalPower(1, exponent) * 1e6).rounded() / 1e6
    let digits: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
    let power = "10" + String(String(exponent).map { digits[$0]! })
    if mantissa == 1 { return sign + power }
    return sign + String(format: "%.\(tickDecimals(step: mantissa))f", mantissa) + "×" + power
}
