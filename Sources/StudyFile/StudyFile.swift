import CYaml
import Foundation
import PoisoningEngine

/// Reads a YAML study file into a study document and the file position of every value, so that
/// `Study(document:locations:)` can name "file:line:column" in its errors. Plain scalars are typed
/// as a person reads them (integers, numbers, true/false; anything else is a string); quoted
/// scalars are always strings. The core schema's tags are honoured (`!!str 5` and `! 5` are the
/// string "5", `!!float 1` the number 1; `!!seq`, `!!map` change nothing); any other
/// tag (`!custom`, `!!binary`, `!!null`) is refused. The file is composed from libyaml's events one
/// at a time, so that a refusal (a key given again, an alias, a merge key, a tag, a value too long,
/// too many values) stops the reading where the fault is, naming its position.
public func readStudyFile(text: String, fileName: String) throws -> (document: ParameterValue, locations: SourceLocations) {
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBufferPointer { buffer in
        let events = YAMLEvents(buffer, fileName: fileName)
        var composer = StudyFileComposer(events: events, fileName: fileName)
        guard let document = try composer.document() else {
            throw SpecificationError(path: "", location: .file(fileName, line: 1, column: 1),
                                     message: "the study file is empty; `make-report study --print` prints one to start from")
        }
        return (document, composer.locations)
    }
}

/// Why a study file could not be read as text: not a readable regular file of at most
/// `maximumStudyFileBytes`, or not UTF-8. (What it says is refused as a `SpecificationError`.)
public struct StudyFileReadError: Error, CustomStringConvertible {
    /// The reason, naming the file.
    public let description: String
}

/// Reads the study file at `path` (`readUserFile`: a regular file of at most `maximumStudyFileBytes`,
/// UTF-8) into a study document and the position of every value (`readStudyFile(text:fileName:)`),
/// the paths it names, relative to its folder, made relative to the working directory. A study file
/// that is a symbolic link names its paths from the link's own folder (the folder its path names), as
/// `scripts/slurm/submit.sh` passes it on (review r19b, finding 5). A relative path that climbs above
/// "/" from the study file's folder (`climbsAboveRoot`) is refused in one line, naming its key.
public func readStudyFile(atPath path: String) throws -> (document: ParameterValue, locations: SourceLocations) {
    let bytes: Data
    do {
        bytes = try readUserFile(path, maximumBytes: maximumStudyFileBytes)
    } catch {
        throw StudyFileReadError(description: "\(error)")
    }
    guard let text = String(data: bytes, encoding: .utf8) else {
        throw StudyFileReadError(description: "\(quotedUserText(path, keepingEnd: true)) is not UTF-8 text")
    }
    let (document, locations) = try readStudyFile(text: text, fileName: path)
    let folder = containingFolder(of: path)
    if let climbing = document.studyPathsClimbingAboveRoot(from: folder).first {
        let absolute = resolvedFileURL(folder, isDirectory: true).path
        throw StudyFileReadError(description: "\(quotedUserText(path, keepingEnd: true)): \(climbing.key) "
            + "\(quotedUserText(climbing.path, keepingEnd: true)) climbs above / from the study file's folder "
            + "\(quotedUserText(absolute, keepingEnd: true)) (paths in a study file are relative to its folder)")
    }
    return (document.movingStudyPaths(from: folder, to: "."), locations)
}

/// The largest study file read, in bytes: a study file is a few KB (the reference study's, every
/// key with its help, is 4.4 KB); a larger file is refused before it is read.
public let maximumStudyFileBytes = 1 << 20

/// The most values (scalars, lists and mappings) a study file may hold.
public let maximumStudyFileValues = 100_000

/// The most levels of lists and mappings a study file may nest, checked before libyaml's own limit
/// of 1,000 is reached (which it reports in words meant for the programmer).
public let maximumStudyFileDepth = 32

/// Why a study file nested too deep is refused.
private let nestingRefusal = "lists and mappings are nested more than \(maximumStudyFileDepth) levels deep"

/// The most characters a key written without YAML's `? ` indicator may hold: YAML's limit for an
/// implicit key, which libyaml reports as "could not find expected ':'".
public let maximumImplicitKeyLength = 1024

