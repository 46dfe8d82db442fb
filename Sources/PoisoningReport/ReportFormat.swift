import Foundation
import Plotting

/// One output language of the report. Adding a format is one file with a type conforming to this
/// protocol, its line in `registeredReportFormats`, and its shipped template
/// `Sources/PoisoningReport/templates/report.EXT.mustache` (embedded by the build; the format names its
/// bytes, and `ShippedTemplate.allCases` follows the registry).
public protocol ReportFormatDefinition: Sendable {
    /// The file extension of its reports and templates, and its `--format` value, e.g. "md".
    var fileExtension: String { get }
    /// Its shipped template: what `run` writes without `--template`, and `template --print` prints:
    /// `report.EXT.mustache` of `Sources/PoisoningReport/templates/`, from its embedded bytes
    /// (`ShippedTemplate("report.EXT.mustache", PackageResources.report_EXT_mustache)`).
    var shippedTemplate: ShippedTemplate { get }
    /// How its reports show a figure.
    var figurePlacement: FigurePlacement { get }
    /// `text` made safe for the format: every string of the report that the tool or the user wrote.
    func escape(_ text: String) -> String
    /// `text` that the templates place verbatim (the command in a code block, figure paths, numbers the
    /// tool formats from `[0-9a-z./:%+-]`) made safe for the format: unchanged where the format reads
    /// them as written (Markdown code, LaTeX file names), escaped where it does not (HTML).
    func escapeVerbatim(_ text: String) -> String
    /// `text` in a table's cell (a row's texts, e.g. a threshold "> 20.0% [12.6% or more]") made safe
    /// for the format: by default as `escape`; Markdown leaves the leading `>` of a bound as written,
    /// as no block can start in a cell.
    func escapeCell(_ text: String) -> String
}

extension ReportFormatDefinition {
    /// As `escape(text)`: a cell needs no more than any other text.
    public func escapeCell(_ text: String) -> String { escape(text) }
}

/// How a report shows a figure.
public enum FigurePlacement: Sendable, Equatable {
    /// By its file's path relative to the report, in the first of these formats that was written
    /// (else the first format written).
    case linked(preferring: [ImageFormat])
    /// Embedded as a data URI, in the first of these formats that was written (else made for the
    /// report alone in the first of them), so that the report is one self-contained file.
    case embedded(preferring: [ImageFormat])
}

/// Every report format, in the order their reports are written. One line per format.
let registeredReportFormats: [any ReportFormatDefinition] = [
    MarkdownFormat(),
    LaTeXFormat(),
    HTMLFormat(),
]

/// An output language of a report, as the command line names it (`md`, `tex`, `html`): one of
/// `registeredReportFormats`. Every string the tool puts into a template's context is escaped for
/// the report's format, so data can never break the document.
public struct ReportFormat: RawRepresentable, Hashable, Sendable, CaseIterable {
    /// The format's file extension, e.g. "md".
    public let rawValue: String
    /// The format's definition.
    public let definition: any ReportFormatDefinition

    /// The registered format with file extension `rawValue`; nil when there is none.
    public init?(rawValue: String) {
        guard let definition = registeredReportFormats.first(where: { $0.fileExtension == rawValue }) else { return nil }
        self.rawValue = rawValue
        self.definition = definition
    }

    /// Every registered format, in registration order.
    public static var allCases: [ReportFormat] { registeredReportFormats.map { ReportFormat(rawValue: $0.fileExtension)! } }

    /// Markdown (`.md`).
    public static let markdown = ReportFormat(rawValue: "md")!
    /// LaTeX (`.tex`).
    public static let latex = ReportFormat(rawValue: "tex")!

    /// The format a template or report file name implies: "x.md" or "x.md.mustache" is Markdown, and
    /// so on for every registered extension; nil otherwise.
    public init?(fileName: String) {
        let name = fileName.hasSuffix(".mustache") ? String(fileName.dropLast(".mustache".count)) : fileName
        guard let format = Self.allCases.first(where: { name.hasSuffix("." + $0.rawValue) }) else { return nil }
        self = format
    }

    /// `text` made safe for the format (`ReportFormatDefinition.escape`).
    public func escape(_ text: String) -> String { definition.escape(text) }

    /// The report's file name, e.g. "report.md".
    public var reportFileName: String { "report.\(rawValue)" }

    public static func == (lhs: ReportFormat, rhs: ReportFormat) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}

/// `data`, an image in `format`, as a data URI for an `<img src>`.
public func dataURI(_ data: Data, format: ImageFormat) -> String {
    let type = switch format {
    case .png: "image/png"
    case .svg: "image/svg+xml"
    case .pdf: "application/pdf"
    }
    return "data:\(type);base64,\(data.base64EncodedString())"
}
