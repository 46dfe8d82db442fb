import Foundation

/// How numbers, lists and documents are written, once for every output (findings, reports, JSON).

/// A number with fixed decimals, e.g. fixed(0.8933, decimals: 3) -> "0.893"; a value that rounds to
/// zero has no sign ("0.000", never "-0.000").
public func fixed(_ value: Double, decimals: Int) -> String { withoutSignOnZero(String(format: "%.\(decimals)f", value)) }

/// A number with fixed decimals and its sign, for a difference: signedFixed(0.0123, decimals: 3) ->
/// "+0.012", "-0.012" below zero; a value that rounds to zero has no sign ("0.000", never "+0.000" or
/// "-0.000").
public func signedFixed(_ value: Double, decimals: Int) -> String { withoutSignOnZero(String(format: "%+.\(decimals)f", value)) }

/// `text`, a number printed by `String(format:)`, without its leading sign when every digit is zero.
private func withoutSignOnZero(_ text: String) -> String {
    guard let first = text.first, first == "-" || first == "+", text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) else { return text }
    return String(text.dropFirst())
}

/// A fraction as a percentage with one decimal, e.g. 0.434 -> "43.4%".
public func percent(_ fraction: Double) -> String { fixed(fraction * 100, decimals: 1) + "%" }

/// A confidence level as a percentage to two decimals, trailing zeros dropped: 0.95 -> "95%",
/// 0.9913910 -> "99.14%" (an adaptive study's adjusted level), 0.999 -> "99.9%".
public func confidenceText(_ level: Double) -> String {
    var digits = String(format: "%.2f", level * 100)
    while digits.hasSuffix("0") { digits.removeLast() }
    if digits.hasSuffix(".") { digits.removeLast() }
    return digits + "%"
}

/// Items joined as an English list: "a, b and c".
public func listing(_ items: [String]) -> String {
    guard items.count > 1 else { return items.first ?? "none" }
    return items.dropLast().joined(separator: ", ") + " and " + items.last!
}

/// The first items of a list of `total`, as an error message quotes them: at most three, joined by
/// ", ", then how many more, e.g. "3/8, 4/8, 5/8, ... (999997 more)".
public func abbreviatedList(_ items: some Sequence<String>, total: Int) -> String {
    let shown = Array(items.prefix(3))
    guard total > shown.count else { return shown.joined(separator: ", ") }
    return shown.joined(separator: ", ") + ", ... (\(total - shown.count) more)"
}

/// A value an error message quotes, cut to its first `limit` characters, e.g. "abc... (9997 more characters)".
public func abbreviated(_ text: String, limit: Int = 100) -> String {
    guard text.count > limit else { return text }
    return text.prefix(limit) + "... (\(text.count - limit) more characters)"
}

/// An estimate in words with `number` for its value: "40.0%"; a bound with its side, "> 50.0%" (a
/// threshold beyond the largest swept fraction) or "< -15.0 pp"; `missing` without a value.
public func estimateText(_ estimate: Estimate, _ number: (Double) -> String, missing: String = "n/a") -> String {
    guard let value = estimate.value else { return missing }
    switch estimate.bound {
    case .lower?: return "> " + number(value)
    case .upper?: return "< " + number(value)
    case nil: return number(value)
    }
}

/// The interval of `estimate` in words (see `intervalText`); nil without one, or when it says no more
/// than the estimate's bound (an interval from the largest swept fraction up beside "> 50.0%": the
/// threshold lies beyond the range in nearly every replicate).
public func informativeIntervalText(_ estimate: Estimate, _ number: (Double) -> String, separator: String = " to ") -> String? {
    guard let interval = estimate.interval else { return nil }
    switch estimate.bound {
    case .lower? where interval.lower == estimate.value && interval.upper == nil && interval.undetermined == nil && interval.imprecise == nil: return nil
    case .upper? where interval.lower == nil && interval.upper == estimate.value && interval.undetermined == nil && interval.imprecise == nil: return nil
    default: return intervalText(interval, number, separator: separator)
    }
}

/// Pretty-printed JSON with sorted keys and unescaped slashes: the same bytes for the same value.
public func sortedJSON<Value: Encodable>(_ value: Value) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(value)
}

