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

/// Renders a Mustache template against a report context. The template is rendered as plain text
/// (no HTML escaping: the context's strings are already escaped for the report's format). Throws
/// `TemplateError.parse` with the position of a syntax error, and `.unknownVariables` when `strict`
/// and the template names anything the context lacks.
public func renderReport(template: String, fileName: String, context: [String: Any], strict: Bool) throws -> RenderedReport {
    // The pragma is prepended as a line of its own (a standalone tag, removed from the output), so
    // the parser's line numbers are one more than the template's.
    let parsed: MustacheTemplate
    do {
        parsed = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}\n" + template)
    } catch let error as MustacheTemplate.ParserError {
        throw TemplateError.parse(file: fileName, line: max(1, error.context.lineNumber - 1),
                                  column: error.context.columnNumber, reason: "\(error.error)")
    }
    let unknown = unknownVariables(in: template, context: context)
    if strict && !unknown.isEmpty { throw TemplateError.unknownVariables(file: fileName, unknown) }
    return RenderedReport(text: parsed.render(context), unknownVariables: unknown)
}

/// The variables of `template` that do not resolve in `context`, found by scanning its tags the way
/// Mustache resolves them: set-delimiter tags change the delimiters; a section over a list makes its
/// items' names visible inside it, a section over a dictionary its keys; names are looked up from the
/// innermost section outwards; dotted names descend; a transform `f(name)` checks `name`, and `f()`
/// (such as `first()` or `index()`) applies to the current item.
func unknownVariables(in template: String, context: [String: Any]) -> [TemplateVariable] {
    var open = "{{", close = "}}"
    var scopes: [Scope] = [.names(context)]
    var unknown = [TemplateVariable]()
    var cursor = template.startIndex
    while let start = template.range(of: open, range: cursor..<template.endIndex) {
        var contentStart = start.upperBound
        var closing = close
        if open == "{{" && template[contentStart...].hasPrefix("{") {   // {{{name}}}
            contentStart = template.index(after: contentStart)
            closing = "}" + close
        }
        guard let end = template.range(of: closing, range: contentStart..<template.endIndex) else { break }
        cursor = end.upperBound
        let tag = template[contentStart..<end.lowerBound].trimmingCharacters(in: .whitespaces)
        let position = template.lineAndColumn(of: start.lowerBound)
        guard let sigil = tag.first else { continue }
        if sigil == "=" && tag.hasSuffix("=") {   // {{=<% %>=}}
            let delimiters = tag.dropFirst().dropLast().split(separator: " ", omittingEmptySubsequences: true)
            if delimiters.count == 2 { (open, close) = (String(delimiters[0]), String(delimiters[1])) }
            continue
        }
        let isSigil = "#^/&!>%$<".contains(sigil)
        let name = variableName(isSigil ? String(tag.dropFirst()) : tag)
        switch isSigil ? sigil : " " {
        case "!", ">", "%", "$", "<": continue
        case "/": if scopes.count > 1 { scopes.removeLast() }
        case "#", "^":
            let value = resolve(name, in: scopes)
            if value == nil { unknown.append(TemplateVariable(name: name, line: position.line, column: position.column)) }
            scopes.append(sigil == "#" ? Scope(sectionOver: value) : .transparent)
        default:
            if resolve(name, in: scopes) == nil {
                unknown.append(TemplateVariable(name: name, line: position.line, column: position.column))
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

extension String {
    /// 1-based line and column of `index`.
    fileprivate func lineAndColumn(of index: String.Index) -> (line: Int, column: Int) {
        let before = self[..<index]
        let line = before.count { $0 == "\n" } + 1
        let column = before.distance(from: before.lastIndex(of: "\n").map { before.index(after: $0) } ?? before.startIndex,
                                     to: before.endIndex) + 1
        return (line, column)
    }
}
