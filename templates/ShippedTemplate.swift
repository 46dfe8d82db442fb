import Foundation

/// The report templates shipped in `templates/`, embedded in the binary when it is built.
public enum ShippedTemplate: String, CaseIterable, Sendable {
    /// `report.md.mustache`: the default Markdown report.
    case markdown = "report.md.mustache"
    /// `report.tex.mustache`: a complete LaTeX article.
    case latex = "report.tex.mustache"
    /// `report.html.mustache`: one self-contained HTML page.
    case html = "report.html.mustache"

    /// The template's text, as embedded at build time.
    public var text: String {
        let bytes = switch self {
        case .markdown: PackageResources.report_md_mustache
        case .latex: PackageResources.report_tex_mustache
        case .html: PackageResources.report_html_mustache
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
