import Plotting
import ReportTemplates

/// Markdown (`report.md`): figures linked as PNG (else SVG, else the first format written).
struct MarkdownFormat: ReportFormatDefinition {
    let fileExtension = "md"
    let shippedTemplate = ShippedTemplate.markdown
    let figurePlacement = FigurePlacement.linked(preferring: [.png, .svg])

    /// `\` and `|` (table cells) escaped with a backslash, and `&` and `<` as character references, so
    /// that a string can never be raw HTML (which Markdown renderers such as pandoc pass through) or
    /// an entity; `>` cannot open a tag and stays as written, so that bounds read "> 50.0%" in the file.
    /// Text with none of the four is returned as it is, without a copy.
    func escape(_ text: String) -> String {
        guard text.utf8.contains(where: Self.specials.contains) else { return text }
        return text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
    }

    /// Unchanged: the command goes into a code block fenced by `codeFence(for:)`, which it cannot close.
    func escapeVerbatim(_ text: String) -> String { text }

    /// The bytes `escape` replaces: `& < \ |`.
    private static let specials: Set<UInt8> = Set("&<\\|".utf8)
}
