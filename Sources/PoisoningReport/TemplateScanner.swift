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
    return ScannedTemplate(tags: scanner.tags, pieces: scanner.cutter.finish())
}

/// The characters the parser reads as a name, with and without the brackets of transforms.
private let nameCharacters = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?()*")
private let nameCharactersWithoutBrackets = Set<Character>("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")

/// What the parser asks of a character, for each ASCII character standing alone (a byte below 0x80
/// that is not the "\r" of a "\r\n"), found from `Character` itself so that the byte scan answers
/// as the parser does.
private struct ASCIIClasses {
    let isNewline: [Bool]
    let isWhitespace: [Bool]
    let isNameCharacter: [Bool]

    init() {
        let characters = (0..<128).map { Character(Unicode.Scalar(UInt8($0))) }
        isNewline = characters.map(\.isNewline)
        isWhitespace = characters.map(\.isWhitespace)
        isNameCharacter = characters.map { nameCharacters.contains($0) }
    }
}

private let asciiClasses = ASCIIClasses()

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
    var bodyStart: Int
}

/// The scan's state: a replay of `MustacheTemplate.parse` with a stack of frames instead of
/// recursion. It reads the template's UTF-8 bytes: every position is a byte offset at the start of
/// a character (an extended grapheme cluster, as the parser reads it). An ASCII byte followed by an
/// ASCII byte (or the end) is a character of its own, except the "\r" of "\r\n"; anywhere else (a
/// byte outside ASCII, or the one before it, which a combining mark may extend) the scan asks
/// `Character`, whose equality is canonical equivalence (the Kelvin sign is a "K" to the parser).
private struct TemplateScanner {
    let template: String
    let bytes: [UInt8]
    var position = 0
    var frames: [Frame]
    var tags = [TemplateTag]()
    var cutter: PieceCutter
    /// The end of the previous tag, for the text between tags.
    var lastTagEnd = 0
    /// Where the tag being read starts (its opening delimiter).
    var tagStart = 0
    /// The furthest the parser has looked: a piece may end only at or after it.
    var frontier = 0
    /// The position (line, column) of `counted`, up to which the text has been counted.
    var line = 1, column = 1
    var counted = 0

    init(_ template: String, pieceLength: Int) {
        self.template = template
        bytes = Array(template.utf8)
        frames = [Frame(sectionName: nil, transforms: [], newLine: true, open: "{{", close: "}}", pendingBlanks: false,
                        openedStandalone: false, bodyStart: 0)]
        cutter = PieceCutter(template, pieceLength: pieceLength)
    }

    var end: Int { bytes.count }

    /// The byte of the character at `offset` when it is one ASCII byte, else nil.
    @inline(__always)
    func ascii(at offset: Int) -> UInt8? {
        let byte = bytes[offset]
        guard byte < 0x80 else { return nil }
        guard offset + 1 < bytes.count else { return byte }
        let next = bytes[offset + 1]
        return next < 0x80 && !(byte == UInt8(ascii: "\r") && next == UInt8(ascii: "\n")) ? byte : nil
    }

    /// The index of the byte offset `offset` in `template`.
    func index(_ offset: Int) -> String.Index { template.utf8.index(template.utf8.startIndex, offsetBy: offset) }

    /// The character at `offset` (a character start before the end).
    func character(at offset: Int) -> Character { template[index(offset)] }

    /// The start of the character after the one at `offset`.
    @inline(__always)
    func offset(after offset: Int) -> Int {
        if ascii(at: offset) != nil { return offset + 1 }
        return template.utf8.distance(from: template.utf8.startIndex, to: template.index(after: index(offset)))
    }

    /// Whether the character at `offset` is the printable ASCII character `byte`.
    @inline(__always)
    func isCharacter(at offset: Int, _ byte: UInt8) -> Bool {
        if let ascii = ascii(at: offset) { return ascii == byte }
        return character(at: offset) == Character(Unicode.Scalar(byte))
    }

    /// Whether the character at `offset` is a blank (" " or "\t").
    func isBlank(at offset: Int) -> Bool {
        if let ascii = ascii(at: offset) { return ascii == UInt8(ascii: " ") || ascii == UInt8(ascii: "\t") }
        let character = character(at: offset)
        return character == " " || character == "\t"
    }

    /// `Character.isNewline` of the character at `offset`.
    func isNewline(at offset: Int) -> Bool {
        if let ascii = ascii(at: offset) { return asciiClasses.isNewline[Int(ascii)] }
        return character(at: offset).isNewline
    }

    /// `Character.isWhitespace` of the character at `offset`.
    func isWhitespace(at offset: Int) -> Bool {
        if let ascii = ascii(at: offset) { return asciiClasses.isWhitespace[Int(ascii)] }
        return character(at: offset).isWhitespace
    }

    /// Whether the character at `offset` is one of the parser's name characters.
    func isNameCharacter(at offset: Int) -> Bool {
        if let ascii = ascii(at: offset) { return asciiClasses.isNameCharacter[Int(ascii)] }
        return nameCharacters.contains(character(at: offset))
    }

    /// The text of the bytes `start..<end`.
    func text(_ start: Int, _ end: Int) -> String { String(decoding: bytes[start..<end], as: UTF8.self) }

    mutating func advance() { position = offset(after: position) }

    func failure(_ reason: String, at offset: Int) -> TemplateScanError { TemplateScanError(index: index(offset), reason: reason) }

