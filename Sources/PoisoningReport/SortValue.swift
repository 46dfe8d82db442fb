import Foundation

/// The number a report's table cell shows first, as the HTML report's `data-sort-value` (its tables
/// sort by it): "0.912" for "0.912 ± 0.010 [0.893, 0.928]", "24.7" for "24.7% [22.1%, 30.2%]" and
/// for "> 24.7%" or "24.7% or more", "-8.5" for "-8.5 pp to +1.0 pp", 1/9048 for the evidence ratio
/// "1/9048", "0.52" for "w = 0.52", 410 (the runs) for the design "41 × 10 (345)"; "" for a cell
/// without a number ("—", "n/a", "no fit", a label), which sorts after every number.
func sortValue(_ text: String) -> String {
    var rest = Substring(text)
    for word in ["w = ", "> ", "< ", "at most ", "up to ", "from ", "under ", "over ", "more than "] where rest.hasPrefix(word) {
        rest = rest.dropFirst(word.count)
    }
    guard let first = leadingNumber(&rest) else { return "" }
    var value = first
    if rest.hasPrefix("/") {
        rest = rest.dropFirst()
        guard let denominator = leadingNumber(&rest), denominator != 0 else { return "" }
        value /= denominator
    } else if rest.hasPrefix(" × ") {
        rest = rest.dropFirst(3)
        guard let factor = leadingNumber(&rest) else { return "" }
        value *= factor
    }
    return String(format: "%.12g", value)
}

/// The decimal number at the start of `text` (a sign `+`, `-` or `−`, digits, a fraction), which it
/// removes from `text`; nil when `text` does not start with one.
private func leadingNumber(_ text: inout Substring) -> Double? {
    var digits = "", rest = text
    if let sign = rest.first, "+-\u{2212}".contains(sign) {
        digits = sign == "+" ? "" : "-"
        rest = rest.dropFirst()
    }
    let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
    guard number.first?.isNumber == true, let value = Double(digits + number) else { return nil }
    text = rest.dropFirst(number.count)
    return value
}
