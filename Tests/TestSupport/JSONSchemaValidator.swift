import Foundation

/// A JSON value as a schema sees it: null, a boolean, a number (integers included), a string, an
/// array or an object. Decoded strictly: a boolean is never a number, nor a number a boolean.
public indirect enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Decodes any JSON value.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The value of the JSON document `data`.
    public static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    /// The JSON Schema type names this value has: "integer" and "number" for a whole number.
    var typeNames: Set<String> {
        switch self {
        case .null: ["null"]
        case .bool: ["boolean"]
        case .number(let value): value.rounded() == value && value.isFinite ? ["integer", "number"] : ["number"]
        case .string: ["string"]
        case .array: ["array"]
        case .object: ["object"]
        }
    }
}

/// A JSON Schema (draft 2020-12) validator for the keywords docs/results.schema.json uses: `type`
/// (a name or a list), `properties`, `required`, `additionalProperties` (a schema or a boolean),
/// `patternProperties`, `items`, `enum`, `const`, `minimum`, `maximum`, `exclusiveMinimum`,
/// `exclusiveMaximum`, `minItems`, `uniqueItems`, `minProperties`, `minLength`, `$ref` into `#/$defs/`, `oneOf` and
/// `anyOf`; `$schema`, `title` and `description` are annotations. Any other keyword is reported as
/// unsupported, so a schema can never use a keyword this validator would silently ignore.
public struct JSONSchemaValidator: Sendable {
    /// The whole schema, for `$ref`.
    public let root: JSONValue

    /// A validator of `schema`, a JSON Schema document.
    public init(schema: JSONValue) { root = schema }

    /// The keywords that are only annotations.
    static let annotations: Set<String> = ["$schema", "title", "description", "$defs"]
    /// The keywords this validator checks.
    static let checked: Set<String> = ["type", "properties", "required", "additionalProperties", "patternProperties", "items", "enum",
                                       "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems",
                                       "uniqueItems", "minProperties", "minLength", "$ref", "oneOf", "anyOf"]

    /// Every violation of the schema by `instance`, as "JSON pointer: what is wrong"; empty when it is valid.
    public func errors(of instance: JSONValue) -> [String] { errors(instance, schema: root, at: "") }

    /// The violations of `schema` by `instance`, found at the JSON pointer `path`.
    func errors(_ instance: JSONValue, schema: JSONValue, at path: String) -> [String] {
        let location = path.isEmpty ? "/" : path
        switch schema {
        case .bool(true): return []
        case .bool(false): return ["\(location): no value is allowed here"]
        case .object: break
        default: return ["\(location): the schema is neither an object nor a boolean"]
        }
        guard case .object(let keywords) = schema else { return [] }
        var found = [String]()
        for keyword in keywords.keys.sorted() where !Self.annotations.contains(keyword) && !Self.checked.contains(keyword) {
            found.append("\(location): unsupported keyword '\(keyword)'")
        }
        if case .string(let reference)? = keywords["$ref"] {
            if let target = resolve(reference) {
                found += errors(instance, schema: target, at: path)
            } else {
                found.append("\(location): unresolvable $ref '\(reference)'")
            }
        }
        found += typeErrors(instance, keywords, location)
        found += valueErrors(instance, keywords, location)
        found += combinationErrors(instance, keywords, path)
        if case .object(let members) = instance { found += objectErrors(members, keywords, path) }
        if case .array(let items) = instance, let itemSchema = keywords["items"] {
            for (index, item) in items.enumerated() { found += errors(item, schema: itemSchema, at: "\(path)/\(index)") }
        }
        return found
    }

    /// The schema `reference` names: "#" or "#/$defs/NAME".
    func resolve(_ reference: String) -> JSONValue? {
        if reference == "#" { return root }
        guard reference.hasPrefix("#/$defs/"), case .object(let top) = root, case .object(let definitions)? = top["$defs"] else { return nil }
        return definitions[String(reference.dropFirst("#/$defs/".count))]
    }

    /// `type`.
    func typeErrors(_ instance: JSONValue, _ keywords: [String: JSONValue], _ location: String) -> [String] {
        guard let type = keywords["type"] else { return [] }
        let allowed: [String] = switch type {
        case .string(let name): [name]
        case .array(let names): names.compactMap { if case .string(let name) = $0 { name } else { nil } }
        default: []
        }
        return instance.typeNames.isDisjoint(with: allowed) ? ["\(location): expected \(allowed.joined(separator: " or "))"] : []
    }

