import ArgumentParser
import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningReport
import StudyPipeline

/// `make-report compare A B`: two results files (or output folders holding them), point by point and fit by fit.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two results.json files point by point and fit by fit, with intervals and an agreement test.",
        discussion: """
            Each file may be a make-report results.json or the results.json of the published study's Python code \
            (it reads config.n_samples, n_classes, train_fraction, poison_fractions, hidden_widths, seeds and every \
            run's poison_fraction, hidden_width, seed and accuracies). Series and fractions that only one file has \
            are listed and left out. The replication verdict pools test accuracy over the common points with the seed \
            as the unit (each seed's average over the points, Welch's interval between the studies' seed averages) \
            and tests equivalence within --margin by two one-sided tests (TOST). Prints a Markdown report; --output \
            also writes the comparison as JSON. Files whose data, training, attack or defense differ (as far as each \
            file says) are named in one warning line; files on a different data set or number of classes (so a \
            different chance accuracy) are refused (exit code 2) unless --allow-different-settings is given.
            """)

    @Argument(help: ArgumentHelp("The first results file, or an output folder holding one (its results.json).", valueName: "first"))
    var firstArgument: String

    @Argument(help: ArgumentHelp("The second results file, or an output folder holding one.", valueName: "second"))
    var secondArgument: String

    /// The first results file: `firstArgument`, or the results.json of the folder it names.
    var first: String { resultsFile(firstArgument) }
    /// The second results file, as `first`.
    var second: String { resultsFile(secondArgument) }

    @Option(help: "Write the comparison as JSON to this file (a new file, or a comparison make-report wrote before; never an input, a symbolic link or a file of your own).")
    var output: String?

    @Option(help: "Confidence level of every interval, in [0.5, 0.999] (default: 0.95).", transform: decimalOption)
    var confidence: Double = 0.95

    @Option(parsing: .unconditional, help: ArgumentHelp("Equivalence margin of the pooled shift of test accuracy: a fraction in [0.001, 0.5] such as 0.02, "
                                   + "or percentage points such as 2pp or 2%; shifts inside plus or minus the margin count as equivalent.",
                               valueName: "margin"), transform: parseMargin)
    var margin = AccuracyMargin(0.02)
    @Option(help: "Seed of the random streams of the fitted differences' bootstrap (each study draws its own rays); another seed checks that their intervals do not depend on it (default: 0).",
            transform: parseBootstrapSeed)
    var bootstrapSeed: UInt32 = 0

    @Flag(help: "Compare files on a different data set or number of classes (chance accuracy), which are refused otherwise: their accuracies are not replications of one another.")
    var allowDifferentSettings = false

    func validate() throws {
        for argument in [firstArgument, secondArgument] where resultsFile(argument) != argument
            && !FileManager.default.fileExists(atPath: resultsFile(argument)) {
            throw ValidationError("compare: \(quotedUserText(argument, keepingEnd: true)) is a folder without a results.json; "
                + "give a results.json, or the output folder make-report wrote it to")
        }
        if !(0.5...0.999).contains(confidence) { throw ValidationError("--confidence: must lie in [0.5, 0.999]") }
        if !AccuracyMargin.range.contains(margin.value) {
            // A negative one (read, "-2pp" included, since the option takes the next word whatever it is) is told why.
            let sign = margin.value < 0 ? "; a margin is a width (shifts within plus or minus it count as equivalent), so give it without a sign" : ""
            throw ValidationError("--margin: must lie in [0.001, 0.5] as a fraction, e.g. 0.02, or in [0.1pp, 50pp] in percentage points, e.g. 2pp" + sign)
        }
        if let output {
            try checkOutputFile(output)
            try checkReplaceable(output, inputs: [first, second])
        }
    }

    func run() throws {
        // Made before any thread is started, so that a signal is never lost (`InterruptionCleanup`);
        // while the comparison is written, an interruption removes what the write made first.
        let interruption = InterruptionCleanup()
        defer { withExtendedLifetime(interruption) {} }
        // Both files are read and checked before anything else (regular files only, never opened
        // when they are not), and refused when decoding them would not fit in memory. The studies'
        // data sets are never read: a results.json carries the sizes of its data.
        let inputs = try JSONInputs([first, second], command: "compare")
        let studies = try inputs.files.map { path, bytes in
            do {
                return try ComparableStudy(json: bytes)
            } catch let error as ComparisonInputError {
                throw ValidationError("compare: \(quotedUserText(path, keepingEnd: true)) is \(error.reason)")
            }
        }
        let settings = (studies[0].settings, studies[1].settings)
        if !allowDifferentSettings, let reason = differentExperimentReason(settings.0, settings.1) {
            throw ValidationError("compare: \(reason); give --allow-different-settings to compare them anyway")
        }
        let differences = settingDifferences(settings.0, settings.1)
        if !differences.isEmpty {
            printError("Warning: the files differ in " + differences.joined(separator: "; ")
                + ", so a difference between them may come from these settings, not from chance")
        }
        let comparison = compareStudies(studies[0], studies[1], confidence: confidence, margin: margin.value,
                                        bootstrapSeed: UInt64(bootstrapSeed))
        guard !comparison.commonSeries.isEmpty, !comparison.commonFractions.isEmpty else {
            throw ValidationError("compare: the files have no series and fraction in common "
                + "(\(abbreviatedList(comparison.unmatched, total: comparison.unmatched.count)))")
        }
        if let output {
            // Checked again just before the write: a file of the user's may have appeared meanwhile.
            try checkReplaceable(output, inputs: [first, second])
            // An interruption while it is written removes its temporary file and the folders made for it.
            try interruption.write(try sortedJSON(comparison), toFile: output)
        }
        print(comparisonMarkdown(comparison, firstName: first, secondName: second), terminator: "")
    }
}

