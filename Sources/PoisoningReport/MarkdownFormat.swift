import Plotting
import ReportTemplates

/// Markdown (`report.md`): figures linked as PNG (else SVG, else the first format written).
struct MarkdownFormat: ReportFormatDefinition {
    let fileExtension = "md"
    let shippedTemplate = ShippedTemplate.markdown
    let figurePlacement = FigurePlacement.linked(preferring: [.png, .svg])

    /// `|` (table cells) and `\` escaped.
    func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
    }

    /// Unchanged: the command goes into a code block fenced by `codeFence(for:)`, which it cannot close.
    func escapeVerbatim(_ text: String) -> String { text }
}
