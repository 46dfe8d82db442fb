import ArgumentParser
import Plotting
import PoisoningEngine
import PoisoningReport

/// An option value written as a comma-separated list, e.g. `--widths 32,64,128`; `--help` lists
/// the element's choices when it has a fixed set.
struct CommaList<Element: ExpressibleByArgument & Sendable>: ExpressibleByArgument, Sendable {
    /// The values in the order given.
    var values: [Element]

    init(_ values: [Element]) { self.values = values }

    /// Parses "a,b,c"; nil (an argument error naming the option) when any item does not parse.
    init?(argument: String) {
        let items = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if items == [""] {
            values = []
            return
        }
        var parsed = [Element]()
        for item in items {
            guard let value = Element(argument: item) else { return nil }
            parsed.append(value)
        }
        values = parsed
    }

    var defaultValueDescription: String { values.map(\.defaultValueDescription).joined(separator: ",") }

    static var allValueStrings: [String] { Element.allValueStrings }
}

/// The components a kind option chooses among.
protocol ComponentRole: Sendable {
    /// The registered kinds.
    static var kinds: [String] { get }
}

/// Attacks (`Registry.attacks`).
enum AttackRole: ComponentRole {
    static var kinds: [String] { Registry.attacks.map { $0.kind } }
}

/// Defenses (`Registry.defenses`).
enum DefenseRole: ComponentRole {
    static var kinds: [String] { Registry.defenses.map { $0.kind } }
}

/// Measurements (`Registry.measurements`).
enum MeasurementRole: ComponentRole {
    static var kinds: [String] { Registry.measurements.map { $0.kind } }
}

/// A registered component kind on the command line; `--help` lists the kinds of the registry.
struct ComponentKind<Role: ComponentRole>: ExpressibleByArgument, Sendable {
    /// The kind, e.g. "class-flip".
    let kind: String

    init?(argument: String) {
        guard Role.kinds.contains(argument) else { return nil }
        kind = argument
    }

    var defaultValueDescription: String { kind }

    static var allValueStrings: [String] { Role.kinds }
}

extension ImageFormat: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}
