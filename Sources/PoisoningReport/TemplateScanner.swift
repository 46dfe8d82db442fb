import Foundation
import Mustache

/// A tag of a template as the Mustache parser reads it, with its 1-based position.
struct TemplateTag: Sendable {
    /// What a tag does.
    enum Kind { case variable, section, invertedSection, close, comment, setDelimiter }

    let kind: Kind
    /// The name the tag looks up: `name` in `{{name}}`, `{{#name}}` or `{{f(name)}}`, "." for a
    /// transform of the current item (`{{first()}}`); empty for comments and set-delimiter tags.
    let name: String
    let line: Int
    let column: Int
    /// Bytes of text between the previous tag (or the template's start) and this one.
    let textBefore: Int
}

/// A template read as the Mustache parser reads it: its tags in order and the pieces it is cut into.
struct ScannedTemplate {
    let tags: [TemplateTag]
    let pieces: PieceLayouts
}

/// Why a template is refused, and where: the Mustache parser's error, or one of ours.
struct TemplateScanError: Error {
    let index: String.Index
    let reason: String
}

/// The deepest nesting of transforms in one name (`{{a(b(c))}}` nests 2); the parser recurses once
/// per level, so deeper names are refused before it sees them.
let maximumTransformDepth = 100

/// The prefix of the names under which a rendering finds the pieces cut out of sections; templates
/// may not name anything that starts with it.
let piecePlaceholderPrefix = "make-report-piece-"

/// Scans `template` exactly as swift-mustache 2.x parses it (`MustacheTemplate.parse` in
/// Template+Parser.swift: the same characters, read in the same order, with the same state) but
/// without building it, in time linear in its size. The scan refuses what the parser would reject,
/// with the position and reason the parser would give, and what it must never see: sections nested
/// deeper than `maximumSectionDepth`, transforms nested deeper than `maximumTransformDepth`,
/// partials, inheritance, pragmas, set-delimiter tags that set anything but printable ASCII, empty
/// sections under one-character delimiters (on which the parser traps), and the names the
/// rendering reserves. It cuts the template into pieces of about `pieceLength` bytes
/// that the parser reads as it reads the whole (see `PieceCutter`).
func scanTemplate(_ template: String, pieceLength: Int) throws(TemplateScanError) -> ScannedTemplate {
    var scanner = TemplateScanner(template, pieceLength: pieceLength)
    try scanner.run()
    return ScannedTemplate(tags: scanner.tags, pieces: scanner.cutter.finish(at: template.endIndex))
}

/// The characters the parser reads as a name, with and without the brackets of transforms.
private let nameCharacters = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*")
private let nameCharactersWithoutBrackets = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")

/// Whether `character` is one of the parser's name characters: looked up by its ASCII code when it
/// has one (hashing a Character is slow), else in the set, whose equality is canonical equivalence
/// (the Kelvin sign is a "K" to the parser).
private func isNameCharacter(_ character: Character) -> Bool {
    guard let ascii = character.asciiValue else { return nameCharacters.contains(character) }
    switch ascii {
    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return true
    default: return "._-?()*".utf8.contains(ascii)
    }
}

/// The parser's state in one section (its `ParserState` and the locals of one `parse` call).
private struct Frame {
    /// The open section's name and transforms; nil at the top level.
    var sectionName: String?
    var transforms: [String]
    /// The parser's `newLine` flag: the next text starts a line, whose leading blanks it reads apart.
    var newLine: Bool
    var open: String
    var close: String
    /// Whether the parser holds blanks read at a line start that no token has taken yet.
    var pendingBlanks: Bool
    /// Whether the tag that opened the section stood alone on its line; the parent's `newLine`
    /// after the section.
    var openedStandalone: Bool
    /// Where the section's body starts (after the opening tag's line break when it stood alone).
    var bodyStart: String.Index
}

/// The scan's state: a replay of `MustacheTemplate.parse` with a stack of frames instead of recursion.
private struct TemplateScanner {
    let template: String
    var position: String.Index
    var frames: [Frame]
    var tags = [TemplateTag]()
    var cutter: PieceCutter
    /// The end of the previous tag, for the text between tags.
    var lastTagEnd: String.Index
    /// Where the tag being read starts (its opening delimiter).
    var tagStart: String.Index
    /// The furthest the parser has looked: a piece may end only at or after it.
    var frontier: String.Index
    /// The position (line, column) of `counted`, up to which the text has been counted.
    var line = 1, column = 1
    var counted: String.Index

