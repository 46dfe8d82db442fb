import PoisoningEngine

/// The study as a commented YAML study file: every key with its effective value, each preceded by
/// its help as a comment. Reading the text back gives the same study.
public func studyFileText(_ study: Study, header: [String] = []) -> String {
    studyFileText(study.config, help: study.help, header: header)
}

/// The configuration `config` as a commented YAML study file, each key preceded by its `help`.
public func studyFileText(_ config: StudyConfig, help: ParameterHelp, header: [String] = []) -> String {
    var lines = header.map { $0.isEmpty ? "#" : "# \($0)" }
    if !lines.isEmpty { lines.append("") }
    write(config.document, path: "", indent: "", help: help, into: &lines)
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