/// An accuracy margin written as a fraction ("0.02") or in percentage points ("2pp", "2 pp").
struct AccuracyMargin: ExpressibleByArgument, CustomStringConvertible, Sendable {
    /// The margin as a fraction of accuracy.
    let value: Double

    /// The margins accepted: 0.1 to 50 percentage points (a narrower one is below any test set's
    /// resolution, a wider one equates any two studies).
    static let range = 0.001...0.5

    /// A margin of `value`, a fraction of accuracy.
    init(_ value: Double) { self.value = value }

    /// Parses "0.02" as a fraction and "2pp", "2 pp" or "2%" as percentage points
    /// (`accuracyDifference`); nil for anything else.
    init?(argument: String) {
        guard let parsed = accuracyDifference(argument) else { return nil }
        value = parsed
    }

    /// The default as `--help` shows it, in percentage points ("2pp").
    var defaultValueDescription: String { String(format: "%gpp", value * 100) }

    /// The margin in percentage points ("2pp"), as `defaultValueDescription`.
    var description: String { defaultValueDescription }
}

/// `--margin`'s value (`AccuracyMargin(argument:)`), or an error that says which forms it takes.
func parseMargin(_ text: String) throws -> AccuracyMargin {
    guard let margin = AccuracyMargin(argument: text) else {
        throw ValidationError("give a fraction such as 0.02, or percentage points such as 2pp or 2% (each the same margin)")
    }
    return margin
}

/// Refuses an `--output` that is no path of a file: empty, or an existing folder, device or FIFO
/// (a comparison replaces only a regular file).
private func checkOutputFile(_ path: String) throws {
    guard !path.isEmpty else { throw ValidationError("--output: the path is empty; give the file to write the comparison to") }
    var status = stat()
    if path.hasSuffix("/") || (stat(path, &status) == 0 && status.st_mode & S_IFMT != S_IFREG) {
        throw ValidationError("--output: \(quotedUserText(path, keepingEnd: true)) is not a regular file; give the file to write the comparison to")
    }
}

/// Refuses an existing `--output` that the comparison must not replace: one of the `inputs` (the same
/// file, by device and inode, whatever the names), or any file but a comparison make-report wrote
/// (`OutputOwnership.replacedFileProblem`: a regular file that decodes as the comparison JSON this
/// command writes, in this version or one before the pooled shifts), so never a file of the user's.
private func checkReplaceable(_ path: String, inputs: [String]) throws {
    var target = stat()
    if stat(path, &target) == 0 {
        for input in inputs {
            var status = stat()
            if stat(input, &status) == 0 && status.st_dev == target.st_dev && status.st_ino == target.st_ino {
                throw ValidationError("--output: \(quotedUserText(path, keepingEnd: true)) is the input \(quotedUserText(input, keepingEnd: true)); give a new file name")
            }
        }
    }
    if let problem = OutputOwnership.replacedFileProblem(at: path, described: "a comparison make-report wrote", advice: "give a new file name",
                                                         isOwn: { (try? JSONDecoder().decode(ComparisonCommonFields.self, from: $0)) != nil }) {
        throw ValidationError("--output: \(problem)")
    }
}

/// The fields every comparison `compare` has written holds, in this version and those before the
/// pooled shifts, margin and multiplicity were added.
private struct ComparisonCommonFields: Decodable {
    let confidence: Double
    let formats: [String]
    let commonSeries: [String]
    let commonFractions: [Double]
    let unmatched: [String]
    let points: [PointComparison]
    let fits: [CommonFitFields]

    /// The fields every fit of a comparison has held.
    struct CommonFitFields: Decodable {
        let series: String
        let quantity: String
        let first: Estimate
        let second: Estimate
        let difference: Estimate
    }
}

/// The results file a `compare` argument names: the argument itself, or, when it is a folder, the
/// results.json inside it (where `run` writes it).
func resultsFile(_ argument: String) -> String {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder), isFolder.boolValue else { return argument }
    return argument.hasSuffix("/") ? argument + "results.json" : argument + "/results.json"
}