    /// The parser's reading of the whole template (the loop of `parse(_:state:)`).
    mutating func run() throws(TemplateScanError) {
        while position < end {
            let top = frames.count - 1
            cutter.point(at: position, lineStart: frames[top].newLine, startable: frames[top].newLine || !frames[top].pendingBlanks,
                         safe: position >= frontier, delimiters: (frames[top].open, frames[top].close))
            if frames[top].newLine {
                let start = position
                while position < end, isBlank(at: position) { advance() }
                frames[top].pendingBlanks = position != start
            }
            let textLength = try readText()
            if position < end, isNewline(at: position) {
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
        let delimiters = (open: frames[top].open, close: frames[top].close)
        let first = delimiters.open.utf8.first!, openCount = delimiters.open.utf8.count
        let firstCharacter = Character(Unicode.Scalar(first))
        var length = 0
        while position < end {
            let ascii = ascii(at: position)
            // Read as a `Character` only where the bytes alone do not tell.
            let other = ascii == nil ? character(at: position) : nil
            if length > 0, position >= frontier, ascii != nil || other!.isASCII { cutter.textPoint(at: position, delimiters: delimiters) }
            if ascii == UInt8(ascii: "\n") || other.map(isLineBreak) == true { break }
            if ascii == first || other == firstCharacter {
                guard let after = offset(position, advancedBy: openCount) else { throw failure(parserReason(nil), at: position) }
                if characters(position, after, are: delimiters.open) {
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

    /// The character at the position, "\0" at the end (the parser's `current()`).
    var current: Character {
        guard position < end else { return "\0" }
        if let ascii = ascii(at: position) { return Character(Unicode.Scalar(ascii)) }
        return character(at: position)
    }

    /// The offset `count` characters after `offset`, or nil when the template ends first.
    func offset(_ offset: Int, advancedBy count: Int) -> Int? {
        var result = offset
        for _ in 0..<count {
            guard result < end else { return nil }
            result = self.offset(after: result)
        }
        return result
    }

    /// Whether the characters `start..<stop` are `text` (printable ASCII) as the parser compares
    /// them: other bytes can be equal to it only through a character outside ASCII.
    func characters(_ start: Int, _ stop: Int, are text: String) -> Bool {
        let slice = bytes[start..<stop]
        if slice.elementsEqual(text.utf8) { return true }
        guard slice.contains(where: { $0 >= 0x80 }) else { return false }
        return template[index(start)..<index(stop)] == text
    }

    /// Reads one tag after its opening delimiter, as `parse` does.
    mutating func readTag() throws(TemplateScanError) {
        let top = frames.count - 1
        let start = tagStart
        let (line, column) = location(of: start)
        let textBefore = start - lastTagEnd
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
            guard isCharacter(at: position, UInt8(ascii: "}")) else { throw failure(parserReason(.unfinishedName), at: position) }
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
        while position < end, isNameCharacter(at: position) { advance() }
        let text = text(nameStart, position)
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
        let close = Array(frames[frames.count - 1].close.utf8)
        let start = position
        var matched = 0
        while position < end {
            if isCharacter(at: position, close[matched]) {
                matched += 1
                if matched == close.count {
                    advance()
                    return
                }
            } else {
                matched = 0
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
        while position < end, !isWhitespace(at: position) { advance() }
        guard position < end else { throw failure(parserReason(.invalidSetDelimiter), at: openStart) }
        let open = text(openStart, position)
        skipWhitespace()
        let closeStart = position
        while position < end, !isCharacter(at: position, UInt8(ascii: "=")), !isWhitespace(at: position) { advance() }
        guard position < end else { throw failure(parserReason(.invalidSetDelimiter), at: closeStart) }
        let close = text(closeStart, position)
        skipWhitespace()
        guard position < end else { throw failure(parserReason(nil), at: position) }
        guard isCharacter(at: position, UInt8(ascii: "=")) else { throw failure(parserReason(.invalidSetDelimiter), at: position) }
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
        while ahead < end, isBlank(at: ahead) { ahead = offset(after: ahead) }
        guard ahead < end, isNewline(at: ahead) else {
            frontier = max(frontier, ahead < end ? offset(after: ahead) : end)
            return false
        }
        position = offset(after: ahead)
        return true
    }

    /// The parser's `read(string:)`: whether `text` (printable ASCII) follows (then read), with its
    /// error when the template ends first.
    mutating func read(_ text: String) throws(TemplateScanError) -> Bool {
        guard let after = offset(position, advancedBy: text.utf8.count) else { throw failure(parserReason(nil), at: position) }
        guard characters(position, after, are: text) else { return false }
        position = after
        return true
    }

    mutating func skipWhitespace() {
        while position < end, isWhitespace(at: position) { advance() }
    }

    /// The 1-based line and column of the byte offset `offset` (at or after every offset asked
    /// before), as `lineAndColumn` counts them: character by character, a line ending at "\n" or
    /// "\r\n".
    mutating func location(of offset: Int) -> (line: Int, column: Int) {
        while counted < offset {
            let isLineEnd = ascii(at: counted).map { $0 == UInt8(ascii: "\n") } ?? isLineBreak(character(at: counted))
            if isLineEnd { (line, column) = (line + 1, 1) } else { column += 1 }
            counted = self.offset(after: counted)
        }
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
