import Foundation

/// The number a report's table cell shows first, as the HTML report's `data-sort-value` (its tables
/// sort by it): "0.912" for "0.912 ± 0.010 [0.893, 0.928]", "24.7" for "24.7% [22.1%, 30.2%]",
/// "-8.5" for "-8.5 pp to +1.0 pp", 1/9048 for the evidence ratio "1/9048", "0.52" for "w = 0.52",
/// "12.3" for the threshold cell "τ_w = 12.3% [10.1%, 14.5%]" (or "τ = …"), 1.4e-05 for "1.4e-05 ± 8.2e-06",
/// 410 (the runs) for the design "41 × 10 (345)"; "" for a cell without a number ("—", "n/a", "no
/// fit", a label), which sorts after every number. A cell that only bounds its value from below ("> 15.0%",
/// a threshold beyond the swept range; "-14.3 pp or more") sorts after every point estimate of its
/// column, whatever the bound (a point estimate of 30.0% may stand beside "> 15.0%" when the attacks'
/// budgets saturate at different fractions): `lowerBoundSortValue` plus its bound, so that such cells
/// keep their bounds' order among themselves. A threshold "not reached" sorts after those:
/// `notReachedSortValue` plus the bound of its interval, "not reached [45.0% or more]" above "not
/// reached [40.0% or more]" above "not reached". A strict upper bound sorts just below its number,
/// "< 5.0%" below an exact 5.0% (the next smaller Double, written by `%.17g`). Every cell of every
/// table of every report gets one, so the text is read as UTF-8 bytes where that gives the same
/// characters (`leadingNumber`), and the number is written by C's `%.12g` directly.
func sortValue(_ text: String) -> String {
    if text.hasPrefix(notReached) {
        var bound = text.dropFirst(notReached.count)
        guard bound.hasPrefix(" [") || bound.hasPrefix(" (") else { return formattedSortValue(notReachedSortValue) }
        bound = bound.dropFirst(2)
        return formattedSortValue(notReachedSortValue + (leadingNumber(&bound) ?? 0))
    }
    var rest = Substring(text)
    let strictBound: Character? = rest.hasPrefix("> ") || rest.hasPrefix("< ") ? rest.first : nil
    // A word is only ever taken off a text that starts with a word's first letter (most cells start
    // with a digit or a sign, and skip the comparisons of characters).
    if let initial = rest.utf8.first, sortValueWords.contains(where: { $0.utf8.first == initial }) {
        for word in sortValueWords where rest.hasPrefix(word) { rest = rest.dropFirst(word.count) }
    }
    guard let first = leadingNumber(&rest) else { return "" }
    var value = first
    // An exponent ("1.4e-05", written where a mean rounds to 0 at three decimals) scales the number.
    if rest.hasPrefix("e-") || rest.hasPrefix("e+") {
        var exponent = rest.dropFirst()
        if let power = leadingNumber(&exponent) {
            value *= pow(10, power)
            rest = exponent
        }
    }
    if rest.hasPrefix("/") {
        rest = rest.dropFirst()
        guard let denominator = leadingNumber(&rest), denominator != 0 else { return "" }
        value /= denominator
    } else if rest.hasPrefix(" × ") {
        rest = rest.dropFirst(3)
        guard let factor = leadingNumber(&rest) else { return "" }
        value *= factor
    }
    switch strictBound {
    case ">": return formattedSortValue(lowerBoundSortValue + value)
    case "<": return String(format: "%.17g", value.nextDown)
    default:
        // "42.4% or more", "-14.3 pp or more": a lower bound, as "> " is.
        for unit in ["", "%", " pp"] where rest.hasPrefix(unit) && rest.dropFirst(unit.count).hasPrefix(" or more") {
            return formattedSortValue(lowerBoundSortValue + value)
        }
        return formattedSortValue(value)
    }
}

/// The text of a threshold the curve never reaches (`thresholdText`).
private let notReached = "not reached"

/// What a cell that only bounds its value from below sorts as, beside its bound: above every number
/// a column shows as a point estimate (percentages, percentage points, ratios up to a million).
private let lowerBoundSortValue = 1_000_000.0

/// The sort value of a threshold "not reached" without an interval's bound: above every lower bound
/// (`lowerBoundSortValue` plus a bound of at most a million).
private let notReachedSortValue = 3_000_000.0

/// The words before a cell's number that `sortValue` skips, in the order it tries them.
private let sortValueWords = ["w = ", "τ_w = ", "τ = ", "> ", "< ", "at most ", "up to ", "from ", "under ", "over ", "more than "]

/// The decimal number at the start of `text` (a sign `+`, `-` or `−`, digits, a fraction), which it
/// removes from `text`; nil when `text` does not start with one. Read as characters: the number is
/// the ASCII digits and points up to the first character that is not one, so that a digit a
/// combining mark follows ("5\u{301}") is not one. Read as UTF-8 bytes, which gives the same
/// characters: a sign followed by a digit is a character of its own, and so is each of the digits
/// and points, but the last when a non-ASCII scalar that joins it follows (looked up as a character).
private func leadingNumber(_ text: inout Substring) -> Double? {
    let bytes = text.utf8
    var start = bytes.startIndex
    var negative = false
    if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
        negative = sign == UInt8(ascii: "-")
        start = bytes.index(after: start)
    } else if bytes.starts(with: "\u{2212}".utf8) {
        negative = true
        start = bytes.index(start, offsetBy: 3)
    }
    var end = start, last = start
    while end < bytes.endIndex, isDigitOrPoint(bytes[end]) { (last, end) = (end, bytes.index(after: end)) }
    // A mark that joins the last digit or point makes it a character that is not ASCII.
    if end > start, end < bytes.endIndex, bytes[end] >= 0x80, text[last...].first!.unicodeScalars.count > 1 { end = last }
    guard end > start, bytes[start] != UInt8(ascii: ".") else { return nil }
    guard let value = Double((negative ? "-" : "") + String(text[start..<end])) else { return nil }
    text = text[end...]
    return value
}

/// Whether `byte` is an ASCII digit or a point.
private func isDigitOrPoint(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".")
}

/// `value` as C's `%.12g` writes it: what `String(format: "%.12g", value)` gives, without the cost of
/// Foundation's formatter.
func formattedSortValue(_ value: Double) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 40) { buffer in
        let count = withVaList([value]) { vsnprintf(buffer.baseAddress!, buffer.count, "%.12g", $0) }
        return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(count)), as: UTF8.self)
    }
}
