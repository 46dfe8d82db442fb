/// `text` when it is at most `width` points wide at `size`, else its longest beginning (whole
/// characters, trailing spaces and commas dropped) followed by "…" that is; "…" alone when not even
/// one character fits.
public func fitted(_ text: String, width: Double, size: Double, font: Font) -> String {
    guard font.width(of: text, size: size) > width else { return text }
    let characters = Array(text)
    // Binary search for the longest prefix whose shortened form fits: widths grow with the prefix.
    func shortened(_ count: Int) -> String {
        String(characters[..<count]).trimmingSuffix { $0 == " " || $0 == "," } + "…"
    }
    var low = 0, high = characters.count - 1
    while low < high {
        let middle = (low + high + 1) / 2
        if font.width(of: shortened(middle), size: size) <= width { low = middle } else { high = middle - 1 }
    }
    return low == 0 ? "…" : shortened(low)
}

/// `text` broken into at most `maxLines` lines of at most `width` points at `size`, only at spaces: first after the
/// ", " separators outside parentheses, each line but the last keeping its comma, when the comma-separated parts each
/// fit a line and fill at most `maxLines`; else at the spaces outside parentheses ("(k = 10)" stays whole); else also at
/// those inside a parenthesised group wider than a line. Never between a name and its value ("λ 0.3", "rate 0.00",
/// "C = 1.0") nor beside an arrow ("class 7 → class 1"): `bound(_:_:)` joins them, and only a run of them wider than a
/// line breaks at its spaces; a word wider than a line breaks after an "_", "-" or "/" or else with a hyphen
/// (`pieces(of:)`). The last line is shortened with "…" (`fitted`) only when the text still needs more than `maxLines`
/// lines (never with `maxLines` `Int.max`). (A panel title broke "malignant_ductal_carcinoma" into
/// "malignant_ductal_carci" and "noma", "(k = 10)" into "(k =" and "10)", "backdoor → 0," into "backdoor → 0" at a
/// line's end, dropping its comma, and "gradpc 0.25" into "gradpc" and "0.25".)
public func wrapped(_ text: String, width: Double, size: Double, maxLines: Int, font: Font) -> [String] {
    precondition(maxLines >= 1, "at least one line")
    let fits = { (lines: [String]) in lines.count <= maxLines && lines.allSatisfy { font.width(of: $0, size: size) <= width } }
    let parts = unparenthesised(text, separator: ", ")
    if parts.count > 1 {
        // Each part but the last with its comma, so that a line ending after it keeps the comma.
        let lines = packed(parts.dropLast().map { $0 + "," } + [parts.last!], width: width, size: size, font: font)
        if fits(lines) { return lines }
    }
    let groups = joinedRuns(unparenthesised(text, separator: " "))
    let whole = packed(groups, width: width, size: size, font: font)
    if fits(whole) { return whole }
    let words = groups.flatMap { group -> [String] in
        guard font.width(of: group, size: size) > width else { return [group] }
        // A parenthesised group, or a run of bound words, wider than a line: its words, bound again where they fit.
        let runs = joinedRuns(group.split(separator: " ").map(String.init))
        return runs.flatMap { run in
            font.width(of: run, size: size) <= width ? [run]
                : run.split(separator: " ").flatMap { pieces(of: String($0), width: width, size: size, font: font) }
        }
    }
    let lines = packed(words, width: width, size: size, font: font)
    guard lines.count > maxLines else { return lines }
    let kept = lines.prefix(maxLines - 1).map { fitted($0, width: width, size: size, font: font) }
    return kept + [fitted(lines[(maxLines - 1)...].joined(separator: " "), width: width, size: size, font: font)]
}

/// Whether no line may break between the words `previous` and `next`: after an arrow ("→", "->") or before one, on
/// either side of "=" and before a value (a word that starts with a digit, or with a sign or "." and then a digit,
/// such as "0.3", "−5.7", "10.0%,"), which stays with the name before it.
func bound(_ previous: String, _ next: String) -> Bool {
    let arrows = ["→", "->"]
    if arrows.contains(where: previous.hasSuffix) || arrows.contains(where: next.hasPrefix) { return true }
    if previous.hasSuffix("=") || next.hasPrefix("=") { return true }
    let characters = Array(next)
    guard let first = characters.first else { return false }
    if first.isASCII && first.isNumber { return true }
    return "−-+.".contains(first) && characters.count > 1 && characters[1].isASCII && characters[1].isNumber
}

/// `words` with every run of words bound to one another (`bound(_:_:)`) joined by spaces into one.
func joinedRuns(_ words: [String]) -> [String] {
    var runs = [String]()
    for (index, word) in words.enumerated() {
        if index > 0, bound(words[index - 1], word) { runs[runs.count - 1] += " " + word } else { runs.append(word) }
    }
    return runs
}

/// `word` as it is when it fits `width` at `size`, else cut into runs that do: each the longest that fits
/// and ends in "_", "-" or "/" ("malignant_ductal_" and "carcinoma"), else the longest that fits with a hyphen
/// after it, which it then ends in (at least one character each).
func pieces(of word: String, width: Double, size: Double, font: Font) -> [String] {
    func fits(_ text: Substring) -> Bool { font.width(of: String(text), size: size) <= width }
    var pieces = [String](), rest = Substring(word)
    while rest.count > 1 && !fits(rest) {
        var fitting = 1
        while fitting < rest.count && fits(rest.prefix(fitting + 1)) { fitting += 1 }
        if let end = rest.prefix(fitting).lastIndex(where: { "_-/".contains($0) }) {
            let cut = rest.index(after: end)
            pieces.append(String(rest[..<cut]))
            rest = rest[cut...]
        } else {
            var count = fitting
            while count > 1 && !fits(rest.prefix(count) + "-") { count -= 1 }
            pieces.append(String(rest.prefix(count)) + "-")
            rest = rest.dropFirst(count)
        }
    }
    return pieces + [String(rest)]
}

/// `pieces` joined by spaces into lines, each as many pieces as fit in `width` (at least one).
private func packed(_ pieces: [String], width: Double, size: Double, font: Font) -> [String] {
    var lines = [String]()
    for piece in pieces {
        if let last = lines.last, font.width(of: last + " " + piece, size: size) <= width {
            lines[lines.count - 1] = last + " " + piece
        } else {
            lines.append(piece)
        }
    }
    return lines
}

/// `text` split at the occurrences of `separator` that lie outside parentheses, empty pieces dropped.
private func unparenthesised(_ text: String, separator: String) -> [String] {
    var pieces = [String](), current = "", depth = 0
    for character in text {
        if character == "(" { depth += 1 }
        if character == ")" { depth = max(0, depth - 1) }
        current.append(character)
        if depth == 0 && current.hasSuffix(separator) {
            pieces.append(String(current.dropLast(separator.count)))
            current = ""
        }
    }
    pieces.append(current)
    return pieces.filter { !$0.isEmpty }
}

extension String {
    /// The string without the trailing characters that satisfy `predicate`.
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var result = self
        while let last = result.last, predicate(last) { result.removeLast() }
        return result
    }
}
