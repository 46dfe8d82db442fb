// Text the user wrote (a key, a value, a label, a cell, a file name) as the tool quotes it in an
// error line, and the characters a title, name or label may not hold.

/// The most characters (grapheme clusters) of one piece of user text that an error line quotes.
public let maximumQuotedCharacters = 40

/// The most Unicode scalars the characters an error line quotes may hold together: a character may
/// be one letter with thousands of combining marks.
private let maximumQuotedScalars = 4 * maximumQuotedCharacters

/// `text` cut to its first `maximumQuotedCharacters` characters and "…" when it is longer (its last
/// characters and a leading "…" when `keepingEnd`, for a path, whose file name ends it). Counts
/// grapheme clusters (Swift's `Character`), so a cut never falls inside one; the characters kept
/// hold at most `maximumQuotedScalars` scalars (fewer characters are kept when they hold more).
/// Cutting the cut text again changes nothing.
public func shortenedUserText(_ text: some StringProtocol, keepingEnd: Bool = false) -> String {
    if text.unicodeScalars.count <= maximumQuotedScalars, text.count <= maximumQuotedCharacters + 1 { return String(text) }
    var kept = [Character](), scalars = 0
    for character in keepingEnd ? AnySequence(text.reversed()) : AnySequence(text) {
        scalars += character.unicodeScalars.count
        guard kept.count < maximumQuotedCharacters, scalars <= maximumQuotedScalars else { break }
        kept.append(character)
    }
    return keepingEnd ? "…" + String(kept.reversed()) : String(kept) + "…"
}

/// `text` in single quotes as an error line quotes it: `shortenedUserText`, so that the reason after
/// it always shows, e.g. `'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…'`.
public func quotedUserText(_ text: some StringProtocol, keepingEnd: Bool = false) -> String {
    "'" + shortenedUserText(text, keepingEnd: keepingEnd) + "'"
}

/// Whether `scalar` may not stand in a title, a name or a label (nor in a study's text at all): a
/// control character (C0, DEL, C1; tab and line feed included: every such text is one line), a line
/// or paragraph separator (U+2028, U+2029), or a bidirectional embedding, override or isolate
/// (U+202A–U+202E, U+2066–U+2069), which reorders the text around it in a report or a terminal.
public func isDisallowedInText(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.generalCategory == .control || scalar.value == 0x2028 || scalar.value == 0x2029
        || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
}

/// The code point of `scalar` as Unicode writes it, e.g. "U+001B", "U+202E".
public func codePointText(_ scalar: Unicode.Scalar) -> String {
    let hex = String(scalar.value, radix: 16, uppercase: true)
    return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
}

/// Why `text` cannot be a title, a name or a label, or nil: its first scalar that
/// `isDisallowedInText` (line feeds and carriage returns aside when `allowingLineEnds`), with its
/// code point and the character it stands in (from 1), e.g. "holds U+0007, a control character, at
/// character 3; write it as plain text on one line".
public func disallowedTextProblem(_ text: some StringProtocol, allowingLineEnds: Bool = false) -> String? {
    let disallowed = { (scalar: Unicode.Scalar) in
        isDisallowedInText(scalar) && !(allowingLineEnds && (scalar == "\n" || scalar == "\r"))
    }
    guard text.unicodeScalars.contains(where: disallowed) else { return nil }
    for (index, character) in text.enumerated() {
        guard let scalar = character.unicodeScalars.first(where: disallowed) else { continue }
        let kind = scalar.properties.generalCategory == .control ? "a control character"
            : scalar.value == 0x2028 || scalar.value == 0x2029 ? "a line break" : "a bidirectional-text control"
        return "holds \(codePointText(scalar)), \(kind), at character \(index + 1); write it as plain text on one line"
    }
    return nil
}