    /// `enum`, `const`, the numeric bounds, `minLength`, `minItems`, `uniqueItems` and `minProperties`.
    func valueErrors(_ instance: JSONValue, _ keywords: [String: JSONValue], _ location: String) -> [String] {
        var found = [String]()
        if case .array(let options)? = keywords["enum"], !options.contains(instance) { found.append("\(location): not one of the enumerated values") }
        if let constant = keywords["const"], constant != instance { found.append("\(location): not the constant value") }
        if case .number(let value) = instance {
            let bounds: [(String, (Double, Double) -> Bool)] = [("minimum", { $0 >= $1 }), ("maximum", { $0 <= $1 }),
                                                                ("exclusiveMinimum", { $0 > $1 }), ("exclusiveMaximum", { $0 < $1 })]
            for (keyword, holds) in bounds {
                if case .number(let bound)? = keywords[keyword], !holds(value, bound) { found.append("\(location): \(value) violates \(keyword) \(bound)") }
            }
        }
        if case .string(let text) = instance, case .number(let least)? = keywords["minLength"], Double(text.count) < least {
            found.append("\(location): shorter than \(Int(least)) characters")
        }
        if case .array(let items) = instance, case .number(let least)? = keywords["minItems"], Double(items.count) < least {
            found.append("\(location): fewer than \(Int(least)) items")
        }
        if case .array(let items) = instance, case .bool(true)? = keywords["uniqueItems"],
           items.indices.contains(where: { i in items[..<i].contains(items[i]) }) {
            found.append("\(location): items not unique")
        }
        if case .object(let members) = instance, case .number(let least)? = keywords["minProperties"], Double(members.count) < least {
            found.append("\(location): fewer than \(Int(least)) properties")
        }
        return found
    }

    /// `oneOf` (exactly one subschema holds) and `anyOf` (at least one).
    func combinationErrors(_ instance: JSONValue, _ keywords: [String: JSONValue], _ path: String) -> [String] {
        var found = [String]()
        let location = path.isEmpty ? "/" : path
        if case .array(let options)? = keywords["oneOf"] {
            let holding = options.filter { errors(instance, schema: $0, at: path).isEmpty }.count
            if holding != 1 { found.append("\(location): \(holding) of the oneOf subschemas hold, not exactly one") }
        }
        if case .array(let options)? = keywords["anyOf"], !options.contains(where: { errors(instance, schema: $0, at: path).isEmpty }) {
            found.append("\(location): none of the anyOf subschemas holds")
        }
        return found
    }

    /// `required`, `properties`, `patternProperties` and `additionalProperties` of an object.
    func objectErrors(_ members: [String: JSONValue], _ keywords: [String: JSONValue], _ path: String) -> [String] {
        var found = [String]()
        let location = path.isEmpty ? "/" : path
        if case .array(let required)? = keywords["required"] {
            for case .string(let name) in required where members[name] == nil { found.append("\(location): missing required '\(name)'") }
        }
        let properties: [String: JSONValue] = if case .object(let properties)? = keywords["properties"] { properties } else { [:] }
        let patterns: [String: JSONValue] = if case .object(let patterns)? = keywords["patternProperties"] { patterns } else { [:] }
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            let memberPath = "\(path)/\(name.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1"))"
            var matched = false
            if let schema = properties[name] {
                matched = true
                found += errors(value, schema: schema, at: memberPath)
            }
            for (pattern, schema) in patterns.sorted(by: { $0.key < $1.key }) {
                guard let regex = try? Regex(pattern) else {
                    found.append("\(location): invalid pattern '\(pattern)'")
                    continue
                }
                guard name.contains(regex) else { continue }
                matched = true
                found += errors(value, schema: schema, at: memberPath)
            }
            if !matched, let additional = keywords["additionalProperties"] {
                if additional == .bool(false) {
                    found.append("\(location): unexpected property '\(name)'")
                } else {
                    found += errors(value, schema: additional, at: memberPath)
                }
            }
        }
        return found
    }
}
