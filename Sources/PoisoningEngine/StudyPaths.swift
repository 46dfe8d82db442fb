import Foundation
import PoisoningAttacks
import PoisoningData
import PoisoningDefenses
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

// Paths in a study. A file that make-report reads or writes names every other file relative to its
// own folder: a study file its CSV data set, the study.yaml and results.json of an output folder
// theirs, a shard's part file its own. Absolute paths are kept as written. In memory, while a
// command runs, relative paths are relative to the working directory: a command moves them from the
// folder of the file it read (`from`) to "." and, when it writes a file, from "." to that file's folder.

/// `path`, written relative to the folder `from`, as written relative to the folder `to` (both
/// folders absolute or relative to the working directory): unchanged when it is absolute or empty;
/// otherwise the same file named from `to`, with ".." steps where it lies outside `to`. Symbolic
/// links in both folders and in the folders of `path` are resolved first (`resolvedFileURL`), as the
/// kernel reads the path: from an output folder reached through a link to a deep folder, the data
/// set's "../../B/data.csv" counts its steps from the folder the files really are in. The file's own
/// name is kept as written, even when it is a link. `movingPath("digits.csv", from: "examples/digits",
/// to: ".")` is "examples/digits/digits.csv"; from "." to "examples/digits/output" that is "../digits.csv".
public func movingPath(_ path: String, from: String, to: String) -> String {
    guard !path.isEmpty, !path.hasPrefix("/") else { return path }
    let target = resolvedComponents(from.isEmpty ? path : from + "/" + path)
    let base = resolvedFileURL(to, isDirectory: true).pathComponents.dropFirst()
    let common = zip(target, base).prefix { $0 == $1 }.count
    let steps = Array(repeating: "..", count: base.count - common) + target[common...]
    return steps.isEmpty ? "." : steps.joined(separator: "/")
}

/// The components of the absolute path of the file `path` names, its folder's symbolic links
/// resolved (`resolvedFileURL`), its own last component kept unless that is "." or "..".
private func resolvedComponents(_ path: String) -> [String] {
    let name = (path as NSString).lastPathComponent
    guard !name.isEmpty, name != ".", name != "..", !path.hasSuffix("/") else {
        return Array(resolvedFileURL(path, isDirectory: true).pathComponents.dropFirst())
    }
    return Array(resolvedFileURL(containingFolder(of: path), isDirectory: true).pathComponents.dropFirst()) + [name]
}

/// The folder that holds the file `path` ("." for a bare file name), for `movingPath`'s `from` and `to`.
public func containingFolder(of path: String) -> String {
    let folder = (path as NSString).deletingLastPathComponent
    return folder.isEmpty ? "." : folder
}

/// The kinds of component a study document names, by its key: one for `data`, a list for the others.
private let componentKinds: [(key: String, types: [any StudyComponent.Type])] = [
    ("data", Registry.datasets), ("models", Registry.models), ("attacks", Registry.attacks), ("defenses", Registry.defenses),
]

/// The paths `component` (a study document's component, by `kind`) names under the keys its kind
/// lists (`StudyComponent.pathKeys`), each with its key; none for an unknown kind.
private func componentPaths(_ component: ParameterValue, types: [any StudyComponent.Type]) -> [(key: String, path: String)] {
    guard case .string(let kind)? = component.value(at: "kind"), let type = types.first(where: { $0.kind == kind }) else { return [] }
    return type.pathKeys.compactMap { key in
        if case .string(let path)? = component.value(at: key) { (key: key, path: path) } else { nil }
    }
}

/// `component` (a study document's component, by `kind`) with every path its kind names
/// (`componentPaths`) moved from the folder `from` to the folder `to` (`movingPath`).
private func movingComponentPaths(_ component: ParameterValue, types: [any StudyComponent.Type], from: String, to: String) -> ParameterValue {
    componentPaths(component, types: types).reduce(component) { moved, named in
        moved.setting(.string(movingPath(named.path, from: from, to: to)), at: named.key)
    }
}

/// Whether the relative `path`, read from the folder `from`, climbs above the file system's root: more ".."
/// steps than the folder (its links resolved, `resolvedFileURL`) and the path's own names lie below "/", as
/// `../../../../x.csv` does from `/work/study`. The kernel would read such a path as if it stopped at "/",
/// a file the study's author did not mean. False for an absolute or empty path.
public func climbsAboveRoot(_ path: String, from: String) -> Bool {
    guard !path.isEmpty, !path.hasPrefix("/") else { return false }
    var depth = resolvedFileURL(from, isDirectory: true).pathComponents.count - 1
    for step in path.split(separator: "/") where step != "." {
        depth += step == ".." ? -1 : 1
        if depth < 0 { return true }
    }
    return false
}

extension ParameterValue {
    /// The relative paths this study document's components name (`StudyComponent.pathKeys`) that climb
    /// above the root from the folder `from` (`climbsAboveRoot`), each with its key ("data.path",
    /// "attacks[0].path"), in the document's order.
    public func studyPathsClimbingAboveRoot(from: String) -> [(key: String, path: String)] {
        var found = [(key: String, path: String)]()
        for (key, types) in componentKinds {
            let components: [(String, ParameterValue)]
            switch value(at: key) {
            case .list(let items)?: components = items.enumerated().map { ("\(key)[\($0.offset)]", $0.element) }
            case let component?: components = [(key, component)]
            case nil: continue
            }
            for (name, component) in components {
                for named in componentPaths(component, types: types) where climbsAboveRoot(named.path, from: from) {
                    found.append((key: "\(name).\(named.key)", path: named.path))
                }
            }
        }
        return found
    }

    /// This study document with every relative path its components name moved from the folder
    /// `from` to the folder `to` (`movingPath`): a study file's document, read from `from`, with
    /// paths that read from `to`. Values that are not components (a study file's mistakes) are left
    /// for the reading of the study to refuse.
    public func movingStudyPaths(from: String, to: String) -> ParameterValue {
        var document = self
        for (key, types) in componentKinds {
            switch value(at: key) {
            case .list(let items)?: document = document.setting(.list(items.map { movingComponentPaths($0, types: types, from: from, to: to) }), at: key)
            case let component?: document = document.setting(movingComponentPaths(component, types: types, from: from, to: to), at: key)
            case nil: continue
            }
        }
        return document
    }
}

extension StudyConfig {
    /// This configuration with every relative path its components name moved from the folder `from`
    /// to the folder `to`: its document's (`movingStudyPaths`), taken back.
    public func movingPaths(from: String, to: String) -> StudyConfig {
        let moved = document.movingStudyPaths(from: from, to: to)
        func components(_ key: String) -> [ParameterValue] {
            if case .list(let items)? = moved.value(at: key) { items } else { [] }
        }
        var config = self
        config.data = moved.value(at: "data") ?? data
        (config.models, config.attacks, config.defenses) = (components("models"), components("attacks"), components("defenses"))
        return config
    }
}
