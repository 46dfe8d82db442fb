import Foundation
import Mustache

/// A template that cannot be used, with where and why.
public enum TemplateError: Error, CustomStringConvertible, Equatable {
    /// The template does not parse: file, 1-based line and column, and the parser's reason.
    case parse(file: String, line: Int, column: Int, reason: String)
    /// The template names variables the context does not have (reported as an error under --strict).
    case unknownVariables(file: String, [TemplateVariable])

    public var description: String {
        switch self {
        case let .parse(file, line, column, reason):
            "\(file):\(line):\(column): template does not parse: \(reason)"
        case let .unknownVariables(file, variables):
            variables.map { "\(file):\($0.line):\($0.column): unknown variable '\($0.name)'" }.joined(separator: "\n")
        }
    }
}

/// A variable a template names, with its 1-based position.
public struct TemplateVariable: Equatable, Sendable {
    public let name: String
    public let line: Int
    public let column: Int
}

/// A rendered report and the template's unknown variables (which rendered as empty text).
public struct RenderedReport: Sendable {
    /// The report text.
    public let text: String
    /// Variables the template names that the context does not have.
    public let unknownVariables: [TemplateVariable]
}

/// The deepest nesting of sections a template may have; deeper templates are refused before the
/// Mustache parser (which recurses once per level) sees them.
public let maximumSectionDepth = 100

/// Renders a Mustache template against a report context. The template is rendered as plain text
/// (no HTML escaping: the context's strings are already escaped for the report's format). Throws
/// `TemplateError.parse` with the position and reason of a syntax error or of an unsupported tag,
/// and `.unknownVariables` when `strict` and the template names anything the context lacks.
public func renderReport(template: String, fileName: String, context: [String: Any], strict: Bool) throws -> RenderedReport {
    let parsed = try parseTemplate(template, fileName: fileName)
    let unknown = unknownVariables(in: template, context: context)
    if strict && !unknown.isEmpty { throw TemplateError.unknownVariables(file: fileName, unknown) }
    return RenderedReport(text: parsed.render(context), unknownVariables: unknown)
}

/// A parsed template: the Mustache templates of its pieces, rendered one after the other.
public struct ParsedTemplate {
    let pieces: [MustacheTemplate]

    /// The template rendered against `context`.
    public func render(_ context: [String: Any]) -> String { pieces.map { $0.render(context) }.joined() }
}

/// The bytes after which a template is cut into a new piece, at the next line break outside
/// every section. The Mustache parser takes time quadratic in the length of what it parses (it
/// measures distances in characters from its position to the end); pieces of about this length
/// make the whole linear.
let templatePieceLength = 2_000

