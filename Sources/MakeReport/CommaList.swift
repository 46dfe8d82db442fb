import ArgumentParser

/// An option value written as a comma-separated list, e.g. `--widths 32,64,128`.
struct CommaList<Element: LosslessStringConvertible & Sendable>: ExpressibleByArgument, Sendable {
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
            guard let value = Element(item) else { return nil }
            parsed.append(value)
        }
        values = parsed
    }

    var defaultValueDescription: String { values.map(\.description).joined(separator: ",") }
}
