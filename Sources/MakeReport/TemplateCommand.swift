import ArgumentParser
import PoisoningReport
import StudyPipeline

/// `make-report template [--print FORMAT]`: prints a registered format's shipped template (the Markdown
/// one unless told) to start an override from. Bare, it prints, as bare `make-report study` does.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Print a shipped report template, to start your own from (see Sources/PoisoningReport/templates/README.md for its variables).",
        discussion: "Without --print, prints the Markdown template (report.md's). Save it as NAME.md.mustache, edit it and give it "
            + "to `make-report run --template NAME.md.mustache`.")

    @Option(name: .customLong("print"), help: "The template to print.")
    var format: ReportFormat = .markdown

    func run() throws {
        print(ReportTemplate.shipped(format).text, terminator: "")
    }
}
