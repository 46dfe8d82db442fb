import Foundation

/// A report template shipped in `templates/`, embedded in the binary when it is built. A registered
/// report format finds its own by file name, `report.EXT.mustache` (`ReportFormatDefinition.shippedTemplate`).
public struct ShippedTemplate: Sendable, Hashable {
    /// Its file name in `templates/`, e.g. "report.md.mustache".
    public let fileName: String
    /// The template's text, as embedded at build time.
    public let text: String

    /// The template named `fileName` of `bytes`: the entries of `allCases`, which the ShippedTemplateList
    /// plugin writes at build time, one per `*.mustache` file of `templates/`, with the bytes SwiftPM
    /// embeds for it (its `PackageResources`, internal to this target, cannot be enumerated): a new
    /// template needs no line anywhere (a test checks that the list and the folder agree).
    init(_ fileName: String, _ bytes: [UInt8]) {
        self.fileName = fileName
        text = String(decoding: bytes, as: UTF8.self)
    }

    /// The shipped template named `fileName`; nil when there is none.
    public init?(fileName: String) {
        guard let template = Self.allCases.first(where: { $0.fileName == fileName }) else { return nil }
        self = template
    }
}