    init(_ template: String, pieceLength: Int) {
        self.template = template
        position = template.startIndex
        lastTagEnd = template.startIndex
        counted = template.startIndex
        tagStart = template.startIndex
        frontier = template.startIndex
        frames = [Frame(sectionName: nil, transforms: [], newLine: true, open: "{{", close: "}}", pendingBlanks: false,
                        openedStandalone: false, bodyStart: template.startIndex)]
        cutter = PieceCutter(template, pieceLength: pieceLength)
    }

    var end: String.Index { template.endIndex }

    /// The parser's `current()`: the character at the position, "\0" at the end.
    var current: Character { position < end ? template[position] : "\0" }

    mutating func advance() { position = template.index(after: position) }

    func failure(_ reason: String, at index: String.Index) -> TemplateScanError { TemplateScanError(index: index, reason: reason) }

    /// The parser's reading of the whole template (the loop of `parse(_:state:)`).
    mutating func run() throws(TemplateScanError) {
        while position < end {
            let top = frames.count - 1
            cutter.point(at: position, lineStart: frames[top].newLine, startable: frames[top].newLine || !frames[top].pendingBlanks,
                         safe: position >= frontier, delimiters: (frames[top].open, frames[top].close))
            if frames[top].newLine {
                let start = position
                while position < end, template[position] == " " || template[position] == "\t" { advance() }
                frames[top].pendingBlanks = position != start
            }
            let textLength = try readText()
            if position < end, template[position].isNewline {
                // A line break ends the text, also right after a tag's opening delimiter.
                advance()
                frames[top].newLine = true
                continue
            }
            if textLength > 0 {
                frames[top].pendingBlanks = false
                frames[top].newLine = false
            }
            guard position < end else { break }
            try readTag()
        }
        if frames.count > 1 { throw failure(parserReason(.expectedSectionEnd), at: end) }
    }

    /// The parser's `readUntilDelimiterOrNewline`: reads text up to a line break or past the opening
    /// delimiter of a tag, and returns the characters of text read. Offers the cutter every place in
    /// the text where a piece may end and the next begin.
    mutating func readText() throws(TemplateScanError) -> Int {
        let top = frames.count - 1
        let open = frames[top].open, first = open.first!, openCount = open.count
        var length = 0
        while position < end {
            let character = template[position]
            if length > 0, position >= frontier, character.isASCII { cutter.textPoint(at: position, delimiters: (open, frames[top].close)) }
            if character == "\n" || character == "\r\n" { break }
            if character == first {
                guard let after = template.index(position, offsetBy: openCount, limitedBy: end) else {
                    throw failure(parserReason(nil), at: position)
                }
                if template[position..<after] == open {
                    tagStart = position
                    position = after
                    return length
                }
                frontier = max(frontier, after)
            }
            advance()
            length += 1
        }
        return length
    }

    /// Reads one tag after its opening delimiter, as `parse` does.
    mutating func readTag() throws(TemplateScanError) {
        let top = frames.count - 1
        let start = tagStart
        let (line, column) = location(of: start)
        let textBefore = template.utf8.distance(from: lastTagEnd, to: start)
        var kind = TemplateTag.Kind.variable, name = ""
        switch current {
        case "#", "^":
            kind = current == "#" ? .section : .invertedSection
            advance()
            let (parsed, transforms) = try readName()
            name = itemName((parsed, transforms))
            let standalone = readStandalone()
            if !standalone { frames[top].pendingBlanks = false }
            guard frames.count <= maximumSectionDepth else {
                throw failure("sections nest deeper than \(maximumSectionDepth) levels", at: start)
            }
            frames.append(Frame(sectionName: parsed, transforms: transforms, newLine: standalone && frames[top].newLine,
                                open: frames[top].open, close: frames[top].close, pendingBlanks: false, openedStandalone: standalone,
                                bodyStart: position))
            cutter.openSection(at: position, lineStart: standalone, delimiters: (frames[top].open, frames[top].close))
        case "/":
            kind = .close
            advance()
            let afterSlash = position
            let (parsed, transforms) = try readName()
            name = itemName((parsed, transforms))
            guard parsed == frames[top].sectionName, transforms == frames[top].transforms else {
                throw failure(parserReason(.sectionCloseNameIncorrect), at: afterSlash)
            }
            // The parser takes the section's text to end two characters before the "/", which lies
            // before the body's start (and traps) when the body is empty and the delimiter one character.
            guard frames[top].open.count > 1 || start > frames[top].bodyStart else {
                throw failure("an empty section needs delimiters of two or more characters (the Mustache parser fails on it)", at: start)
            }
            _ = readStandalone()
            let closed = frames.removeLast()
            frames[top - 1].newLine = closed.openedStandalone
            cutter.closeSection()
        case "!":
            kind = .comment
            advance()
            try readComment()
            frames[top].newLine = readStandalone()
        case "{":
            frames[top].pendingBlanks = false
            advance()
            name = itemName(try readName())
            guard position < end else { throw failure(parserReason(nil), at: position) }
            guard template[position] == "}" else { throw failure(parserReason(.unfinishedName), at: position) }
            advance()
            frames[top].newLine = false
        case "&":
            frames[top].pendingBlanks = false
            advance()
            name = itemName(try readName())
            frames[top].newLine = false
        case ">":
            throw failure("partials ({{> name}}) are not supported: a report template is one file", at: start)
        case "<", "$":
            throw failure("template inheritance ({{< name}}, {{$ name}}) is not supported", at: start)
        case "%":
            throw failure("pragmas ({{% ...}}) are not supported", at: start)
        case "=":
            kind = .setDelimiter
            advance()
            let (open, close) = try readDelimiters()
            guard isPrintableASCII(open), isPrintableASCII(close) else {
                throw failure("a set-delimiter tag may set only delimiters of printable ASCII characters (e.g. {{=<% %>=}})", at: start)
            }
            (frames[top].open, frames[top].close) = (open, close)
            frames[top].newLine = readStandalone()
        default:
            frames[top].pendingBlanks = false
            name = itemName(try readName())
            frames[top].newLine = false
        }
        tags.append(TemplateTag(kind: kind, name: name, line: line, column: column, textBefore: textBefore))
        lastTagEnd = position
    }

