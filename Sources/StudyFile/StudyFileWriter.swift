import PoisoningEngine

/// The study as a commented YAML study file: every key with its effective value, each preceded by
/// its help as a comment. Reading the text back gives the same study.
public func studyFileText(_ study: Study, header: [String] = []) -> String {
    studyFileText(study.config, help: study.help, header: header)
}

/// A block a study file shows commented out after the top-level key whose value it could replace,
/// e.g. a CSV data block after the synthetic one.
public struct CommentedAlternative: Sendable {
    /// The top-level key, e.g. "data".
    public let key: String
    /// The value shown in its place.
    public let value: ParameterValue
    /// The help of its keys, by path from the top ("data.path").
    public let help: ParameterHelp
    /// Comment lines above the block, each written after "# ".
    public let comment: [String]

    /// An alternative value of `key`, with its keys' help and comment lines above it.
    public init(key: String, value: ParameterValue, help: ParameterHelp, comment: [String]) {
        self.key = key
        self.value = value
        self.help = help
        self.comment = comment
    }
}

/// The configuration `config` as a commented YAML study file, each key preceded by its `help`; each
/// of `alternatives` follows its key's block, commented out (every line after "# "), under its comment;
/// one for a key `config` leaves out comes at the end, with that key's help.
public func studyFileText(_ config: StudyConfig, help: ParameterHelp, header: [String] = [],
                          alternatives: [CommentedAlternative] = []) -> String {
    var lines = header.map { $0.isEmpty ? "#" : "# \($0)" }
    if !lines.isEmpty { lines.append("") }
    for entry in config.document.entries ?? [] {
        write(.mapping([entry]), path: "", indent: "", help: help, into: &lines)
        for alternative in alternatives where alternative.key == entry.key {
            var block = [String]()
            write(.mapping([ParameterEntry(key: entry.key, value: alternative.value)]), path: "", indent: "", help: alternative.help, into: &block)
            // The block from its key on: the key's own help is the one above the block in use.
            lines += (alternative.comment + block.drop { $0.hasPrefix("#") }).map { "# " + $0 }
        }
    }
    // An alternative for a key the configuration leaves out (at its default) comes last, with its key's help.
    let present = Set((config.document.entries ?? []).map(\.key))
    for alternative in alternatives where !present.contains(alternative.key) {
        var block = [String]()
        write(.mapping([ParameterEntry(key: alternative.key, value: alternative.value)]), path: "", indent: "", help: alternative.help, into: &block)
        lines += (alternative.comment + block).map { "# " + $0 }
    }
    return lines.joined(separator: "\n") + "\n"
}

/// Appends the entries of a mapping, block style; lists of mappings as "- key: value" items.
private func write(_ value: ParameterValue, path: String, indent: String, help: ParameterHelp, into lines: inout [String]) {
    guard let entries = value.entries else { return }
    for entry in entries {
        let childPath = path.isEmpty ? entry.key : "\(path).\(entry.key)"
        if let text = help[childPath], entry.key != "kind" { lines.append("\(indent)# \(text)") }
        switch entry.value {
        case .mapping:
            lines.append("\(indent)\(entry.key):")
            write(entry.value, path: childPath, indent: indent + "  ", help: help, into: &lines)
        case .list(let items) where items.contains(where: { $0.entries != nil }):
            lines.append("\(indent)\(entry.key):")
            for (index, item) in items.enumerated() {
                let itemPath = "\(childPath)[\(index)]"
                if let text = help[itemPath] { lines.append("\(indent)  # \(text)") }
                var itemLines = [String]()
                write(item, path: itemPath, indent: indent + "    ", help: help, into: &itemLines)
                // The first line of the item (its kind) carries the "- ".
                if let first = itemLines.firstIndex(where: { !$0.trimmingPrefix(" ").hasPrefix("#") }) {
                    itemLines[first] = indent + "  - " + itemLines[first].dropFirst(indent.count + 4)
                }
                lines += itemLines
            }
        default:
            lines.append("\(indent)\(entry.key): \(entry.value)")
        }
    }
}
