import ArgumentParser
import Foundation
import PoisoningAnalysis
import PoisoningReport
import StudyPipeline

/// `make-report compare A B`: two results files, point by point and fit by fit.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two results.json files point by point and fit by fit, with intervals and an agreement test.",
        discussion: """
            Each file may be a make-report results.json or the results.json of the published study's Python code \
            (it reads config.n_samples, n_classes, train_fraction, poison_fractions, hidden_widths, seeds and every \
            run's poison_fraction, hidden_width, seed and accuracies). Series and fractions that only one file has \
            are listed and left out. Prints a Markdown report; --output also writes the comparison as JSON.
            """)

    @Argument(help: "The first results file.")
    var first: String

    @Argument(help: "The second results file.")
    var second: String

    @Option(help: "Write the comparison as JSON to this file.")
    var output: String?

    @Option(help: "Confidence level of every interval, in [0.5, 0.999].")
    var confidence = 0.95

    func validate() throws {
        if !(0.5...0.999).contains(confidence) { throw ValidationError("--confidence: must lie in [0.5, 0.999]") }
        for path in [first, second] where !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("compare: cannot read '\(path)'")
        }
    }

    func run() throws {
        let studies = try [first, second].map { path in
            do {
                return try ComparableStudy(json: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch let error as ComparisonInputError {
                throw ValidationError("compare: '\(path)' is \(error.reason)")
            }
        }
        let comparison = compareStudies(studies[0], studies[1], confidence: confidence)
        guard !comparison.commonSeries.isEmpty, !comparison.commonFractions.isEmpty else {
            throw ValidationError("compare: the files have no series and fraction in common (\(listing(comparison.unmatched)))")
        }
        if let output {
            let folder = (output as NSString).deletingLastPathComponent
            try OutputFolder(path: folder.isEmpty ? "." : folder).write(try sortedJSON(comparison),
                                                                         to: (output as NSString).lastPathComponent)
        }
        print(comparisonMarkdown(comparison, firstName: first, secondName: second), terminator: "")
    }
}
