import Foundation
import Mustache
import PoisoningEngine

/// A template that cannot be used, with where and why.
public enum TemplateError: Error, CustomStringConvertible, Equatable {
    /// The template does not parse: file, 1-based line and column, and the parser's reason.
    case parse(file: String, line: Int, column: Int, reason: String)
    /// The template names variables the context does not have (reported as an error under --strict).
    case unknownVariables(file: String, [TemplateVariable])
    /// Rendering the template would take too long or write too much: file, the 1-based position of
    /// the tag where the forecast passes its limit, and the reason.
    case tooLarge(file: String, line: Int, column: Int, reason: String)

    public var description: String {
        switch self {
        case let .parse(file, line, column, reason):
            "\(file):\(line):\(column): template does not parse: \(reason)"
        case let .unknownVariables(file, variables):
            variables.map { "\(file):\($0.line):\($0.column): unknown variable \(quotedUserText($0.name))" }.joined(separator: "\n")
        case let .tooLarge(file, line, column, reason):
            "\(file):\(line):\(column): \(reason)"
        }
    }
}

/// A variable a template names, with its 1-based position.
public struct TemplateVariable: Equatable, Sendable {
    /// The name as the template writes it.
    public let name: String
    /// Its 1-based line.
    public let line: Int
    /// Its 1-based column.
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

/// The most steps a rendering may take: each rendering of a section's body or of a variable is one.
public let maximumRenderSteps = 2_000_000

/// The largest report a template may render, in bytes.
public let maximumReportBytes = 32 << 20

/// Renders a Mustache template against a report context. The template is rendered as plain text
/// (no HTML escaping: the context's strings are already escaped for the report's format). Throws
/// `TemplateError.parse` with the position and reason of a syntax error or of an unsupported tag,
/// `.tooLarge` when the rendering would pass `maximumRenderSteps` or `maximumReportBytes`, and
/// `.unknownVariables` when `strict` and the template names anything the context lacks.
public func renderReport(template: String, fileName: String, context: TemplateValue, strict: Bool) throws -> RenderedReport {
    try renderReport(try parseTemplate(template, fileName: fileName), fileName: fileName, context: context, strict: strict)
}

/// `renderReport` of a template already parsed.
public func renderReport(_ parsed: ParsedTemplate, fileName: String, context: TemplateValue, strict: Bool) throws -> RenderedReport {
    // Twice the limits: the check before the sweep forecast the rendering with provisional results,
    // whose strings (intervals, fits) can be shorter than the real ones; a template that passed then
    // must not be refused after the sweep, while a rendering stays bounded.
    let unknown = try checkRendering(parsed, fileName: fileName, context: context, strict: strict, allowance: 2)
    return RenderedReport(text: parsed.render(context), unknownVariables: unknown)
}

/// Checks and parses a template without rendering it, so that a bad template stops a command
/// before any work. `scanTemplate` reads it as the Mustache parser does and refuses what the parser
/// rejects, with the parser's position and reason, and what the parser must never see (sections or
/// transforms nested deeper than 100 levels, partials, inheritance, pragmas, set-delimiter tags it
/// cannot follow); then the parser parses it in pieces, in time linear in the template's size.
@discardableResult
public func parseTemplate(_ template: String, fileName: String) throws -> ParsedTemplate {
    try parseTemplate(template, fileName: fileName, pieceLength: templatePieceLength)
}

/// `parseTemplate` with pieces of about `pieceLength` bytes.
func parseTemplate(_ template: String, fileName: String, pieceLength: Int) throws -> ParsedTemplate {
    let scanned: ScannedTemplate
    do {
        scanned = try scanTemplate(template, pieceLength: pieceLength)
    } catch {
        let (line, column) = lineAndColumn(of: error.index, in: template)
        throw TemplateError.parse(file: fileName, line: line, column: column, reason: error.reason)
    }
    var pieces = [String: MustacheTemplate]()
    let verbatim = scanned.pieces.topLevel.map { $0.verbatimText(of: template) }
    for (piece, text) in zip(scanned.pieces.topLevel, verbatim) + scanned.pieces.inSections.map({ ($0, nil) }) where text == nil {
        do {
            pieces[piece.name] = try MustacheTemplate(string: piece.text(of: template))
        } catch {
            // Not expected (the scan accepts what the parser accepts); the piece's start is all we know.
            let (line, column) = lineAndColumn(of: piece.range.lowerBound, in: template)
            throw TemplateError.parse(file: fileName, line: line, column: column,
                                      reason: parserReason((error as? MustacheTemplate.ParserError)?.error as? MustacheTemplate.Error))
        }
    }
    let topLevel = try zip(scanned.pieces.topLevel, verbatim).map { piece, text -> ParsedTemplate.TopLevelPiece in
        if let text { return .text(text) }
        return .runner(try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}{{#\(ParsedTemplate.contextName)}}{{\(piece.name)}}{{/\(ParsedTemplate.contextName)}}"))
    }
    return ParsedTemplate(topLevel: topLevel, pieces: pieces, tags: scanned.tags)
}

/// Checks, without rendering, what rendering `parsed` against `context` would do: throws
/// `TemplateError.tooLarge` at the tag where it would pass `maximumRenderSteps` or
/// `maximumReportBytes`, and, when `strict`, `.unknownVariables`; returns the variables the context
/// lacks. The forecast follows the tags as Mustache resolves them: a section over a list renders
/// its body once per entry (nested ones multiply), with the longest values any entry has;
/// `longestLists` gives lengths to assume for lists of the context that the results may lengthen;
/// `allowance` multiplies both limits.
public func checkRendering(_ parsed: ParsedTemplate, fileName: String, context: TemplateValue, strict: Bool,
                           longestLists: [String: Int] = [:], allowance: Double = 1) throws -> [TemplateVariable] {
    var walk = ScopeWalk(context: context, longestLists: longestLists)
    var unknown = [TemplateVariable]()
    var steps = 0.0, bytes = 0.0
    for tag in parsed.tags {
        let renders = walk.scopes[walk.scopes.count - 1].renders
        bytes += Double(tag.textBefore) * renders
        switch tag.kind {
        case .comment, .setDelimiter: break
        case .close: walk.scopes.removeLast()
        case .section, .invertedSection:
            let found = walk.resolve(tag.name)
            if found == nil { unknown.append(TemplateVariable(name: tag.name, line: tag.line, column: tag.column)) }
            let scope = tag.kind == .section ? walk.scope(over: found, renders: renders) : Scope(names: .transparent, renders: renders)
            steps += scope.renders
            walk.scopes.append(scope)
        case .variable:
            let found = tag.name.isEmpty || tag.name == "." ? walk.currentObject() : walk.resolve(tag.name)
            if found == nil { unknown.append(TemplateVariable(name: tag.name, line: tag.line, column: tag.column)) }
            steps += renders
            if let found { bytes += Double(walk.renderedLength(found)) * renders }
        }
        if steps > allowance * Double(maximumRenderSteps) {
            throw TemplateError.tooLarge(file: fileName, line: tag.line, column: tag.column, reason: "rendering would take about "
                + "\(rounded(steps, above: allowance * Double(maximumRenderSteps))) steps by this tag, more than \(limitText("\(maximumRenderSteps)", allowance: allowance)) (a section over a list renders its "
                + "body once per entry, and nested sections multiply)")
        }
        if bytes > allowance * Double(maximumReportBytes) {
            throw TemplateError.tooLarge(file: fileName, line: tag.line, column: tag.column, reason: "the report would be about "
                + "\(rounded(bytes / 1_048_576, above: allowance * Double(maximumReportBytes >> 20))) MiB by this tag, more than \(limitText("\(maximumReportBytes >> 20) MiB", allowance: allowance))")
        }
    }
    if strict && !unknown.isEmpty { throw TemplateError.unknownVariables(file: fileName, unknown) }
    return unknown
}

/// The limit `limit` as a refusal names it: "the 32 MiB allowed", or with an `allowance` above 1 (the
/// check after the runs) "2 times the 32 MiB allowed (...)": the documented limit, and the margin.
private func limitText(_ limit: String, allowance: Double) -> String {
    allowance == 1 ? "the \(limit) allowed"
        : "\(rounded(allowance)) times the \(limit) allowed (the margin the results have over the check before the runs, made with provisional results)"
}

/// `value` in three significant digits, e.g. "1.22e+19" or "57.3"; when it exceeds `limit`, in as
/// many more digits (up to 10) as it takes to read as more than the limit, so that a refusal never
/// says "about 32 MiB ..., more than the 32 MiB allowed" (review r19, finding 5).
private func rounded(_ value: Double, above limit: Double = .infinity) -> String {
    for digits in 3...10 {
        let text = String(format: "%.\(digits)g", value)
        if value <= limit || Double(text).map({ $0 > limit }) ?? true { return text }
    }
    return String(format: "%.10g", value)
}

/// What a section makes visible to the names inside it, and how many times it renders in all.
private struct Scope {
    /// The names a section makes visible.
    enum Names {
        /// Keys of a dictionary, or the keys of all of a list's dictionaries, each with its longest
        /// value; `id` tells scopes apart for what is derived from their values.
        case names([String: TemplateValue], id: Int)
        /// Nothing new: inverted sections and sections over a flag or a text.
        case transparent
        /// Anything: inside a section whose name is unknown (so that one mistake is reported once),
        /// or over an empty list.
        case anything
    }

    let names: Names
    /// How many times the section's body renders in the whole report.
    let renders: Double
}

/// The sections around the tag being checked, innermost last, with what is derived from the
/// context's values kept so that each list is merged and measured once.
private struct ScopeWalk {
    var scopes: [Scope]
    let longestLists: [String: Int]
    private var merged = [String: Scope.Names]()
    private var lengths = [String: Int]()
    private var nextID = 1

    init(context: TemplateValue, longestLists: [String: Int]) {
        if case let .object(names) = context {
            scopes = [Scope(names: .names(names, id: 0), renders: 1)]
        } else {
            scopes = [Scope(names: .transparent, renders: 1)]
        }
        self.longestLists = longestLists
    }

    /// The value `name` (possibly dotted, or ".") denotes, looked up from the innermost scope
    /// outwards, with a key naming it for what is derived from it (nil when it is not one value).
    /// Inside a scope of unknown names, a name found further out is taken to be that one, and a
    /// name found nowhere is known but empty.
    func resolve(_ name: String) -> (value: TemplateValue, key: String?)? {
        if name == "." { return (.text(""), nil) }
        let parts = name.utf8.contains(UInt8(ascii: ".")) ? name.split(separator: ".").map(String.init) : [name]
        guard let first = parts.first, !first.isEmpty else { return nil }
        var anything = false
        for scope in scopes.reversed() {
            switch scope.names {
            case .anything: anything = true
            case .transparent: continue
            case let .names(names, id):
                guard var value = names[first] else { continue }
                for part in parts.dropFirst() {
                    guard let child = value[part] else { return anything ? (.text(""), nil) : nil }
                    value = child
                }
                return (value, "\(id) \(name)")
            }
        }
        return anything ? (.text(""), nil) : nil
    }

    /// The object `{{.}}` or an empty name renders: the innermost dictionary in view.
    func currentObject() -> (value: TemplateValue, key: String?)? {
        for scope in scopes.reversed() {
            if case let .names(names, id) = scope.names { return (.object(names), "\(id)") }
        }
        return nil
    }

    /// The scope of a section over `found`, rendered `renders` times around it.
    mutating func scope(over found: (value: TemplateValue, key: String?)?, renders: Double) -> Scope {
        guard let (value, key) = found.map({ ($0.value, $0.key) }) else { return Scope(names: .anything, renders: renders) }
        var count = 1
        if case let .list(items) = value { count = items.count }
        if let key, key.hasPrefix("0 "), let longest = longestLists[String(key.dropFirst(2))] { count = max(count, longest) }
        if let key, let names = merged[key] { return Scope(names: names, renders: renders * Double(count)) }
        let names: Scope.Names
        switch value {
        case let .object(dictionary):
            names = .names(dictionary, id: nextID)
        case let .list(items) where items.isEmpty:
            names = .anything   // never rendered, and its items' names are unknowable
        case let .list(items):
            var keys = [String: TemplateValue]()
            for case let .object(item) in items { keys.merge(item, uniquingKeysWith: longer) }
            names = .names(keys, id: nextID)
        default:
            names = .transparent
        }
        nextID += 1
        if let key { merged[key] = names }
        return Scope(names: names, renders: renders * Double(count))
    }

    /// The bytes `found` renders as.
    mutating func renderedLength(_ found: (value: TemplateValue, key: String?)) -> Int {
        switch found.value {
        case .text, .flag: return found.value.describedLength
        case .list, .object:
            if let key = found.key, let length = lengths[key] { return length }
            let length = found.value.describedLength
            if let key = found.key { lengths[key] = length }
            return length
        }
    }
}

/// Of two values of one key in a list's entries, the one that renders longer or repeats more.
private func longer(_ first: TemplateValue, _ second: TemplateValue) -> TemplateValue {
    switch (first, second) {
    case let (.text(a), .text(b)): a.utf8.count >= b.utf8.count ? first : second
    case let (.list(a), .list(b)): a.count >= b.count ? first : second
    default: first
    }
}