    /// The parser's `parseName`: blanks, the name, blanks and the closing delimiter; returns the
    /// name a transform applies to (empty for the current item) and the transforms, outermost first.
    mutating func readName() throws(TemplateScanError) -> (name: String, transforms: [String]) {
        skipWhitespace()
        let nameStart = position
        while position < end, isNameCharacter(template[position]) { advance() }
        let text = String(template[nameStart..<position])
        skipWhitespace()
        guard try read(frames[frames.count - 1].close) else { throw failure(parserReason(.unfinishedName), at: position) }
        guard let parsed = transformsOf(text) else { throw failure(parserReason(.unfinishedName), at: position) }
        guard parsed.transforms.count <= maximumTransformDepth else {
            throw failure("transforms nest deeper than \(maximumTransformDepth) levels", at: nameStart)
        }
        if parsed.name.hasPrefix(piecePlaceholderPrefix) {
            throw failure("names starting with '\(piecePlaceholderPrefix)' are reserved", at: nameStart)
        }
        return parsed
    }

    /// The parser's `parseComment`: up to and past the first closing delimiter, found as the
    /// parser finds it (after a partial match it does not look again at the character that broke it).
    mutating func readComment() throws(TemplateScanError) {
        let close = frames[frames.count - 1].close
        let start = position
        var matched = close.startIndex
        while position < end {
            if template[position] == close[matched] {
                matched = close.index(after: matched)
                if matched == close.endIndex {
                    advance()
                    return
                }
            } else {
                matched = close.startIndex
            }
            advance()
        }
        throw failure(parserReason(nil), at: start)
    }

    /// The parser's `parserSetDelimiter`: `=`, blanks, the opening delimiter, blanks, the closing
    /// one, blanks, `=` and the current closing delimiter.
    mutating func readDelimiters() throws(TemplateScanError) -> (String, String) {
        skipWhitespace()
        let openStart = position
        while position < end, !template[position].isWhitespace { advance() }
        guard position < end else { throw failure(parserReason(.invalidSetDelimiter), at: openStart) }
        let open = String(template[openStart..<position])
        skipWhitespace()
        let closeStart = position
        while position < end, template[position] != "=", !template[position].isWhitespace { advance() }
        guard position < end else { throw failure(parserReason(.invalidSetDelimiter), at: closeStart) }
        let close = String(template[closeStart..<position])
        skipWhitespace()
        guard position < end else { throw failure(parserReason(nil), at: position) }
        guard template[position] == "=" else { throw failure(parserReason(.invalidSetDelimiter), at: position) }
        advance()
        guard try read(frames[frames.count - 1].close) else { throw failure(parserReason(.invalidSetDelimiter), at: position) }
        guard !open.isEmpty, !close.isEmpty else { throw failure(parserReason(.invalidSetDelimiter), at: position) }
        return (open, close)
    }

