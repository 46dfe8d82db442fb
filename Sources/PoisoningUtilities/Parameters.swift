import Foundation

/// A value in a study specification: what a YAML study file, a command-line option or the
/// `config` of results.json gives for a key.
public indirect enum ParameterValue: Sendable, Codable, Equatable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case bool(Bool)
    case string(String)
    case list([ParameterValue])
    case mapping([ParameterEntry])

    /// Numbers compare by value (`int(1) == double(1)`), mappings regardless of key order.
    public static func == (lhs: ParameterValue, rhs: ParameterValue) -> Bool {
        switch (lhs, rhs) {
        case let (.int(a), .int(b)): a == b
        case let (.double(a), .double(b)): a == b
        case let (.int(a), .double(b)), let (.double(b), .int(a)): Double(a) == b
        case let (.bool(a), .bool(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.list(a), .list(b)): a == b
        case let (.mapping(a), .mapping(b)):
            a.count == b.count && a.allSatisfy { entry in b.contains { $0.key == entry.key && $0.value == entry.value } }
        default: false
        }
    }

    /// The value as YAML flow text: `32`, `0.05`, `true`, `"text"`, `[1, 2]`, `{a: 1}`.
    public var description: String {
        switch self {
        case .int(let value): "\(value)"
        case .double(let value): value == value.rounded() && abs(value) < 1e15 ? String(format: "%.1f", value) : "\(value)"
        case .bool(let value): value ? "true" : "false"
        case .string(let value): quotedIfNeeded(value)
        case .list(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .mapping(let entries): "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }

    /// The entries of a mapping, nil for any other value.
    public var entries: [ParameterEntry]? {
        if case .mapping(let entries) = self { return entries }
        return nil
    }

    /// The value as an error message names it after "not": its type and its text, "a string (abc)";
    /// "null" for YAML's null (`null`, `~`), which the decoder reads as that text: no value, not a string.
    package var shownForError: String {
        if case .string(let text) = self, ["null", "~"].contains(text.lowercased()) { return "null (no value)" }
        return "\(typeName) (\(shortenedUserText("\(self)")))"
    }

    /// A short name of the value's type for error messages.
    package var typeName: String {
        switch self {
        case .int: "an integer"
        case .double: "a number"
        case .bool: "a boolean"
        case .string: "a string"
        case .list: "a list"
        case .mapping: "a mapping"
        }
    }

    public init(from decoder: Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyCodingKey.self) {
            self = .mapping(try keyed.allKeys.sorted { $0.stringValue < $1.stringValue }.map {
                ParameterEntry(key: $0.stringValue, value: try keyed.decode(ParameterValue.self, forKey: $0))
            })
            return
        }
        if var list = try? decoder.unkeyedContainer() {
            var values = [ParameterValue]()
            while !list.isAtEnd { values.append(try list.decode(ParameterValue.self)) }
            self = .list(values)
            return
        }
        let single = try decoder.singleValueContainer()
        if let value = try? single.decode(Bool.self) { self = .bool(value) }
        else if let value = try? single.decode(Int.self) { self = .int(value) }
        else if let value = try? single.decode(Double.self) { self = .double(value) }
        else { self = .string(try single.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .int(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .double(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .bool(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .string(let value):
            var single = encoder.singleValueContainer()
            try single.encode(value)
        case .list(let values):
            var list = encoder.unkeyedContainer()
            for value in values { try list.encode(value) }
        case .mapping(let entries):
            var keyed = encoder.container(keyedBy: AnyCodingKey.self)
            for entry in entries { try keyed.encode(entry.value, forKey: AnyCodingKey(entry.key)) }
        }
    }
}

/// One key and its value in a mapping.
public struct ParameterEntry: Sendable, Equatable {
    /// The key, e.g. "cluster-std".
    public var key: String
    /// Its value.
    public var value: ParameterValue

    /// An entry.
    public init(key: String, value: ParameterValue) {
        self.key = key
        self.value = value
    }
}

/// A coding key made from any string (for mappings whose keys are data).
struct AnyCodingKey: CodingKey {
    let stringValue: String
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

/// Where a value of a specification came from, for error messages.
public enum SourceLocation: Sendable, Equatable {
    /// A study file, 1-based line and column.
    case file(String, line: Int, column: Int)
    /// A command-line option, e.g. "--epochs".
    case option(String)
}

/// The source locations of a specification's values by path ("training.epochs", "models[1].hidden").
public struct SourceLocations: Sendable {
    private var byPath: [String: SourceLocation]

    /// Locations by path.
    public init(_ byPath: [String: SourceLocation] = [:]) { self.byPath = byPath }

    /// Records where the value at `path` came from, replacing what was recorded for it and below it.
    public mutating func set(_ location: SourceLocation, for path: String) {
        byPath = byPath.filter { !isWithin($0.key, path) }
        byPath[path] = location
    }

    /// Records where the value at `path` came from, leaving what was recorded below it.
    public mutating func record(_ location: SourceLocation, for path: String) { byPath[path] = location }

    /// The location of `path`, else of its nearest enclosing path that has one.
    public func location(of path: String) -> SourceLocation? {
        var current = path
        while true {
            if let found = byPath[current] { return found }
            guard let cut = current.lastIndex(where: { $0 == "." || $0 == "[" }) else { return byPath[""] }
            current = String(current[..<cut])
        }
    }

    private func isWithin(_ candidate: String, _ path: String) -> Bool {
        candidate == path || candidate.hasPrefix(path + ".") || candidate.hasPrefix(path + "[")
    }
}

/// A specification that cannot be used: where, which key, and why.
public struct SpecificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path of the value at fault, e.g. "models[1].hidden" (empty for the whole document).
    public let path: String
    /// Where it came from.
    public let location: SourceLocation?
    /// What is wrong.
    public let message: String

    /// An error at a path.
    public init(path: String, location: SourceLocation?, message: String) {
        self.path = path
        self.location = location
        self.message = message
    }

    /// "study.yaml:12:5: models[1].hidden: message", or "--widths: message" for a command-line option.
    /// Each key of the path is cut as a quoted value is (`shortenedUserText`): a key may be the user's
    /// text of any length, and the message must show.
    public var description: String {
        let shownPath = path.split(separator: ".", omittingEmptySubsequences: false).map { shortenedUserText($0) }.joined(separator: ".")
        switch location {
        case let .file(file, line, column): return "\(file):\(line):\(column): " + (path.isEmpty ? "" : "\(shownPath): ") + message
        case let .option(option): return "\(option): \(message)"
        case nil: return (path.isEmpty ? "" : "\(shownPath): ") + message
        }
    }
}

/// The help text of every key a reader read, by path, for commented study files.
public typealias ParameterHelp = [String: String]

/// Reads the values of one mapping of a specification by key, with their types, defaults and
/// ranges checked, and records what it read: the effective values (defaults filled in) and their
/// help. `finish()` rejects the keys nobody asked for. Every study component reads its parameters
/// with one; so does the study itself.
public struct ParameterReader {
    /// The mapping's path, e.g. "models[1]"; empty at the top of the document.
    public let path: String
    private let entries: [ParameterEntry]
    private let locations: SourceLocations
    private var asked = [String]()
    /// The effective entries, in the order they were read.
    public private(set) var effective = [ParameterEntry]()
    /// Help of each key read, by full path.
    public private(set) var help = ParameterHelp()

    /// A reader of `entries` at `path`.
    public init(_ entries: [ParameterEntry], path: String, locations: SourceLocations) {
        self.entries = entries
        self.path = path
        self.locations = locations
    }

    /// The full path of `key`.
    public func path(of key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// An error about `key` (or the whole mapping when nil), located where its value came from.
    public func error(_ key: String?, _ message: String) -> SpecificationError {
        let full = key.map(path(of:)) ?? path
        return SpecificationError(path: full, location: locations.location(of: full), message: message)
    }

    /// The raw value of `key` (recorded as asked for, with its help), or nil when absent.
    public mutating func value(_ key: String, help text: String) -> ParameterValue? {
        // A key may be asked for more than once (`seeds`: first as a block, then as a list); it is
        // one known key.
        if !asked.contains(key) { asked.append(key) }
        help[path(of: key)] = text
        return entries.first { $0.key == key }?.value
    }

    /// Whether the mapping has `key` (without asking for it: a key only some settings read can be
    /// rejected with a reason instead of as unknown).
    public func contains(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// The error for a required key that is absent, pointing at a present key that looks like a typo of it.
    public func missing(_ key: String) -> SpecificationError {
        let unknown = entries.map(\.key).filter { !asked.contains($0) || $0 == key }
        if let near = unknown.first(where: { !suggestion($0, among: [key]).isEmpty }) {
            // At the typo's location, under the mapping's path: the message names the key.
            return SpecificationError(path: path, location: locations.location(of: path(of: near)),
                                      message: "unknown key \(quotedUserText(near)), did you mean '\(key)'? ('\(key)' is required)")
        }
        return error(nil, "missing required key '\(key)'")
    }

    /// Records the effective value of `key`.
    public mutating func record(_ key: String, _ value: ParameterValue) {
        effective.append(ParameterEntry(key: key, value: value))
    }

    /// An integer in `range`; `defaultValue` when absent (required when nil).
    public mutating func int(_ key: String, default defaultValue: Int? = nil, in range: ClosedRange<Int>,
                             help text: String) throws -> Int {
        let value = try typed(key, defaultValue, help: text) { raw -> Int? in
            if case .int(let number) = raw { return number }
            if case .double(let number) = raw, number == number.rounded(), abs(number) < 9e15 { return Int(number) }
            return nil
        } expected: { "an integer" }
        guard range.contains(value) else { throw error(key, rangeMessage(range)) }
        record(key, .int(value))
        return value
    }

    /// A finite number in `range`; `defaultValue` when absent (required when nil).
    public mutating func double(_ key: String, default defaultValue: Double? = nil, in range: ClosedRange<Double>,
                                help text: String) throws -> Double {
        let value = try typed(key, defaultValue, help: text, convert: Self.number, expected: { "a number" })
        guard value.isFinite, range.contains(value) else { throw error(key, rangeMessage(range)) }
        record(key, .double(value))
        return value
    }

    /// A difference of accuracy (or of a fraction) in `range`, as `accuracyDifference` reads it: a
    /// number (0.02) or a string in percentage points ("2pp", "2 pp", "2%"); `defaultValue` when
    /// absent. Recorded as the number.
    public mutating func accuracyDifferenceValue(_ key: String, default defaultValue: Double, in range: ClosedRange<Double>,
                                                 help text: String) throws -> Double {
        let value = try typed(key, defaultValue, help: text) { raw -> Double? in
            if case .string(let written) = raw { return accuracyDifference(written) }
            return Self.number(raw)
        } expected: { "a fraction such as 0.02 or percentage points such as 2pp" }
        guard value.isFinite, range.contains(value) else {
            throw error(key, "must lie in [\(range.lowerBound), \(range.upperBound)] as a fraction, e.g. 0.02, or in "
                + String(format: "[%gpp, %gpp] in percentage points, e.g. 2pp", range.lowerBound * 100, range.upperBound * 100))
        }
        record(key, .double(value))
        return value
    }

    /// A boolean; `defaultValue` when absent (required when nil).
    public mutating func bool(_ key: String, default defaultValue: Bool? = nil, help text: String) throws -> Bool {
        let value = try typed(key, defaultValue, help: text) { raw -> Bool? in
            if case .bool(let flag) = raw { return flag }
            return nil
        } expected: { "true or false" }
        record(key, .bool(value))
        return value
    }

    /// The most characters (grapheme clusters) a name, a label or a title may hold (`string`'s default bound).
    public static let maximumNameLength = 200

    /// The most characters (grapheme clusters) a path or a free text (a citation) may hold: as
    /// many as Linux's PATH_MAX has bytes, 4096.
    public static let maximumPathLength = 4096

    /// A string of at most `maximumLength` characters with no character `isDisallowedInText` (see
    /// `checkText`; any character when `anyCharacter`, for a CSV delimiter such as a tab), one of
    /// `choices` when given; `defaultValue` when absent (required when nil).
    public mutating func string(_ key: String, default defaultValue: String? = nil, oneOf choices: [String]? = nil,
                                maximumLength: Int = maximumNameLength, anyCharacter: Bool = false, help text: String) throws -> String {
        let value = try typed(key, defaultValue, help: text) { raw -> String? in
            switch raw {
            case .string(let text): text
            case .int(let number): "\(number)"
            default: nil
            }
        } expected: { "a string" }
        if anyCharacter {
            guard value.count <= maximumLength else { throw error(key, "expected at most \(maximumLength) characters, found \(value.count)") }
        } else {
            try checkText(key, value, maximum: maximumLength)
        }
        if let choices, !choices.contains(value) {
            throw error(key, "expected one of \(choices.joined(separator: ", ")), not \(quotedUserText(value))" + suggestion(value, among: choices))
        }
        record(key, .string(value))
        return value
    }

    /// A list of integers, each in `range`, not empty and without repeats.
    public mutating func intList(_ key: String, default defaultValue: [Int]? = nil, in range: ClosedRange<Int>,
                                 help text: String) throws -> [Int] {
        let values = try list(key, defaultValue, help: text, element: { raw -> Int? in
            if case .int(let number) = raw { return number }
            return nil
        }, expected: "a list of integers", outOfRange: "each value " + rangeMessage(range))
        guard values.allSatisfy(range.contains) else { throw error(key, "each value " + rangeMessage(range)) }
        record(key, .list(values.map(ParameterValue.int)))
        return values
    }

    /// A list of finite numbers, each in `range`, not empty and without repeats.
    public mutating func doubleList(_ key: String, default defaultValue: [Double]? = nil, in range: ClosedRange<Double>,
                                    help text: String) throws -> [Double] {
        let values = try list(key, defaultValue, help: text, element: Self.number, expected: "a list of numbers")
        guard values.allSatisfy({ $0.isFinite && range.contains($0) }) else { throw error(key, "each value " + rangeMessage(range)) }
        record(key, .list(values.map(ParameterValue.double)))
        return values
    }

    /// The value `read` makes of the mapping under `key` (`keys`, its keys in words, for the error when
    /// `key` holds no mapping), read with a reader of its own at path "path.key" whose unknown keys are
    /// refused, whose effective entries become `key`'s effective value and whose help joins this one's;
    /// nil when `key` is absent.
    public mutating func mapping<Value>(_ key: String, of keys: String, help text: String,
                                        read: (inout ParameterReader) throws -> Value) throws -> Value? {
        guard let raw = value(key, help: text) else { return nil }
        guard let entries = raw.entries else {
            throw error(key, "expected a mapping of \(keys), not \(raw.shownForError)")
        }
        var nested = ParameterReader(entries, path: path(of: key), locations: locations)
        let result = try read(&nested)
        try nested.finish()
        record(key, .mapping(nested.effective))
        help.merge(nested.help) { $1 }
        return result
    }

    /// Throws for the first key of the mapping that nobody asked for, with a "did you mean" when
    /// an asked-for key is close to it: at the key's location, under the mapping's path (the
    /// message names the key, so the path does not repeat it: "models[0]: unknown key 'dropout'").
    public func finish() throws {
        for entry in entries where !asked.contains(entry.key) {
            let location = locations.location(of: path(of: entry.key))
            throw SpecificationError(path: path, location: location,
                                     message: "unknown key \(quotedUserText(entry.key))" + suggestion(entry.key, among: asked)
                                         + " (known keys: \(asked.joined(separator: ", ")))")
        }
    }

    /// Refuses `text`, the value of `key`, when it holds more than `maximum` characters (grapheme
    /// clusters, as a reader counts them), or a character `isDisallowedInText` (a control character
    /// or a bidirectional override, which would go raw into every report and into the study.yaml
    /// written beside them), naming its code point.
    public func checkText(_ key: String, _ text: String, maximum: Int) throws {
        if let problem = disallowedTextProblem(text) { throw error(key, problem) }
        let length = text.count
        guard length > maximum else { return }
        throw error(key, "expected at most \(maximum) characters, found \(length)")
    }

    private static func number(_ raw: ParameterValue) -> Double? {
        switch raw {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }

    private mutating func typed<Value>(_ key: String, _ defaultValue: Value?, help text: String,
                                       convert: (ParameterValue) -> Value?, expected: () -> String,
                                       mismatch: (ParameterValue) -> String? = { _ in nil }) throws -> Value {
        guard let raw = value(key, help: text) else {
            guard let defaultValue else { throw missing(key) }
            return defaultValue
        }
        guard let converted = convert(raw) else {
            throw error(key, mismatch(raw) ?? "expected \(expected()), not \(raw.shownForError)")
        }
        return converted
    }

    /// A list of `element`s (`expected` in words), not empty and without repeats. With `outOfRange`
    /// (the range's message of a list of integers), a whole number too large for an integer (a
    /// seed of 2^64 - 1, which the study file reads as a number) is refused as out of range, not as
    /// a number.
    private mutating func list<Element: Hashable>(_ key: String, _ defaultValue: [Element]?, help text: String,
                                                  element: (ParameterValue) -> Element?, expected: String,
                                                  outOfRange: String? = nil) throws -> [Element] {
        let values = try typed(key, defaultValue, help: text, convert: { raw -> [Element]? in
            // A single value stands for a list of one.
            guard case .list(let items) = raw else { return element(raw).map { [$0] } }
            let converted = items.compactMap(element)
            return converted.count == items.count ? converted : nil
        }, expected: { expected }, mismatch: { raw in
            // A list is refused naming its first entry of the wrong type, e.g. "entry 2 is a string: '0x2'".
            let items = if case .list(let items) = raw { items } else { [raw] }
            guard let index = items.firstIndex(where: { element($0) == nil }) else { return nil }
            let shown = if case .string(let text) = items[index] { quotedUserText(text) } else { shortenedUserText("\(items[index])") }
            if let outOfRange, case .double(let number) = items[index], number.isFinite, number == number.rounded(), abs(number) >= 0x1p63 {
                guard case .list = raw else { return "\(outOfRange); \(shown) is out of range" }
                return "\(outOfRange); entry \(index + 1), \(shown), is out of range"
            }
            guard case .list = raw else { return nil }
            return "expected \(expected), and entry \(index + 1) is \(items[index].typeName): \(shown)"
        })
        guard !values.isEmpty else { throw error(key, "needs at least one value") }
        guard Set(values).count == values.count else { throw error(key, "values must not repeat") }
        return values
    }

    private func rangeMessage<Bound: Comparable>(_ range: ClosedRange<Bound>) -> String {
        "must lie in [\(range.lowerBound), \(range.upperBound)]"
    }
}

/// A difference of accuracy written as a fraction ("0.02") or in percentage points ("2pp", "2 pp",
/// "2%": each 0.02), the number in decimal notation (`decimalNumber`); nil for anything else. The
/// forms `compare --margin` and a study's `planning: {effect}` accept.
public func accuracyDifference(_ text: some StringProtocol) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    for unit in ["pp", "%"] where trimmed.hasSuffix(unit) {
        guard let points = decimalNumber(trimmed.dropLast(unit.count).trimmingCharacters(in: .whitespaces)), points.isFinite else { return nil }
        return points / 100
    }
    guard let fraction = decimalNumber(trimmed), fraction.isFinite else { return nil }
    return fraction
}

/// The number `text` is when it is written in decimal, or nil: ASCII digits with an optional sign,
/// point and exponent (`-1`, `+2`, `.5`, `5.`, `1e-3`, `1E+05`), as pandas' `read_csv` reads a
/// number and a study file's plain scalars are read. Hexadecimal (`0x10`, `0x1p4`), `nan`, `inf`,
/// digit group separators (`1_000`) and other scripts' digits are not numbers here, though Swift's
/// `Double(_:)` reads some of them.
public func decimalNumber(_ text: some StringProtocol) -> Double? {
    var bytes = Substring(text).utf8[...]
    let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    let isSign = { (byte: UInt8?) in byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") }
    if isSign(bytes.first) { bytes = bytes.dropFirst() }
    let integerDigits = bytes.prefix(while: isDigit).count
    bytes = bytes.dropFirst(integerDigits)
    var fractionDigits = 0
    if bytes.first == UInt8(ascii: ".") {
        bytes = bytes.dropFirst()
        fractionDigits = bytes.prefix(while: isDigit).count
        bytes = bytes.dropFirst(fractionDigits)
    }
    guard integerDigits + fractionDigits > 0 else { return nil }
    if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
        bytes = bytes.dropFirst()
        if isSign(bytes.first) { bytes = bytes.dropFirst() }
        let exponentDigits = bytes.prefix(while: isDigit).count
        guard exponentDigits > 0 else { return nil }
        bytes = bytes.dropFirst(exponentDigits)
    }
    return bytes.isEmpty ? Double(String(text)) : nil
}

/// ", did you mean 'x'?" when one of `candidates` is within a small edit distance of `word`; else "".
func suggestion(_ word: String, among candidates: [String]) -> String {
    let scored = candidates.map { (candidate: $0, distance: editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.distance < $1.distance }),
          best.distance <= max(2, best.candidate.count / 3) else { return "" }
    return ", did you mean \(quotedUserText(best.candidate))?"
}

/// Levenshtein distance between two strings.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + [Int](repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

/// A string as YAML flow text: bare when that reads back as the same string, else double-quoted.
func quotedIfNeeded(_ text: String) -> String {
    let bare = !text.isEmpty && Int(text) == nil && Double(text) == nil
        && !["true", "false", "null", "yes", "no", "on", "off", "~"].contains(text.lowercased())
        && text.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
        && !"-.".contains(text.first!)
    if bare { return text }
    var escaped = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": escaped += "\\\\"
        case "\"": escaped += "\\\""
        case "\n": escaped += "\\n"
        // Other control characters (a CSV delimiter may be one) as escapes: YAML allows none raw but the tab.
        case _ where scalar != "\t" && scalar.properties.generalCategory == .control:
            escaped += scalar.value < 0x100 ? String(format: "\\x%02X", scalar.value) : String(format: "\\u%04X", scalar.value)
        default: escaped.unicodeScalars.append(scalar)
        }
    }
    return "\"\(escaped)\""
}

extension ParameterValue {
    /// The value at a dotted path of keys inside mappings, e.g. "training.epochs"; nil when absent.
    public func value(at path: String) -> ParameterValue? {
        var current: ParameterValue? = self
        for key in path.split(separator: ".") {
            current = current?.entries?.first { $0.key == key }?.value
        }
        return current
    }
}

extension ParameterValue {
    /// This mapping with the value at a dotted path replaced (or added, with any missing mappings on the way).
    public func setting(_ value: ParameterValue, at path: String) -> ParameterValue {
        let keys = path.split(separator: ".", maxSplits: 1).map(String.init)
        var entries = self.entries ?? []
        let child = keys.count == 1 ? value
            : (entries.first { $0.key == keys[0] }?.value ?? .mapping([])).setting(value, at: keys[1])
        if let index = entries.firstIndex(where: { $0.key == keys[0] }) {
            entries[index].value = child
        } else {
            entries.append(ParameterEntry(key: keys[0], value: child))
        }
        return .mapping(entries)
    }
}
