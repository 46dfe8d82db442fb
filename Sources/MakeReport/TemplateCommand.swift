import ArgumentParser
import PoisoningReport
import ReportTemplates

/// `make-report template --print md|tex`: prints a shipped template to start an override from.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Print a shipped report template, to start your own from (see templates/README.md for its variables).")

    @Option(name: .customLong("print"), help: "The template to print: md or tex.")
    var format: String

    func validate() throws {
        if ReportFormat(rawValue: format) == nil { throw ValidationError("--print: expected md or tex") }
    }

    func run() throws {
        let shipped = ShippedTemplate.allCases.first { ReportFormat(fileName: $0.rawValue)?.rawValue == format }!
        print(try shipped.text(), terminator: "")
    }
}