    /// The parser's `isStandalone`: whether a tag stands alone on its line (only when the line
    /// started before it, then blanks and a line break follow it, which are read, or the template ends).
    mutating func readStandalone() -> Bool {
        guard frames[frames.count - 1].newLine else { return false }
        if position == end { return true }
        var ahead = position
        while ahead < end, template[ahead] == " " || template[ahead] == "\t" { ahead = template.index(after: ahead) }
        guard ahead < end, template[ahead].isNewline else {
            frontier = max(frontier, ahead < end ? template.index(after: ahead) : end)
            return false
        }
        position = template.index(after: ahead)
        return true
    }

    /// The parser's `read(string:)`: whether `text` follows (then read), with its error when the
    /// template ends first.
    mutating func read(_ text: String) throws(TemplateScanError) -> Bool {
        guard let after = template.index(position, offsetBy: text.count, limitedBy: end) else { throw failure(parserReason(nil), at: position) }
        guard template[position..<after] == text else { return false }
        position = after
        return true
    }

    mutating func skipWhitespace() {
        while position < end, template[position].isWhitespace { advance() }
    }

    /// The 1-based line and column of `index` (at or after every index asked before), as
    /// `lineAndColumn` counts them: byte by byte where the text is ASCII without "\r" (one
    /// character a byte), else character by character.
    mutating func location(of index: String.Index) -> (line: Int, column: Int) {
        let bytes = template.utf8[counted..<index]
        if bytes.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\r") }) {
            for byte in bytes {
                if byte == UInt8(ascii: "\n") { (line, column) = (line + 1, 1) } else { column += 1 }
            }
        } else {
            for character in template[counted..<index] {
                if isLineBreak(character) { (line, column) = (line + 1, 1) } else { column += 1 }
            }
        }
        counted = index
        return (line, column)
    }
}

/// The name a tag looks up: "." for a transform of the current item (`first()`).
private func itemName(_ parsed: (name: String, transforms: [String])) -> String {
    parsed.name.isEmpty && !parsed.transforms.isEmpty ? "." : parsed.name
}

/// The name and transforms of a tag's text, as the parser's `parseName` splits them:
/// "a(b(c))" -> ("c", ["a", "b"]); nil where the parser fails.
private func transformsOf(_ text: String) -> (name: String, transforms: [String])? {
    // Without brackets, the whole text is the name (it holds only name characters).
    guard text.utf8.contains(where: { $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: ")") }) else { return (text, []) }
    var position = text.startIndex
    func read(_ characters: Set<Character>) -> Substring {
        let start = position
        while position < text.endIndex, characters.contains(text[position]) { position = text.index(after: position) }
        return text[start..<position]
    }
    let first = read(nameCharactersWithoutBrackets)
    guard position < text.endIndex else { return (text, []) }
    guard text[position] == "(" else { return nil }
    position = text.index(after: position)
    var transforms = [String(first)]
    while true {
        let name = read(nameCharactersWithoutBrackets)
        guard position < text.endIndex else { return nil }
        switch text[position] {
        case ")":
            position = text.index(after: position)
            let closing = read([")"]).count
            guard closing + 1 == transforms.count, position == text.endIndex else { return nil }
            return (String(name), transforms)
        case "(":
            position = text.index(after: position)
            transforms.append(String(name))
        default:
            return nil
        }
    }
}

/// Whether `text` is made of printable ASCII characters (no blanks or controls).
private func isPrintableASCII(_ text: String) -> Bool {
    text.utf8.allSatisfy { (0x21...0x7E).contains($0) }
}

/// The Mustache parser's error in words; nil is its error for a template that ends inside a tag.
func parserReason(_ error: MustacheTemplate.Error?) -> String {
    switch error {
    case .sectionCloseNameIncorrect: "a section is closed with another name than the one it was opened with"
    case .unfinishedName: "a tag is not closed, or its name holds a character a name cannot have"
    case .expectedSectionEnd: "a section is opened but never closed"
    case .invalidSetDelimiter: "a set-delimiter tag is malformed (expected e.g. {{=<% %>=}})"
    case .transformAppliedToInheritanceSection, .illegalTokenInsideInheritSection, .textInsideInheritSection:
        "template inheritance is not supported"
    case .invalidConfigVariableSyntax, .unrecognisedConfigVariable: "pragmas ({{% ...}}) are not supported"
    case nil: "the template ends inside a tag"
    }
}

/// Whether `character` ends a line in positions: "\n" or "\r\n".
func isLineBreak(_ character: Character) -> Bool { character == "\n" || character == "\r\n" }

/// The 1-based line and column of `index` in `template`.
func lineAndColumn(of index: String.Index, in template: String) -> (line: Int, column: Int) {
    var (line, column) = (1, 1)
    for character in template[..<index] {
        if isLineBreak(character) { (line, column) = (line + 1, 1) } else { column += 1 }
    }
    return (line, column)
}
