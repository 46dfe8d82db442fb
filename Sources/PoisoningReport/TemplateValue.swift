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
