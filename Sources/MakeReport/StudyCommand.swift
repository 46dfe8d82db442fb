import ArgumentParser
import PoisoningEngine
import StudyFile

/// `make-report study`: prints the reference study as a commented study file to edit, with a CSV
/// data block and a make-classification one as commented alternatives to its synthetic data.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Print the reference study as a commented YAML study file, to start your own from.",
        discussion: """
            Every key is shown with its default and a comment; below the data block, a CSV data block \
            (your own data) and a make-classification one (scikit-learn's synthetic data) are shown commented out. The kinds a study can name: data \
            \(Registry.datasets.map { $0.kind }.joined(separator: ", ")); models \(Registry.models.map { $0.kind }.joined(separator: ", ")); \
            attacks \(Registry.attacks.map { $0.kind }.joined(separator: ", ")); defenses \
            \(Registry.defenses.map { $0.kind }.joined(separator: ", ")); targets (a top-level `targets:` list that \
            gradient-canceling names by label) \(Registry.targets.map { $0.kind }.joined(separator: ", ")); measurements (a top-level \
            `measure:` list, none by default) \(Registry.measurements.map { $0.kind }.joined(separator: ", ")). Save it, edit it and run it with \
            `make-report run --study FILE`; paths in it are relative to its folder.
            """)

    @Flag(name: .customLong("print"), help: "Print the study file to standard output (what `make-report study` does without it).")
    var printStudy = false

    func run() throws {
        let header = ["A make-report study: models x attacks x defenses x fractions x seeds on one data set.",
                      "This is the reference study; every key may be left out to keep its default.",
                      "Run it with: make-report run --study FILE"]
        print(try referenceStudyText(header: header), terminator: "")
    }
}

/// The reference study as a commented study file headed by `header`, with a CSV data block
/// (`csvDataExample`) and a make-classification one (`madeClassificationExample`), every key with its
/// default and help, commented out after its data block, and at the end a commented top-level
/// `measure:` list of every measurement.
func referenceStudyText(header: [String]) throws -> String {
    let reference = try Study(StudyConfig.reference)
    // The CSV data set's design is read without its file, which need not exist.
    let csv = try StudyDesign(document: StudyConfig.reference.document.setting(csvDataExample, at: "data"))
    let csvData = CommentedAlternative(key: "data", value: csv.config.document.value(at: "data") ?? csvDataExample, help: csv.help, comment: [
        "Or your own data, a CSV file: replace the data block above with this one, without the leading '# '.",
        "\(CSVDataset.summary) The path is relative to this file's folder.",
    ])
    // make-classification's block: every key with its default and help.
    let made = try StudyDesign(document: StudyConfig.reference.document.setting(madeClassificationExample, at: "data"))
    let madeData = CommentedAlternative(key: "data", value: made.config.document.value(at: "data") ?? madeClassificationExample,
                                        help: made.help, comment: [
        "Or synthetic data as scikit-learn's make_classification makes them: replace the data block above with this one, "
            + "without the leading '# '.",
        MadeClassification.summary,
    ])
    // The top-level measure: list, absent from the reference study (it measures nothing beyond its metrics).
    let measure = CommentedAlternative(key: "measure", value: .list(Registry.measurements.map { .string($0.kind) }), help: reference.help,
                                       comment: ["Measurements every run records beyond its metrics, none by default: to record them, add a "
                                           + "top-level measure list like this one, without the leading '# '."])
    return studyFileText(reference.config, help: reference.help, header: header, alternatives: [csvData, madeData, measure])
}

/// The make-classification data block that `make-report study` shows, every key at its default.
let madeClassificationExample = ParameterValue.mapping([ParameterEntry(key: "kind", value: .string(MadeClassification.kind))])

/// The CSV data block that `make-report study` shows: a file beside the study file and its label column.
let csvDataExample = ParameterValue.mapping([
    ParameterEntry(key: "kind", value: .string(CSVDataset.kind)),
    ParameterEntry(key: "path", value: .string("my-data.csv")),
    ParameterEntry(key: "label-column", value: .string("label")),
])
