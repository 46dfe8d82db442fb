import ArgumentParser
import PoisoningReport
import StudyPipeline

/// `make-report template --print FORMAT`: prints a registered format's shipped template to start an override from.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Print a shipped report template, to start your own from (see Sources/PoisoningReport/templates/README.md for its variables).")

    @Option(name: .customLong("print"), help: "The template to print.")
    var format: ReportFormat

    func run() throws {
        print(ReportTemplate.shipped(format).text, terminator: "")
    }
}
