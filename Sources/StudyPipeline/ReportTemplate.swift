import Foundation
import PoisoningReport
import ReportTemplates

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

    /// The templates shipped in `templates/`: the Markdown report and the LaTeX article.
    public static func shipped() throws -> [ReportTemplate] {
        try ShippedTemplate.allCases.map { shipped in
            ReportTemplate(name: shipped.rawValue, text: try shipped.text(), format: ReportFormat(fileName: shipped.rawValue)!)
        }
    }

    /// The template in the file at `path`, writing `format`, or the format its extension implies
    /// (.md or .tex, optionally followed by .mustache).
    public init(path: String, format: ReportFormat?) throws {
        guard let format = format ?? ReportFormat(fileName: path) else {
            throw ReportTemplateError("cannot tell the format of '\(path)' (expected .md or .tex, optionally followed by .mustache)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ReportTemplateError("cannot read '\(path)' as UTF-8 text")
        }
        self.init(name: (path as NSString).lastPathComponent, text: text, format: format)
    }
}

/// A template file that cannot be used, in one sentence.
public struct ReportTemplateError: Error, CustomStringConvertible {
    /// What is wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}