/// Checks and parses a template without rendering it, so that a bad template stops a command
/// before any work: sections nested deeper than `maximumSectionDepth`, partials (`{{> name}}`),
/// inheritance (`{{< name}}`, `{{$ name}}`) and pragmas (`{{% ...}}`) are refused, then the Mustache
/// parser's errors are given with their position and reason in words.
@discardableResult
public func parseTemplate(_ template: String, fileName: String) throws -> ParsedTemplate {
    var depth = 0
    // Where pieces start: (index, line, delimiters in effect); a piece starts at a line start.
    var starts: [(index: String.Index, line: Int, open: String, close: String)] = [(template.startIndex, 1, "{{", "}}")]
    var tags = TemplateTags(template)
    var previousEnd = template.startIndex
    while let tag = tags.next() {
        func refuse(_ reason: String) -> TemplateError {
            .parse(file: fileName, line: tag.line, column: tag.column, reason: reason)
        }
        // A cut at the first line break of the text before this tag, when outside every section.
        if depth == 0, template.utf8.distance(from: starts.last!.index, to: previousEnd) >= templatePieceLength,
           let newline = template[previousEnd..<tag.range.lowerBound].firstIndex(of: "\n") {
            let line = tag.line - template[template.index(after: newline)..<tag.range.lowerBound].count { $0 == "\n" }
            starts.append((template.index(after: newline), line, tags.delimitersBefore.open, tags.delimitersBefore.close))
        }
        previousEnd = tag.range.upperBound
        switch tag.sigil {
        case "#", "^":
            depth += 1
            if depth > maximumSectionDepth { throw refuse("sections nest deeper than \(maximumSectionDepth) levels") }
        case "/": depth = max(0, depth - 1)
        case ">": throw refuse("partials ({{> name}}) are not supported: a report template is one file")
        case "<", "$": throw refuse("template inheritance ({{< name}}, {{$ name}}) is not supported")
        case "%": throw refuse("pragmas ({{% ...}}) are not supported")
        default: break
        }
    }
    var pieces = [MustacheTemplate]()
    for (number, start) in starts.enumerated() {
        let end = number + 1 < starts.count ? starts[number + 1].index : template.endIndex
        // Each piece starts with the pragma and, after a delimiter change, the delimiters in effect,
        // each a line of its own (a standalone tag, removed from the output).
        var prefix = "{{% CONTENT_TYPE: TEXT }}\n"
        if (start.open, start.close) != ("{{", "}}") { prefix += "{{=\(start.open) \(start.close)=}}\n" }
        let prefixLines = prefix.count { $0 == "\n" }
        do {
            pieces.append(try MustacheTemplate(string: prefix + template[start.index..<end]))
        } catch let error as MustacheTemplate.ParserError {
            throw TemplateError.parse(file: fileName, line: max(1, error.context.lineNumber - prefixLines) + start.line - 1,
                                      column: error.context.columnNumber, reason: parserReason(error.error))
        }
    }
    return ParsedTemplate(pieces: pieces)
}

