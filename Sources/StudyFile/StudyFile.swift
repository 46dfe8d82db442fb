import Foundation
import PoisoningEngine
import Yams

/// Reads a YAML study file into a study document and the file position of every value, so that
/// `Study(document:locations:)` can name "file:line:column" in its errors. Plain scalars are typed
/// as a person reads them (integers, numbers, true/false; anything else is a string); quoted
/// scalars are always strings.
public func readStudyFile(text: String, fileName: String) throws -> (document: ParameterValue, locations: SourceLocations) {
    let node: Node?
    do {
        // The basic resolver leaves every scalar a string (typedScalar types them) and spares a
        // regular-expression match per scalar each time Yams hashes a key to find duplicates.
        node = try Yams.compose(yaml: text, .basic)
    } catch let error as YamlError {
        throw yamlError(error, fileName: fileName)
    }
    guard let node else {
        throw SpecificationError(path: "", location: .file(fileName, line: 1, column: 1),
                                 message: "the study file is empty; `make-report study --print` prints one to start from")
    }
    var locations = SourceLocations()
    var budget = maximumStudyFileValues
    let document = try convert(node, path: "", fileName: fileName, locations: &locations, budget: &budget)
    return (document, locations)
}

/// The most values (scalars, lists and mappings, counting every copy an alias makes) a study file
/// may hold; a file of nested aliases that would expand to millions is refused at this count.
public let maximumStudyFileValues = 100_000

/// The YAML node as a specification value, recording each value's position by path; each value
/// spends one of `budget`.
private func convert(_ node: Node, path: String, fileName: String, locations: inout SourceLocations,
                     budget: inout Int) throws -> ParameterValue {
    budget -= 1
    guard budget >= 0 else {
        throw SpecificationError(path: path, location: node.mark.map { .file(fileName, line: $0.line, column: $0.column) },
                                 message: "the study file holds more than \(maximumStudyFileValues) values (counting every copy its aliases make)")
    }
    if let mark = node.mark { locations.record(.file(fileName, line: mark.line, column: mark.column), for: path) }
    switch node {
    case .scalar(let scalar):
        return typedScalar(scalar)
    case .sequence(let sequence):
        return .list(try sequence.enumerated().map { index, item in
            try convert(item, path: "\(path)[\(index)]", fileName: fileName, locations: &locations, budget: &budget)
        })
    case .mapping(let mapping):
        var entries = [ParameterEntry]()
        var keys = Set<String>()
        entries.reserveCapacity(mapping.count)
        keys.reserveCapacity(mapping.count)
        for (keyNode, valueNode) in mapping {
            let mark = keyNode.mark ?? node.mark
            guard case .scalar(let key) = keyNode else {
                throw SpecificationError(path: path, location: mark.map { .file(fileName, line: $0.line, column: $0.column) },
                                         message: "keys must be plain words")
            }
            let childPath = path.isEmpty ? key.string : "\(path).\(key.string)"
            // Keys Yams tells apart by an explicit tag (`!x a` and `a`) are one key here.
            guard keys.insert(key.string).inserted else {
                throw SpecificationError(path: childPath, location: mark.map { .file(fileName, line: $0.line, column: $0.column) },
                                         message: "the key '\(key.string)' appears twice")
            }
            let value = try convert(valueNode, path: childPath, fileName: fileName, locations: &locations, budget: &budget)
            // Errors about a key point at the key, not at its value.
            if let mark = keyNode.mark { locations.record(.file(fileName, line: mark.line, column: mark.column), for: childPath) }
            entries.append(ParameterEntry(key: key.string, value: value))
        }
        return .mapping(entries)
    case .alias:
        throw SpecificationError(path: path, location: node.mark.map { .file(fileName, line: $0.line, column: $0.column) },
                                 message: "aliases are not supported in study files")
    }
}

/// A plain scalar as an integer, a number, a boolean or a string; a quoted one as a string.
private func typedScalar(_ scalar: Node.Scalar) -> ParameterValue {
    let text = scalar.string
    guard scalar.style == .plain else { return .string(text) }
    if let integer = Int(text) { return .int(integer) }
    if let number = Double(text), text.first.map({ $0.isNumber || "+-.".contains($0) }) == true { return .double(number) }
    switch text.lowercased() {
    case "true": return .bool(true)
    case "false": return .bool(false)
    default: return .string(text)
    }
}

/// A Yams parse error as one located line.
private func yamlError(_ error: YamlError, fileName: String) -> SpecificationError {
    switch error {
    case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
        return SpecificationError(path: "", location: .file(fileName, line: mark.line, column: mark.column),
                                  message: "not valid YAML: \(problem)")
    case let .duplicatedKeysInMapping(duplicates, context):
        // Yams names the repeated keys in order and points at the first one's first occurrence.
        return SpecificationError(path: "", location: .file(fileName, line: context.mark.line, column: context.mark.column),
                                  message: "the key '\(duplicates.first ?? "")' appears more than once in this mapping (first here)")
    default:
        return SpecificationError(path: "", location: .file(fileName, line: 1, column: 1), message: "not valid YAML")
    }
}
