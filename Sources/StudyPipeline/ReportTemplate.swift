import Foundation
import PoisoningEngine
import PoisoningReport

/// A report template to render: its file name (for messages), its text and the format it writes.
public struct ReportTemplate: Sendable {
    /// The template's file name, as messages name it.
    public let name: String
    /// The Mustache text.
    public let text: String
    /// The report's format; the report is written as `report.<format>`.
    public let format: ReportFormat

    /// A template with the given text.
    public init(name: String, text: String, format: ReportFormat) {
        self.name = name
        self.text = text
        self.format = format
    }

    /// The shipped template of every registered format, in registration order.
    public static func shipped() -> [ReportTemplate] {
        ReportFormat.allCases.map(shipped)
    }

    /// The shipped template of `format` (its definition's `shippedTemplate`).
    public static func shipped(_ format: ReportFormat) -> ReportTemplate {
        let template = format.definition.shippedTemplate
        return ReportTemplate(name: template.fileName, text: template.text, format: format)
    }

    /// The template in the file at `path`, writing `format`, or the format its extension implies
    /// (a registered format's extension, optionally followed by .mustache).
    public init(path: String, format: ReportFormat?) throws {
        guard let format = format ?? ReportFormat(fileName: path) else {
            throw ReportTemplateError("cannot tell the format of \(quotedUserText(path, keepingEnd: true)) (expected \(ReportFormat.allCases.map { "." + $0.rawValue }.joined(separator: ", ")), optionally followed by .mustache); give --format")
        }
        self.init(name: (path as NSString).lastPathComponent, text: try readTemplateFile(path), format: format)
    }
}

/// The largest template file read, in bytes.
public let maximumTemplateBytes = 4 << 20

/// The text of the template file at `path`, read by `readUserFile` (a regular file, never a folder,
/// a FIFO that would block or a device, of at most `maximumTemplateBytes`), which must be UTF-8 text
/// without NUL bytes.
func readTemplateFile(_ path: String) throws -> String {
    let data: Data
    do {
        data = try readUserFile(path, maximumBytes: maximumTemplateBytes)
    } catch {
        throw ReportTemplateError("\(error)")
    }
    guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
        throw ReportTemplateError("\(quotedUserText(path, keepingEnd: true)) is not UTF-8 text")
    }
    return text
}

/// A template file that cannot be used, in one sentence.
public struct ReportTemplateError: Error, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}