/// The most characters (grapheme clusters) one key or value of a study file may hold: a path's
/// longest. Titles, names and labels have their own, shorter bound where the study reads them
/// (`ParameterReader.maximumNameLength`).
public let maximumStudyFileScalarCharacters = ParameterReader.maximumPathLength

/// One libyaml event, copied out of the parser: what it is and where it starts (1-based).
private struct YAMLEvent {
    /// The kinds of event a study file's composer tells apart.
    enum Kind {
        case streamStart, streamEnd, documentStart, documentEnd, alias
        case scalar(String, plain: Bool)
        case sequenceStart, sequenceEnd, mappingStart, mappingEnd
    }

    let kind: Kind
    /// The tag of a scalar, a list or a mapping, resolved (`!!str` is "tag:yaml.org,2002:str"); nil without one.
    let tag: String?
    let line: Int
    let column: Int
}

/// libyaml's parser over UTF-8 bytes, as a stream of events; a parse error as one located line.
private final class YAMLEvents {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let fileName: String
    private let bytes: UnsafeBufferPointer<UInt8>

    /// A parser of `bytes`, which must outlive it.
    init(_ bytes: UnsafeBufferPointer<UInt8>, fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
        parser = .allocate(capacity: 1)
        parser.initialize(to: yaml_parser_t())
        yaml_parser_initialize(parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, bytes.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
    }

    /// The next event.
    func next() throws -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw parseError() }
        defer { yaml_event_delete(&event) }
        let kind: YAMLEvent.Kind
        var tag: UnsafeMutablePointer<yaml_char_t>?
        switch event.type {
        case YAML_STREAM_START_EVENT: kind = .streamStart
        case YAML_STREAM_END_EVENT: kind = .streamEnd
        case YAML_DOCUMENT_START_EVENT: kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
        case YAML_ALIAS_EVENT: kind = .alias
        case YAML_SEQUENCE_START_EVENT:
            kind = .sequenceStart
            tag = event.data.sequence_start.tag
        case YAML_SEQUENCE_END_EVENT: kind = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            kind = .mappingStart
            tag = event.data.mapping_start.tag
        case YAML_MAPPING_END_EVENT: kind = .mappingEnd
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            kind = .scalar(value, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE)
            tag = scalar.tag
        default: kind = .streamEnd   // YAML_NO_EVENT: the parser has nothing more
        }
        return YAMLEvent(kind: kind, tag: tag.map { String(cString: $0) }, line: event.start_mark.line + 1,
                         column: event.start_mark.column + 1)
    }

    /// The parser's error: "not valid YAML: problem" at the problem's position.
    private func parseError() -> SpecificationError {
        let state = parser.pointee
        let problem = state.problem.map { String(cString: $0) }
        let location: SourceLocation
        if state.error == YAML_READER_ERROR {
            // A reader error has a byte offset, not a mark.
            let prefix = bytes.prefix(min(state.problem_offset, bytes.count))
            let line = prefix.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            let lineStart = prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            let column = String(decoding: prefix[lineStart...], as: UTF8.self).unicodeScalars.count + 1
            location = .file(fileName, line: line, column: column)
        } else {
            location = .file(fileName, line: state.problem_mark.line + 1, column: state.problem_mark.column + 1)
        }
        // libyaml's own limit (1,000 levels, its scanner's look-ahead included) can be reached before
        // the composer's: said in the composer's words, which hold for it too.
        if problem?.hasPrefix("Maximum nesting level reached") == true {
            return SpecificationError(path: "", location: location, message: nestingRefusal)
        }
        if problem == "could not find expected ':'", let length = implicitKeyLength(from: state.context_mark), length > maximumImplicitKeyLength {
            return SpecificationError(path: "", location: .file(fileName, line: state.context_mark.line + 1, column: state.context_mark.column + 1),
                                      message: "a key of \(length) characters; YAML's keys hold at most \(maximumImplicitKeyLength)")
        }
        return SpecificationError(path: "", location: location, message: "not valid YAML" + (problem.map { ": \($0)" } ?? ""))
    }

    /// The characters from `mark`, where libyaml began to read a key, to the first ':' after it on
    /// its line (or to the line's end), or nil when the mark lies outside the text.
    private func implicitKeyLength(from mark: yaml_mark_t) -> Int? {
        guard mark.index <= bytes.count else { return nil }
        // libyaml's index counts characters (Unicode scalars), not bytes.
        let scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars.dropFirst(mark.index)
        return scalars.prefix { $0 != ":" && $0 != "\n" && $0 != "\r" }.count
    }
}

