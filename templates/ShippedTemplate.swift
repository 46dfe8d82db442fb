import Foundation

/// A report template shipped in `templates/`, embedded in the binary when it is built. A registered
/// report format finds its own by file name, `report.EXT.mustache` (`ReportFormatDefinition.shippedTemplate`).
public struct ShippedTemplate: Sendable, Hashable {
    /// Its file name in `templates/`, e.g. "report.md.mustache".
    public let fileName: String
    /// The template's text, as embedded at build time.
    public let text: String

    private init(_ fileName: String, _ bytes: [UInt8]) {
        self.fileName = fileName
        text = String(decoding: bytes, as: UTF8.self)
    }

    /// Every template of `templates/`, one line each: the one line a new template needs beside its
    /// file. Package.swift embeds every `*.mustache` file of the folder, but the `PackageResources`
    /// SwiftPM generates from them is internal to this target and cannot be enumerated, so each
    /// file's bytes are named here (a test checks that the list and the folder agree).
    public static let allCases: [ShippedTemplate] = [
        ShippedTemplate("report.md.mustache", PackageResources.report_md_mustache),
        ShippedTemplate("report.tex.mustache", PackageResources.report_tex_mustache),
        ShippedTemplate("report.html.mustache", PackageResources.report_html_mustache),
    ]

    /// The shipped template named `fileName`; nil when there is none.
    public init?(fileName: String) {
        guard let template = Self.allCases.first(where: { $0.fileName == fileName }) else { return nil }
        self = template
    }
}
