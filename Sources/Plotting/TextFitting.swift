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

/// `text` broken into at most `maxLines` lines of at most `width` points at `size`: greedily at
/// spaces, the last line shortened with "…" (`fitted`) when the text does not fit, and a word wider
/// than a line shortened too.
public func wrapped(_ text: String, width: Double, size: Double, maxLines: Int, font: Font) -> [String] {
    precondition(maxLines >= 1, "at least one line")
    var lines = [String]()
    var words = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    while !words.isEmpty {
        if lines.count == maxLines - 1 {
            lines.append(fitted(words.joined(separator: " "), width: width, size: size, font: font))
            break
        }
        var line = words.removeFirst()
        while let next = words.first, font.width(of: line + " " + next, size: size) <= width {
            line += " " + words.removeFirst()
        }
        lines.append(fitted(line, width: width, size: size, font: font))
    }
    return lines
}

extension String {
    /// The string without the trailing characters that satisfy `predicate`.
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> String {
        var result = self
        while let last = result.last, predicate(last) { result.removeLast() }
        return result
    }
}