/// Builds the study document from the events, recording each value's position by path; each value
/// spends one of the budget of `maximumStudyFileValues`.
private struct StudyFileComposer {
    let events: YAMLEvents
    let fileName: String
    private(set) var locations = SourceLocations()
    private var budget = maximumStudyFileValues
    /// The lists and mappings the value being read lies in.
    private var depth = 0

    init(events: YAMLEvents, fileName: String) {
        self.events = events
        self.fileName = fileName
    }

    /// The file's one document; nil when the file holds none.
    mutating func document() throws -> ParameterValue? {
        _ = try events.next()   // the stream's start
        let start = try events.next()
        guard case .documentStart = start.kind else { return nil }
        let document = try value(try events.next(), path: "")
        _ = try events.next()   // the document's end
        let end = try events.next()
        guard case .streamEnd = end.kind else {
            throw SpecificationError(path: "", location: location(end), message: "not valid YAML: a study file holds one document, and a second starts here")
        }
        return document
    }

    private func location(_ event: YAMLEvent) -> SourceLocation { .file(fileName, line: event.line, column: event.column) }

    /// The value that starts with `event`, read to its end.
    private mutating func value(_ event: YAMLEvent, path: String) throws -> ParameterValue {
        locations.record(location(event), for: path)
        return try unlocatedValue(event, path: { path })
    }

    /// The value that starts with `event`, read to its end, without recording its own position
    /// (a scalar in a list: errors about it name its list, at the list's position). `path` is made
    /// only for an error, so that a long list of numbers costs no text per item.
    private mutating func unlocatedValue(_ event: YAMLEvent, path: () -> String) throws -> ParameterValue {
        budget -= 1
        guard budget >= 0 else {
            throw SpecificationError(path: path(), location: location(event),
                                     message: "the study file holds more than \(maximumStudyFileValues) values")
        }
        switch event.kind {
        case .scalar(let text, let plain):
            try checkLength(text, path: path, event: event)
            return try taggedScalar(text, plain: plain, event: event, path: path)
        case .sequenceStart:
            try checkTag(event, allowing: coreTag("seq"), path: path)
            try enterCollection(event)
            defer { depth -= 1 }
            let listPath = path()
            var items = [ParameterValue]()
            while true {
                let next = try events.next()
                let index = items.count
                switch next.kind {
                case .sequenceEnd: return .list(items)
                case .scalar: items.append(try unlocatedValue(next, path: { "\(listPath)[\(index)]" }))
                default: items.append(try value(next, path: "\(listPath)[\(index)]"))
                }
            }
        case .mappingStart:
            try checkTag(event, allowing: coreTag("map"), path: path)
            try enterCollection(event)
            defer { depth -= 1 }
            return .mapping(try entries(path: path()))
        case .alias:
            throw SpecificationError(path: path(), location: location(event), message: "aliases are not supported in study files")
        default:
            throw SpecificationError(path: path(), location: location(event), message: "not valid YAML")
        }
    }

    /// The entries of a mapping whose start has been read, to its end. A key given again is refused
    /// at the repeat, naming the line of the first; keys compare as the text they read as, whatever
    /// their quotes, a `!!str` tag or the `? ` indicator (any other tag is refused).
    private mutating func entries(path: String) throws -> [ParameterEntry] {
        var entries = [ParameterEntry]()
        var firstLines = [String: Int]()
        while true {
            let keyEvent = try events.next()
            if case .mappingEnd = keyEvent.kind { return entries }
            guard case .scalar(let key, let plain) = keyEvent.kind else {
                if case .alias = keyEvent.kind {
                    throw SpecificationError(path: path, location: location(keyEvent), message: "aliases are not supported in study files")
                }
                throw SpecificationError(path: path, location: location(keyEvent), message: "keys must be plain words")
            }
            if plain && key == "<<" {
                throw SpecificationError(path: path, location: location(keyEvent),
                                         message: "merge keys (<<) are not supported in study files; write the keys out")
            }
            try checkLength(key, path: { path }, event: keyEvent)
            try checkTag(keyEvent, allowing: coreTag("str"), path: { path })
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if let firstLine = firstLines[key] {
                throw SpecificationError(path: path, location: location(keyEvent),
                                         message: "the key \(quotedUserText(key)) is given again (first at line \(firstLine))")
            }
            firstLines[key] = keyEvent.line
            let value = try value(try events.next(), path: childPath)
            // Errors about a key point at the key, not at its value.
            locations.record(location(keyEvent), for: childPath)
            entries.append(ParameterEntry(key: key, value: value))
        }
    }

