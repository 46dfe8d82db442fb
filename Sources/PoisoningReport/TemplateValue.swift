/// A value of a report template's context: a small typed tree in place of `Any`. Texts are already
/// formatted and escaped for the report's format; a flag drives a section (`{{#name}}` renders when
/// true) or renders as `true`/`false`; a list renders its section once per entry; an object's names
/// are visible inside its section.
public enum TemplateValue: Sendable, Equatable {
    /// A string, rendered as it is.
    case text(String)
    /// A boolean.
    case flag(Bool)
    /// A list of values (in the report's contexts, always of objects).
    case list([TemplateValue])
    /// Named values.
    case object([String: TemplateValue])

    /// The value under `name` of an object; nil for a name it lacks and for any other value.
    public subscript(name: String) -> TemplateValue? {
        if case let .object(names) = self { return names[name] }
        return nil
    }

    /// The text of a `.text` value; nil otherwise.
    public var text: String? {
        if case let .text(text) = self { return text }
        return nil
    }

    /// The entries of a `.list` value; nil otherwise.
    public var list: [TemplateValue]? {
        if case let .list(items) = self { return items }
        return nil
    }

    /// The value as the Mustache library reads it (String, Bool, arrays and `[String: Any]`
    /// dictionaries): only the renderer crosses into `Any`, at its boundary.
    var mustacheValue: Any {
        switch self {
        case let .text(text): text
        case let .flag(flag): flag
        case let .list(items): items.map(\.mustacheValue)
        case let .object(names): names.mapValues(\.mustacheValue)
        }
    }

    /// The UTF-8 length of `String(describing: mustacheValue)`, what the Mustache library renders for
    /// the value in a variable tag, counted without building that string: a text is itself, a flag
    /// `true` or `false`, a list `[a, b]`, an object `["key": a]` (`[:]` when empty), and inside a
    /// list or an object a text is quoted as its `debugDescription`.
    var describedLength: Int {
        switch self {
        case let .text(text):
            return text.utf8.count
        case let .flag(flag):
            return flag ? 4 : 5
        case let .list(items):
            // "[" + items joined by ", " + "]"
            return 2 + items.reduce(0) { $0 + $1.nestedLength } + 2 * max(items.count - 1, 0)
        case let .object(names):
            guard !names.isEmpty else { return 3 }
            // "[" + `"key": value` entries joined by ", " + "]"
            return 2 + names.reduce(0) { $0 + quotedLength($1.key) + 2 + $1.value.nestedLength } + 2 * (names.count - 1)
        }
    }

    /// The UTF-8 length of the value inside a list or an object, where a text is quoted.
    private var nestedLength: Int {
        if case let .text(text) = self { return quotedLength(text) }
        return describedLength
    }
}

/// The UTF-8 length of `text.debugDescription`: `text` in double quotes with `"`, `'` and `\` after a
/// backslash. Text with other characters outside printable ASCII (which `debugDescription` may write
/// as `\n`, `\u{7F}` and so on) is measured from `debugDescription` itself.
/// Reads the bytes from one buffer: a figure's data URI of some hundred kilobytes costs a scan.
private func quotedLength(_ text: String) -> Int {
    var text = text
    let escapes = text.withUTF8 { bytes -> Int? in
        var escapes = 0
        for byte in bytes {
            guard byte >= 0x20 && byte < 0x7F else { return nil }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") { escapes += 1 }
        }
        return escapes
    }
    guard let escapes else { return text.debugDescription.utf8.count }
    return text.utf8.count + 2 + escapes
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByDictionaryLiteral {
    /// A `.text` value.
    public init(stringLiteral value: String) { self = .text(value) }
    /// A `.flag` value.
    public init(booleanLiteral value: Bool) { self = .flag(value) }
    /// An `.object` value.
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
