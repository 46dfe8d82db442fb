import Plotting

/// HTML (`report.html`): one self-contained page, its figures embedded as data URIs (SVG when it
/// was written, else PNG), so it needs neither the figures folder nor the network.
struct HTMLFormat: ReportFormatDefinition {
    let fileExtension = "html"
    let shippedTemplate = ShippedTemplate("report.html.mustache", PackageResources.report_html_mustache)
    let figurePlacement = FigurePlacement.embedded(preferring: [.svg, .png])

    /// `& < > " '` as character references, so that a string is text in an element and in a quoted
    /// attribute alike, and can never open a tag, end an attribute or a `<style>` or `<script>` block.
    /// Works on UTF-8 bytes (the five are ASCII, which no multi-byte sequence contains), so that a
    /// figure's data URI of some hundred kilobytes costs a scan.
    func escape(_ text: String) -> String {
        var text = text
        guard text.withUTF8({ $0.contains(where: Self.needsReference) }) else { return text }
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.utf8.count + 64)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): bytes += "&amp;".utf8
            case UInt8(ascii: "<"): bytes += "&lt;".utf8
            case UInt8(ascii: ">"): bytes += "&gt;".utf8
            case UInt8(ascii: "\""): bytes += "&quot;".utf8
            case UInt8(ascii: "'"): bytes += "&#39;".utf8
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `byte` is one of `& < > " '`: compared by value, so that the scan of a data URI loads
    /// nothing but its bytes.
    private static func needsReference(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\"")
            || byte == UInt8(ascii: "'")
    }

    /// Escaped as any text: HTML reads no value verbatim.
    func escapeVerbatim(_ text: String) -> String { escape(text) }
}
