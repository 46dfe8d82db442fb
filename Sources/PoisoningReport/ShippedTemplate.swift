import Foundation

/// A report template shipped in `Sources/PoisoningReport/templates/`, embedded in the binary when it is
/// built (Package.swift embeds every `*.mustache` file of that folder). Each registered report format
/// names its own (`ReportFormatDefinition.shippedTemplate`), from the bytes SwiftPM generates for it.
public struct ShippedTemplate: Sendable, Hashable {
    /// Its file name in `Sources/PoisoningReport/templates/`, e.g. "report.md.mustache".
    public let fileName: String
    /// The template's text, as embedded at build time.
    public let text: String

    /// The template `fileName`, from its embedded bytes (`PackageResources.report_EXT_mustache`).
    init(_ fileName: String, _ bytes: [UInt8]) {
        self.fileName = fileName
        text = String(decoding: bytes, as: UTF8.self)
    }

    /// Every shipped template: each registered format's, in registration order (a test checks that
    /// they are the folder's files, every one of them).
    public static var allCases: [ShippedTemplate] { registeredReportFormats.map(\.shippedTemplate) }

    /// The shipped template named `fileName`; nil when there is none.
    public init?(fileName: String) {
        guard let template = Self.allCases.first(where: { $0.fileName == fileName }) else { return nil }
        self = template
    }
}