/// The Mustache parser's error in words.
private func parserReason(_ error: Error) -> String {
    switch error as? MustacheTemplate.Error {
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

/// A tag of a template: its sigil ("#", "^", "/", "&", "!", ">", "<", "$", "%", "=", or " " for a
/// variable), its trimmed content after the sigil, and its 1-based position.
struct TemplateTag {
    let sigil: Character
    let content: String
    let line: Int
    let column: Int
    /// Where the tag lies in the template, delimiters included.
    let range: Range<String.Index>
}

/// The tags of a template in order, found as Mustache finds them (`{{name}}`, `{{{name}}}`, and
/// set-delimiter tags that change the delimiters), with positions counted in one pass over the
/// text, so that scanning is linear in the template's size.
struct TemplateTags: Sequence, IteratorProtocol {
    private let template: String
    private var cursor: String.Index
    private var open = "{{", close = "}}"
    /// The delimiters in effect before the tag `next()` returned last.
    private(set) var delimitersBefore = (open: "{{", close: "}}")
    /// The position (line, column) of `counted`, up to which the text has been counted.
    private var line = 1, column = 1
    private var counted: String.Index

    init(_ template: String) {
        self.template = template
        cursor = template.startIndex
        counted = template.startIndex
    }

    mutating func next() -> TemplateTag? {
        guard let start = template.range(of: open, range: cursor..<template.endIndex) else { return nil }
        delimitersBefore = (open, close)
        var contentStart = start.upperBound
        var closing = close
        if open == "{{" && template[contentStart...].hasPrefix("{") {   // {{{name}}}
            contentStart = template.index(after: contentStart)
            closing = "}" + close
        }
        guard let end = template.range(of: closing, range: contentStart..<template.endIndex) else { return nil }
        // The tag's position, counted on from the previous tag's.
        for character in template[counted..<start.lowerBound] {
            if character == "\n" { (line, column) = (line + 1, 1) } else { column += 1 }
        }
        counted = start.lowerBound
        cursor = end.upperBound
        let range = start.lowerBound..<end.upperBound
        let raw = template[contentStart..<end.lowerBound].trimmingCharacters(in: .whitespaces)
        guard let first = raw.first else { return TemplateTag(sigil: " ", content: "", line: line, column: column, range: range) }
        if first == "=" && raw.hasSuffix("=") {   // {{=<% %>=}}
            let delimiters = raw.dropFirst().dropLast().split(separator: " ", omittingEmptySubsequences: true)
            if delimiters.count == 2 { (open, close) = (String(delimiters[0]), String(delimiters[1])) }
            return TemplateTag(sigil: "=", content: raw, line: line, column: column, range: range)
        }
        let isSigil = "#^/&!>%$<".contains(first)
        return TemplateTag(sigil: isSigil ? first : " ", content: isSigil ? String(raw.dropFirst()).trimmingCharacters(in: .whitespaces) : raw,
                           line: line, column: column, range: range)
    }
}

/// The variables of `template` that do not resolve in `context`, found by scanning its tags the way
/// Mustache resolves them: a section over a list makes its items' names visible inside it, a section
/// over a dictionary its keys; names are looked up from the innermost section outwards; dotted names
/// descend; a transform `f(name)` checks `name`, and `f()` (such as `first()` or `index()`) applies
/// to the current item.
func unknownVariables(in template: String, context: [String: Any]) -> [TemplateVariable] {
    var scopes: [Scope] = [.names(context)]
    var unknown = [TemplateVariable]()
    for tag in TemplateTags(template) {
        let name = variableName(tag.content)
        switch tag.sigil {
        case "!", ">", "%", "$", "<", "=": continue
        case "/": if scopes.count > 1 { scopes.removeLast() }
        case "#", "^":
            let value = resolve(name, in: scopes)
            if value == nil { unknown.append(TemplateVariable(name: name, line: tag.line, column: tag.column)) }
            scopes.append(tag.sigil == "#" ? Scope(sectionOver: value) : .transparent)
        default:
            if !name.isEmpty && resolve(name, in: scopes) == nil {
                unknown.append(TemplateVariable(name: name, line: tag.line, column: tag.column))
            }
        }
    }
    return unknown
}

/// What a section makes visible to the names inside it.
private enum Scope {
    /// Keys of a dictionary, or the union of the keys of a list's dictionaries.
    case names([String: Any])
    /// Nothing new: inverted sections and sections over a Bool or a String.
    case transparent
    /// Anything: inside a section whose name is unknown (so that one mistake is reported once), or
    /// over an empty list.
    case anything

    init(sectionOver value: Any?) {
        switch value {
        case let dictionary as [String: Any]: self = .names(dictionary)
        case let list as [[String: Any]] where list.isEmpty:
            self = .anything   // never rendered, and its items' names are unknowable
        case let list as [[String: Any]]:
            var keys = [String: Any]()
            for item in list { keys.merge(item) { current, _ in current } }
            self = .names(keys)
        case nil: self = .anything
        default: self = .transparent
        }
    }
}

/// The value `name` (possibly dotted, or ".") denotes, looked up from the innermost scope outwards.
private func resolve(_ name: String, in scopes: [Scope]) -> Any? {
    if name == "." { return "" }
    let parts = name.split(separator: ".").map(String.init)
    for scope in scopes.reversed() {
        switch scope {
        case .anything: return ""
        case .transparent: continue
        case .names(let names):
            guard var value = names[parts[0]] else { continue }
            for part in parts.dropFirst() {
                guard let child = (value as? [String: Any])?[part] else { return nil }
                value = child
            }
            return value
        }
    }
    return nil
}

/// The variable inside a transform call, "uppercased(name)" -> "name" and "first()" -> "." (the
/// current item), else the trimmed name.
private func variableName(_ tag: String) -> String {
    let trimmed = tag.trimmingCharacters(in: .whitespaces)
    guard let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") else { return trimmed }
    let argument = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
        .trimmingCharacters(in: .whitespaces)
    return argument.isEmpty ? "." : argument
}