/// "mean ± std" with three decimals, e.g. "0.185 ± 0.053".
public func plusMinus(_ statistics: MeanStd) -> String {
    "\(fixed(statistics.mean, decimals: 3)) ± \(fixed(statistics.std, decimals: 3))"
}

/// "mean ± std" for a measurement whose scale can lie far below a thousandth (a gradient norm, a
/// ratio of gradients): `plusMinus` unless the mean is not 0 but rounds to 0 at three decimals, then
/// both in exponent notation, "1.4e-05 ± 8.2e-06", so that a signal at 1e-5 does not print as
/// "0.000 ± 0.000".
public func magnitudePlusMinus(_ statistics: MeanStd) -> String {
    guard statistics.mean != 0, abs(statistics.mean) < 0.0005 else { return plusMinus(statistics) }
    return String(format: "%.1e ± %.1e", statistics.mean, statistics.std)
}

/// The same with the mean's sign, for a difference such as an excess over the clean model:
/// "+0.717 ± 0.047" ("0.000 ± 0.004" for a mean that rounds to zero).
public func signedPlusMinus(_ statistics: MeanStd) -> String {
    signedFixed(statistics.mean, decimals: 3) + " ± \(fixed(statistics.std, decimals: 3))"
}

/// A difference of fractions in percentage points with one decimal and a sign, e.g. -0.03 -> "-3.0 pp";
/// "0.0 pp" for one that rounds to zero.
public func percentagePoints(_ difference: Double) -> String { signedFixed(difference * 100, decimals: 1) + " pp" }

/// An interval end in percentage points: `percentagePoints`, except that an end which is not zero
/// but rounds to zero at one decimal keeps its sign and first digit that is not zero (up to three
/// decimals), so an interval that excludes zero never reads as reaching it: -0.00038 -> "-0.04 pp"
/// where `percentagePoints` writes "0.0 pp" (review r21n m1); within 0.0005 pp of zero, "0.0 pp".
public func percentagePointsEnd(_ difference: Double) -> String {
    let points = difference * 100
    for decimals in 1...3 {
        let text = signedFixed(points, decimals: decimals)
        if text.first == "+" || text.first == "-" { return text + " pp" }
    }
    return "0.0 pp"
}

/// An interval in words with `number` for its ends, in the words every output uses for an end it
/// cannot give: **unbounded** (the replicates reach beyond the swept fractions there, or are too
/// often undefined to bound it), **undetermined** (whether it is bounded lies within the bootstrap's
/// Monte Carlo error) and **withheld** (its Monte Carlo error too large to show it, `Interval.imprecise`).
/// "a to b" (or with another `separator`, e.g. ", " inside brackets); an unbounded
/// upper end reads "a or more" (for a threshold: beyond the largest swept fraction), an unbounded lower
/// end "at most b", both "unbounded"; no interval at all (too few seeds, or too many undefined
/// replicates) reads "none". An undetermined or withheld end is named after the other: "from a; its
/// upper end undetermined", "up to b; its lower end withheld" (an open other end: `openWords`, by
/// default "unbounded below" or "unbounded above", in its place), "undetermined" or "withheld" when
/// both are ("its lower end withheld, its upper end undetermined" when they differ).
public func intervalText(_ interval: Interval?, _ number: (Double) -> String, separator: String = " to ",
                         openWords: (lower: String, upper: String) = ("unbounded below", "unbounded above")) -> String {
    guard let interval else { return "none" }
    func missing(_ end: IntervalEnd) -> String? {
        interval.isImprecise(end) ? "withheld" : interval.isUndetermined(end) ? "undetermined" : nil
    }
    switch (missing(.lower), missing(.upper)) {
    case let (lower?, upper?): return lower == upper ? lower : "its lower end \(lower), its upper end \(upper)"
    case let (lower?, nil): return (interval.upper.map { "up to \(number($0))" } ?? openWords.upper) + "; its lower end \(lower)"
    case let (nil, upper?): return (interval.lower.map { "from \(number($0))" } ?? openWords.lower) + "; its upper end \(upper)"
    case (nil, nil): break
    }
    switch (interval.lower, interval.upper) {
    case let (lower?, upper?): return number(lower) + separator + number(upper)
    case let (lower?, nil): return "\(number(lower)) or more"
    case let (nil, upper?): return "at most \(number(upper))"
    case (nil, nil): return "unbounded"
    }
}
