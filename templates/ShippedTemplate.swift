import Foundation

/// The report templates shipped in `templates/`, copied into the build as resources.
public enum ShippedTemplate: String, CaseIterable, Sendable {
    /// `report.md.mustache`: the default Markdown report.
    case markdown = "report.md.mustache"
    /// `report.tex.mustache`: a complete LaTeX article.
    case latex = "report.tex.mustache"

    /// The template's text, read from the build's resources.
    public func text() throws -> String {
        guard let url = Bundle.module.url(forResource: rawValue, withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: rawValue])
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
