import Plotting
import ReportTemplates

/// HTML (`report.html`): one self-contained page, its figures embedded as data URIs (SVG when it
/// was written, else PNG), so it needs neither the figures folder nor the network.
struct HTMLFormat: ReportFormatDefinition {
    let fileExtension = "html"
    let shippedTemplate = ShippedTemplate.html
    let figurePlacement = FigurePlacement.embedded(preferring: [.svg, .png])

    /// `& < > " '` as character references, so that a string is text in an element and in a quoted
    /// attribute alike, and can never open a tag, end an attribute or a `<style>` or `<script>` block.
    func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Escaped as any text: HTML reads no value verbatim.
    func escapeVerbatim(_ text: String) -> String { escape(text) }
}