    /// Counts the list or mapping that starts with `event`, refusing it when it lies more than
    /// `maximumStudyFileDepth` levels deep.
    private mutating func enterCollection(_ event: YAMLEvent) throws {
        guard depth < maximumStudyFileDepth else {
            throw SpecificationError(path: "", location: location(event), message: nestingRefusal)
        }
        depth += 1
    }

    /// Refuses a key or value longer than `maximumStudyFileScalarCharacters` characters.
    private func checkLength(_ text: String, path: () -> String, event: YAMLEvent) throws {
        // A character is at least one byte: a short text is counted no further.
        guard text.utf8.count > maximumStudyFileScalarCharacters else { return }
        let length = text.count
        guard length > maximumStudyFileScalarCharacters else { return }
        throw SpecificationError(path: path(), location: location(event),
                                 message: "a key or value of \(length) characters; a study file's hold at most \(maximumStudyFileScalarCharacters)")
    }

    /// Refuses the tag of `event` unless it has none, or the non-specific `!`, or `allowed`.
    private func checkTag(_ event: YAMLEvent, allowing allowed: String, path: () -> String) throws {
        guard let tag = event.tag, tag != "!", tag != allowed else { return }
        throw unsupportedTag(tag, event: event, path: path)
    }

    /// The scalar `text` of `event` as a value: typed by `typedScalar` when plain and untagged, a
    /// string when quoted or tagged `!`; a core-schema tag gives its type (`!!str`, `!!int`,
    /// `!!float`, `!!bool`) to a text that reads as that type, and refuses any other.
    private func taggedScalar(_ text: String, plain: Bool, event: YAMLEvent, path: () -> String) throws -> ParameterValue {
        guard let tag = event.tag else { return plain ? typedScalar(text) : .string(text) }
        let value: ParameterValue?
        switch tag {
        case "!", coreTag("str"): value = .string(text)
        case coreTag("int"): value = Int(text).map(ParameterValue.int)
        case coreTag("float"): value = Double(text).map(ParameterValue.double)
        case coreTag("bool"): value = ["true": true, "false": false][text.lowercased()].map(ParameterValue.bool)
        default: throw unsupportedTag(tag, event: event, path: path)
        }
        guard let value else {
            throw SpecificationError(path: path(), location: location(event),
                                     message: "\(shownTag(tag)) does not fit \(quotedUserText(text)); write the value without the tag")
        }
        return value
    }

    /// The refusal of the tag `tag` at `event`.
    private func unsupportedTag(_ tag: String, event: YAMLEvent, path: () -> String) -> SpecificationError {
        SpecificationError(path: path(), location: location(event),
                           message: "the YAML tag \(quotedUserText(shownTag(tag))) is not supported in study files; remove it")
    }
}

/// The core schema's resolved tag `name`, e.g. "tag:yaml.org,2002:str" for `!!str`.
private func coreTag(_ name: String) -> String { "tag:yaml.org,2002:" + name }

/// `tag` as a study file writes it: `!!str` for the core schema's, else as it is.
private func shownTag(_ tag: String) -> String {
    tag.hasPrefix(coreTag("")) ? "!!" + tag.dropFirst(coreTag("").count) : tag
}

/// A plain scalar as an integer, a number (in decimal: `decimalNumber`; `0x2` is the string "0x2",
/// refused where a number is expected as the user wrote it), a boolean or a string.
private func typedScalar(_ text: String) -> ParameterValue {
    if let integer = Int(text) { return .int(integer) }
    if let number = decimalNumber(text) { return .double(number) }
    switch text.lowercased() {
    case "true": return .bool(true)
    case "false": return .bool(false)
    default: return .string(text)
    }
}
