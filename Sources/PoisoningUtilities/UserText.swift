// Text the user wrote (a key, a value, a label, a cell, a file name) as the tool quotes it in an
// error line, and the characters a title, name or label may not hold.

/// The most characters (grapheme clusters) of one piece of user text that an error line quotes.
public let maximumQuotedCharacters = 40

/// The most characters of a path that an error line quotes: a path is quoted whole up to this
/// length, so that a line naming a file in a project of ordinary depth shows all of it; a longer
/// one keeps its end, the file name.
public let maximumQuotedPathCharacters = 80

/// Whether an error line writes `scalar` as its code point (`\u{202E}`) rather than raw, because a
/// terminal would show nothing for it or let it change the text around it: a control or format
/// character (C0, DEL, C1, soft hyphen, zero-width spaces and joiners, bidirectional marks,
/// embeddings, overrides and isolates), a line or paragraph separator, a space other than U+0020, a
/// private-use, surrogate or unassigned code point, and any other default-ignorable one (variation
/// selectors, the Hangul fillers).
public func isEscapedInErrorLine(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned: true
    case .spaceSeparator: scalar != " "
    default: scalar.properties.isDefaultIgnorableCodePoint
    }
}

/// `character` as an error line shows it: each of its scalars that `isEscapedInErrorLine` written as
/// `\u{` and its hexadecimal code point and `}`, e.g. "\u{202E}" for a right-to-left override.
private func shownCharacter(_ character: Character) -> String {
    guard character.unicodeScalars.contains(where: isEscapedInErrorLine) else { return String(character) }
    return character.unicodeScalars.map { isEscapedInErrorLine($0) ? "\\u{\(String($0.value, radix: 16, uppercase: true))}" : String($0) }
        .joined()
}

/// `text` as an error line shows it: every scalar `isEscapedInErrorLine` written as `\u{…}`, and cut
/// to its first `maximumQuotedCharacters` shown characters and "…" when it is longer (when
/// `keepingEnd`, for a path, whose file name ends it: whole up to `maximumQuotedPathCharacters`,
/// else its last ones and a leading "…"). Counts grapheme clusters (Swift's `Character`), an escape
/// as the characters it shows, so a cut never falls inside a character or an escape; the characters
/// kept hold at most 4 scalars each on average (fewer characters are kept when they hold more: a
/// character may be one letter with thousands of combining marks). Showing the shown text again
/// changes nothing.
public func shortenedUserText(_ text: some StringProtocol, keepingEnd: Bool = false) -> String {
    let limit = keepingEnd ? maximumQuotedPathCharacters : maximumQuotedCharacters
    var pieces = [String](), characters = 0, scalars = 0
    for character in keepingEnd ? AnySequence(text.reversed()) : AnySequence(text) {
        let piece = shownCharacter(character)
        characters += piece.count
        scalars += piece.unicodeScalars.count
        // limit + 1 characters are shown whole: cutting one to put "…" in its place saves nothing.
        guard characters <= limit + 1, scalars <= 4 * limit else {
            while pieces.reduce(0, { $0 + $1.count }) > limit { pieces.removeLast() }
            return keepingEnd ? "…" + pieces.reversed().joined() : pieces.joined() + "…"
        }
        pieces.append(piece)
    }
    return (keepingEnd ? pieces.reversed() : pieces).joined()
}

/// `text` in single quotes as an error line quotes it: `shortenedUserText`, so that the reason after
/// it always shows and nothing in it is invisible or reorders the line, e.g.
/// `'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…'`, `'left\u{202E}right'`.
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
