import ArgumentParser
import PoisoningEngine
import StudyFile

/// `make-report study --print`: prints the reference study as a commented study file to edit.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Print the reference study as a commented YAML study file, to start your own from.",
        discussion: """
            Every key is shown with its default and a comment. The kinds a study can name: data \
            \(Registry.datasets.map { $0.kind }.joined(separator: ", ")); models \(Registry.models.map { $0.kind }.joined(separator: ", ")); \
            attacks \(Registry.attacks.map { $0.kind }.joined(separator: ", ")); defenses \
            \(Registry.defenses.map { $0.kind }.joined(separator: ", ")). Run a file with `make-report run --study FILE`.
            """)

    @Flag(name: .customLong("print"), help: "Print the reference study file to standard output.")
    var printStudy = false

    func validate() throws {
        if !printStudy { throw ValidationError("study: give --print") }
    }

    func run() throws {
        let header = ["A make-report study: models x attacks x defenses x fractions x seeds on one data set.",
                      "This is the reference study; every key may be left out to keep its default.",
                      "Run it with: make-report run --study FILE"]
        print(studyFileText(try Study(StudyConfig.reference), header: header), terminator: "")
    }
}
