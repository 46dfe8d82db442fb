import Foundation
import Testing
import PoisoningAnalysis
@testable import MakeReport

/// The `make-report` executable, run as a user runs it.
struct CommandLineTests {
    struct Outcome {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// The built `make-report`, beside this test bundle in the build products folder.
    static let executable: URL = {
        var folder = Bundle(for: BundleMarker.self).bundleURL
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("make-report").path),
              folder.pathComponents.count > 1 {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("make-report")
    }()

    /// Runs `executable` (the built make-report unless given) with `arguments` to its end, in
    /// `directory` when given.
    func run(_ arguments: [String], executable: URL = Self.executable, in directory: URL? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
                       standardError: String(decoding: errorData, as: UTF8.self))
    }

    /// A new empty folder `output` inside a new folder of its own under the temporary directory.
    func temporaryFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("make-report-test-\(UUID().uuidString)/output")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static let smallSweep = ["--widths", "8,16", "--fractions", "0,0.2,0.4,0.6", "--seeds", "1,2", "--epochs", "40"]

    @Test(arguments: [
        (["--fractions", "0,1.5"], "--fractions"),
        (["--fractions", ""], "--fractions"),
        (["--widths", "32,0"], "--widths"),
        (["--widths", "32,abc"], "--widths"),
        (["--epochs", "0"], "--epochs"),
        (["--batch-size", "0"], "--batch-size"),
        (["--classes", "1"], "--classes"),
        (["--lr", "-1"], "--lr"),
        (["--train-fraction", "1"], "--train-fraction"),
        (["--threads", "0"], "--threads"),
        (["--output", "/proc/make-report-cannot-write-here"], "--output"),
        (["--no-such-option"], "--no-such-option"),
        (["--measure", "curvature"], "--measure"),
    ])
    func badOptionsFailWithOneLineNamingTheOption(arguments: [String], option: String) throws {
        let folder = temporaryFolder()
        let outcome = try run(arguments + (arguments.first == "--output" ? [] : ["--output", folder.path]))
        #expect(outcome.status == 2)
        let lines = outcome.standardError.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(outcome.standardError)")
        #expect(outcome.standardError.contains(option), "stderr: \(outcome.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("results.json").path))
    }

    /// Issue 19: options read their numbers with Swift's `Double()`, so `0x1p-1`, `inf` and `nan`
    /// were accepted. Only decimal notation is, as in a study file; anything else is refused in one
    /// line naming the option and the value (exit 2), before anything is created.
    @Test(arguments: [
        (["--fractions", "0,0x1p-1"], "--fractions", "0x1p-1"),
        (["--fractions", "0,nan"], "--fractions", "nan"),
        (["--lr", "inf"], "--lr", "inf"),
        (["--lr", "-inf"], "--lr", "-inf"),
        (["--lr", "1e999"], "--lr", "1e999"),
        (["--lr", "0x1p-4"], "--lr", "0x1p-4"),
        (["--cluster-std", "nan"], "--cluster-std", "nan"),
        (["--center-scale", "1e"], "--center-scale", "1e"),
        (["--train-fraction", "0x1p-1"], "--train-fraction", "0x1p-1"),
        (["--confidence", "infinity"], "--confidence", "infinity"),
        (["--dpi", "0x96"], "--dpi", "0x96"),
        (["compare", "a.json", "b.json", "--confidence", "nan"], "--confidence", "nan"),
        (["compare", "a.json", "b.json", "--margin", "0x1p-6"], "--margin", "0x1p-6"),
        (["compare", "a.json", "b.json", "--margin", "infpp"], "--margin", "infpp"),
    ])
    func numbersThatAreNotDecimalAreRefused(arguments: [String], option: String, value: String) throws {
        let folder = temporaryFolder()
        let outcome = try run(arguments + (arguments.first == "compare" ? [] : ["--output", folder.path]), in: folder)
        #expect(outcome.status == 2)
        #expect(outcome.standardError.split(separator: "\n").count == 1, "stderr: \(outcome.standardError)")
        #expect(outcome.standardError.contains(option) && outcome.standardError.contains("'\(value)'"), "stderr: \(outcome.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// `--measure input-curvature` records the curvature metrics, and the report's command repeats
    /// the option; asked of a model without input Hessians it is refused in one line naming it.
    @Test func theMeasureOptionAddsTheCurvatureMetricsOrIsRefused() throws {
        let folder = temporaryFolder()
        let outcome = try run(["--widths", "4", "--attacks", "backdoor", "--fractions", "0,0.1", "--seeds", "1", "--epochs", "2",
                               "--measure", "input-curvature", "--no-store", "--quiet", "--output", folder.path])
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        let results = try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: folder.appendingPathComponent("results.json")))
        #expect(results.config.measure == ["input-curvature"] && results.runs.allSatisfy { $0.metrics?["inputCurvatureTopClean"] != nil })
        let markdown = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("--measure input-curvature"))
        let study = folder.appendingPathComponent("svm.yaml")
        try "models:\n  - kind: linear-svm\n".write(to: study, atomically: true, encoding: .utf8)
        let refused = try run(["--study", study.path, "--measure", "input-curvature", "--output", folder.appendingPathComponent("svm").path])
        #expect(refused.status == 2 && refused.standardError
            == "make-report: error: --measure: input-curvature needs a model with input Hessian-vector products; linear-svm has none\n",
                "stderr: \(refused.standardError)")
        // An empty --measure, and a study's empty or scalar measure:, are refused in one line, exit 2, nothing written.
        let empty = try run(["--measure", "", "--output", folder.appendingPathComponent("empty").path])
        #expect(empty.status == 2 && empty.standardError
            == "make-report: error: --measure: an empty list measures nothing; leave the key out, or name measurements among input-curvature\n",
                "stderr: \(empty.standardError)")
        for (text, message) in [("measure: []\n", "an empty list measures nothing; leave the key out, or name measurements among input-curvature"),
                                ("measure: input-curvature\n", "expected a list of measurements, e.g. [input-curvature], not input-curvature")] {
            let file = folder.appendingPathComponent("measure.yaml")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let outcome = try run(["--study", file.path, "--output", folder.appendingPathComponent("measure").path])
            #expect(outcome.status == 2 && outcome.standardError.hasSuffix("measure: \(message)\n")
                && outcome.standardError.split(separator: "\n").count == 1, "stderr: \(outcome.standardError)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("measure").path))
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("empty").path))
    }

    /// A study with published claims: the key findings end with the verdicts counted at their
    /// confidence, the same sentence that closes the report's opening (issue 21).
    @Test func theClaimCountsReachTheTerminalWithTheirConfidence() throws {
        let folder = temporaryFolder()
        let study = folder.deletingLastPathComponent().appendingPathComponent("claims.yaml")
        try """
            models:
              - kind: mlp
                hidden: [8]
              - kind: mlp
                hidden: [16]
            fractions: [0, 0.2, 0.4, 0.6]
            seeds: [1, 2]
            training:
              epochs: 40
            analysis:
              confidence: 0.8
            claims:
              source: a test
              thresholds:
                MLP 8: 0.3
                MLP 16: 0.3
              larger-models-more-sensitive: true

            """.write(to: study, atomically: true, encoding: .utf8)
        let outcome = try run(["--study", study.path, "--output", folder.path, "--threads", "2", "--no-store"])
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        let line = try #require(outcome.standardOutput.split(separator: "\n").first { $0.hasPrefix("  - At 80% confidence, of 3 published claims these runs support ") },
                                "stdout: \(outcome.standardOutput)")
        let markdown = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        // The opening has named the level in its first interval already ("[80% confidence interval (CI)]"), so its
        // sentence drops the terminal's "At 80% confidence, " and starts with "Of".
        let sentence = line.dropFirst(4).replacingOccurrences(of: "At 80% confidence, of ", with: "Of ")
        #expect(markdown.components(separatedBy: "\n")[2].hasSuffix(" " + sentence), "the opening ends with the same sentence")
    }

    @Test func smallSweepEndToEndThenValidate() throws {
        let folder = temporaryFolder()
        let outcome = try run(Self.smallSweep + ["--output", folder.path, "--threads", "2"])
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        #expect(outcome.standardOutput.contains("Key findings (16 runs"))
        // Without a terminal, progress is a first line and a plain line per tenth of the runs (GuideTests).
        #expect(outcome.standardError.split(separator: "\n").allSatisfy { $0.hasPrefix("Training 16 runs") || $0.contains(" of 16 runs (") },
                "only progress on stderr: \(outcome.standardError)")
        let data = try Data(contentsOf: folder.appendingPathComponent("results.json"))
        let results = try JSONDecoder().decode(StudyResults.self, from: data)
        #expect(results.runs.count == 16 && results.points.count == 8 && results.fits.count == 2)
        #expect(results.config.training.epochs == 40 && results.series.map(\.label) == ["MLP 8", "MLP 16"])
        let performance = try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("performance.json"))) as? [String: Any]
        #expect((performance?["runs"] as? [Any])?.count == 16)
        #expect(performance?["threads"] as? Int == 2)
        for figure in ["accuracy_vs_poison", "generalization_gap", "train_vs_test"] {
            let png = try Data(contentsOf: folder.appendingPathComponent("figures/\(figure).png"))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
        let markdown = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("| MLP 8 |") && markdown.contains("![") && markdown.contains("make-report --widths 8,16"))
        let latex = try String(contentsOf: folder.appendingPathComponent("report.tex"), encoding: .utf8)
        #expect(latex.hasPrefix("\\documentclass") && latex.contains("\\includegraphics[width=\\linewidth,height=\\figureimageheight,keepaspectratio]{figures/accuracy_vs_poison.png}"))
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<img src=\"data:image/png;base64,iVBORw0KGgo"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")

        let validation = try run(["validate", folder.path])
        #expect(validation.status == 0, "validate: \(validation.standardError)")
    }

    @Test func resultsAreByteIdenticalAcrossThreadCountsAndReruns() throws {
        let first = temporaryFolder(), second = temporaryFolder(), third = temporaryFolder()
        #expect(try run(Self.smallSweep + ["--output", first.path, "--threads", "1"]).status == 0)
        #expect(try run(Self.smallSweep + ["--output", second.path, "--threads", "3"]).status == 0)
        #expect(try run(Self.smallSweep + ["--output", third.path, "--threads", "3"]).status == 0)
        let bytes = try [first, second, third].map { try Data(contentsOf: $0.appendingPathComponent("results.json")) }
        #expect(bytes[0] == bytes[1] && bytes[1] == bytes[2])
    }

    @Test func validateListsWhatFails() throws {
        let folder = temporaryFolder()
        // No poisoning beyond 0.9% (3 rows): accuracy cannot drop, so the study's checks fail.
        #expect(try run(["--widths", "8", "--fractions", "0,0.003,0.006,0.009", "--seeds", "1", "--epochs", "20",
                         "--output", folder.path]).status == 0)
        let failed = try run(["validate", folder.path])
        #expect(failed.status == 1)
        #expect(failed.standardError.contains("not at least 0.05 below clean"))

        // results.json alone: every other file is missing.
        let bare = temporaryFolder()
        try FileManager.default.copyItem(at: folder.appendingPathComponent("results.json"), to: bare.appendingPathComponent("results.json"))
        let missing = try run(["validate", bare.path])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains("manifest.json is missing") && missing.standardError.contains("runs.csv is missing"),
                "stderr: \(missing.standardError)")
        #expect(!missing.standardError.contains("performance.json"), "performance.json is never committed, so it may be missing")
        #expect(missing.standardError.contains("figures/train_vs_test is missing (no PNG, PDF or SVG file)"))
    }

    /// Issue 19, r19: `validate nonexist`, `validate /dev/null`, a file or a folder without
    /// results.json listed 5 failed checks and exited 1. Each is one line naming the path and the
    /// reason, exit code 2; so is `check --output` of such a path, before any run.
    @Test func validateAndCheckRefuseAPathThatIsNoOutputFolder() throws {
        let folder = temporaryFolder()
        let file = folder.appendingPathComponent("notes.txt"), empty = folder.appendingPathComponent("empty")
        try Data("mine".utf8).write(to: file)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let before = try FileManager.default.subpathsOfDirectory(atPath: folder.path).sorted()
        for (path, reason) in [("nonexist", "cannot read 'nonexist': No such file or directory"),
                               ("/dev/null", "'/dev/null' is not a folder; give an output folder"),
                               ("notes.txt", "'notes.txt' is not a folder; give an output folder"),
                               ("empty", "'empty' holds no results.json, so it is no output folder make-report wrote")] {
            let validated = try run(["validate", path], in: folder)
            #expect(validated.status == 2 && validated.standardOutput.isEmpty)
            #expect(validated.standardError == "make-report: error: validate: \(reason)\n")
            let checked = try run(["check", "--widths", "8", "--fractions", "0,0.5", "--seeds", "1", "--epochs", "2", "--output", path], in: folder)
            #expect(checked.status == 2 && checked.standardOutput.isEmpty)
            #expect(checked.standardError == "make-report: error: --output: \(reason)\n")
        }
        #expect(try FileManager.default.subpathsOfDirectory(atPath: folder.path).sorted() == before)
    }

    @Test func vectorFiguresOnRequest() throws {
        let folder = temporaryFolder()
        let outcome = try run(["--widths", "8", "--fractions", "0,0.3,0.5,0.7", "--seeds", "1", "--epochs", "10",
                               "--figure-format", "pdf,svg", "--output", folder.path])
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("figures").path)
        #expect(Set(files) == ["accuracy_vs_poison.pdf", "accuracy_vs_poison.svg", "generalization_gap.pdf",
                               "generalization_gap.svg", "train_vs_test.pdf", "train_vs_test.svg"])
        #expect(try run(["--figure-format", "png,gif", "--output", folder.path]).status == 2)
    }

    /// SVG figures alone cannot go into report.tex (pdflatex cannot include them): the combination is
    /// refused with one line naming the fix, before any work (issue 22); without the LaTeX report it runs.
    @Test func svgFiguresAloneAreRefusedForLaTeX() throws {
        let folder = temporaryFolder()
        let tiny = ["--widths", "8", "--fractions", "0,0.3,0.5,0.7", "--seeds", "1", "--epochs", "10", "--figure-format", "svg"]
        let refused = try run(tiny + ["--output", folder.appendingPathComponent("refused").path])
        #expect(refused.status == 2 && refused.standardOutput.isEmpty)
        #expect(refused.standardError == "make-report: error: --figure-format: report.tex cannot include SVG figures; add pdf or png "
            + "(e.g. --figure-format pdf,svg), or leave tex out of --format\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("refused").path))
        let withoutLaTeX = try run(tiny + ["--format", "md,html", "--output", folder.appendingPathComponent("svg").path])
        #expect(withoutLaTeX.status == 0, "stderr: \(withoutLaTeX.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("svg/figures").path)
        #expect(Set(files) == ["accuracy_vs_poison.svg", "generalization_gap.svg", "train_vs_test.svg"])
    }

    @Test func formatChoosesTheShippedReports() throws {
        let folder = temporaryFolder()
        let tiny = ["--widths", "8", "--fractions", "0,0.3,0.5,0.7", "--seeds", "1", "--epochs", "10", "--output", folder.path]
        let reports = { try Set(FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("report.") }) }
        let markdown = try run(tiny + ["--format", "md"])
        #expect(markdown.status == 0, "stderr: \(markdown.standardError)")
        #expect(try reports() == ["report.md"])
        let written = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(written.contains(" --format md\n"), "the reproduce command keeps the choice")
        // Any order and repeats: the reports in registration order, and the command names them so.
        let two = try run(tiny + ["--format", "html,md,html"])
        #expect(two.status == 0, "stderr: \(two.standardError)")
        #expect(try reports() == ["report.md", "report.html"])
        #expect(try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8).contains(" --format md,html\n"))
        // All three is the default, which the command leaves out.
        #expect(try run(tiny + ["--format", "tex,html,md"]).status == 0)
        #expect(try reports() == ["report.md", "report.tex", "report.html"])
        #expect(try !String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8).contains("--format"))

        let empty = try run(tiny + ["--format", ""])
        #expect(empty.status == 2 && empty.standardError.contains("--format: give at least one of md, tex, html"), "\(empty.standardError)")
        #expect(try run(tiny + ["--format", "md,pdf"]).status == 2)
        let template = folder.deletingLastPathComponent().appendingPathComponent("one.md")
        try "{{title}}\n".write(to: template, atomically: true, encoding: .utf8)
        let twoWithTemplate = try run(tiny + ["--template", template.path, "--format", "md,tex"])
        #expect(twoWithTemplate.status == 2 && twoWithTemplate.standardError.contains("--format: give one format with --template"),
                "\(twoWithTemplate.standardError)")
    }

    @Test func customTemplateReplacesTheShippedOnes() throws {
        let folder = temporaryFolder()
        let template = folder.deletingLastPathComponent().appendingPathComponent("short.tex.mustache")
        try "Series: {{seriesList}}; {{#fits}}{{series}}={{threshold}} {{/fits}}{{missing}}\n"
            .write(to: template, atomically: true, encoding: .utf8)
        let outcome = try run(Self.smallSweep + ["--output", folder.path, "--template", template.path])
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        #expect(outcome.standardError.contains("short.tex.mustache:1:"), "warns about the unknown variable")
        #expect(outcome.standardError.contains("unknown variable 'missing'"))
        let report = try String(contentsOf: folder.appendingPathComponent("report.tex"), encoding: .utf8)
        #expect(report.hasPrefix("Series: MLP 8 and MLP 16; MLP 8="))
        #expect(report.contains("\\%"), "LaTeX output escapes percent signs")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.md").path))

        // --quiet prints nothing but errors: not the template's warning.
        let quiet = try run(Self.smallSweep + ["--output", folder.path, "--template", template.path, "--quiet"])
        #expect(quiet.status == 0 && quiet.standardError.isEmpty && quiet.standardOutput.isEmpty, "stderr: \(quiet.standardError)")

        let strict = try run(Self.smallSweep + ["--output", folder.path, "--template", template.path, "--strict"])
        #expect(strict.status == 2 && strict.standardError.contains("unknown variable 'missing'"))
        let asMarkdown = try run(Self.smallSweep + ["--output", folder.path, "--template", template.path, "--format", "md"])
        #expect(asMarkdown.status == 0)
        #expect(try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8).contains("%"))

        let broken = folder.deletingLastPathComponent().appendingPathComponent("broken.md")
        try "# Title\n{{#fits}}\n{{width}}\n".write(to: broken, atomically: true, encoding: .utf8)
        let failed = try run(Self.smallSweep + ["--output", folder.path, "--template", broken.path])
        #expect(failed.status == 2)
        #expect(failed.standardError.contains("broken.md:4:1: template does not parse"), "stderr: \(failed.standardError)")
        #expect(try run(["--template", folder.appendingPathComponent("none.md").path]).status == 2)
        #expect(try run(["--template", template.path.replacingOccurrences(of: ".tex.mustache", with: ".txt")]).status == 2)
    }

    /// A shard that runs writes no report and skips the shipped templates' check (`merge` renders and
    /// checks them), but a template of the user's is still checked before its first run: a broken one, or
    /// one naming an unknown variable under --strict, stops every shard at once, with one line and
    /// no part file, as before; the same study without --template runs.
    @Test func aShardStillRefusesABadTemplateOfTheUsersBeforeItsFirstRun() throws {
        let folder = temporaryFolder()
        let broken = folder.deletingLastPathComponent().appendingPathComponent("broken-shard.md")
        try "# Title\n{{#fits}}\n{{width}}\n".write(to: broken, atomically: true, encoding: .utf8)
        let failed = try run(Self.smallSweep + ["--shard", "1/2", "--output", folder.path, "--template", broken.path])
        #expect(failed.status == 2 && failed.standardError.contains("broken-shard.md:4:1: template does not parse"),
                "stderr: \(failed.standardError)")
        let unknown = folder.deletingLastPathComponent().appendingPathComponent("unknown-shard.md")
        try "{{missing}}\n".write(to: unknown, atomically: true, encoding: .utf8)
        let strict = try run(Self.smallSweep + ["--shard", "1/2", "--output", folder.path, "--template", unknown.path, "--strict"])
        #expect(strict.status == 2 && strict.standardError.contains("unknown variable 'missing'"), "stderr: \(strict.standardError)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("results.part-1-of-2.json").path))
        let dryRun = try run(Self.smallSweep + ["--shard", "1/2", "--output", folder.path, "--template", broken.path, "--dry-run"])
        #expect(dryRun.status == 2 && dryRun.standardError.contains("broken-shard.md:4:1: template does not parse"))
        let shipped = try run(Self.smallSweep + ["--shard", "1/2", "--output", folder.path])
        #expect(shipped.status == 0, "stderr: \(shipped.standardError)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("results.part-1-of-2.json").path))
    }

    @Test func templatePrintShowsTheShippedTemplates() throws {
        let markdown = try run(["template", "--print", "md"])
        #expect(markdown.status == 0 && markdown.standardOutput.hasPrefix("# {{title}}"))
        let latex = try run(["template", "--print", "tex"])
        #expect(latex.status == 0 && latex.standardOutput.hasPrefix("{{=<% %>=}}"))
        let html = try run(["template", "--print", "html"])
        #expect(html.status == 0 && html.standardOutput.contains("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(try run(["template", "--print", "pdf"]).status == 2)
        // Bare, it prints the Markdown template, as bare `study` prints the study.
        let bare = try run(["template"])
        #expect(bare.status == 0 && bare.standardOutput == markdown.standardOutput && bare.standardError.isEmpty)
        let help = try run(["template", "--help"]).standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("(values: md, tex, html; default: md)") && help.contains("Without --print, prints the Markdown template"))
    }

    @Test func checkPassesOnUnchangedArtifactsAndFailsWithADiffOnChangedOnes() throws {
        let folder = temporaryFolder()
        #expect(try run(Self.smallSweep + ["--output", folder.path]).status == 0)
        let clean = try run(["check"] + Self.smallSweep + ["--output", folder.path])
        #expect(clean.status == 0, "stderr: \(clean.standardError)")

        let report = folder.appendingPathComponent("report.md")
        let text = try String(contentsOf: report, encoding: .utf8)
        try text.replacingOccurrences(of: "## Findings", with: "## Findings (edited)").write(to: report, atomically: true, encoding: .utf8)
        try Data([1, 2, 3]).write(to: folder.appendingPathComponent("figures/train_vs_test.png"))
        let changed = try run(["check"] + Self.smallSweep + ["--output", folder.path])
        #expect(changed.status == 1)
        #expect(changed.standardError.contains("report.md: differs"))
        #expect(changed.standardError.contains("- ## Findings (edited)") && changed.standardError.contains("+ ## Findings"))
        #expect(changed.standardError.contains("figures/train_vs_test.png: differs"))
        #expect(!changed.standardError.contains("results.json"), "only what changed is reported")
    }

    @Test func shardedRunsMergeIntoTheSingleMachineResultsByteForByte() throws {
        let single = temporaryFolder(), parts = temporaryFolder(), merged = temporaryFolder()
        #expect(try run(Self.smallSweep + ["--output", single.path, "--threads", "2"]).status == 0)
        for k in 1...3 {
            let outcome = try run(Self.smallSweep + ["--shard", "\(k)/3", "--output", parts.path, "--threads", "1"])
            #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
            #expect(outcome.standardOutput.contains("Shard \(k)/3"))
        }
        let partFiles = (1...3).map { parts.appendingPathComponent("results.part-\($0)-of-3.json").path }
        let outcome = try run(["merge"] + partFiles.reversed() + ["--output", merged.path])
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        // The files written, as the folder's manifest lists them (performance.json too).
        #expect(outcome.standardOutput.contains("Wrote study.yaml, results.json, runs.csv, points.csv, differences.csv, report.md, report.tex, report.html, "
            + "performance.json, manifest.json and figures/ in "), "\(outcome.standardOutput)")
        let quiet = try run(["merge"] + partFiles + ["--output", temporaryFolder().path, "--quiet"])
        #expect(quiet.status == 0 && quiet.standardOutput.isEmpty, "stdout: \(quiet.standardOutput)")
        #expect(try Data(contentsOf: merged.appendingPathComponent("results.json"))
            == Data(contentsOf: single.appendingPathComponent("results.json")))
        for figure in ["accuracy_vs_poison.png", "generalization_gap.png", "train_vs_test.png"] {
            #expect(try Data(contentsOf: merged.appendingPathComponent("figures/\(figure)"))
                == Data(contentsOf: single.appendingPathComponent("figures/\(figure)")))
        }
        #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("report.md").path))
        let performance = try JSONSerialization.jsonObject(
            with: Data(contentsOf: merged.appendingPathComponent("performance.json"))) as? [String: Any]
        #expect((performance?["runs"] as? [Any])?.count == 16 && performance?["threads"] as? Int == 3)
        #expect(try run(["validate", merged.path]).standardError.contains("performance.json") == false)

        let missing = try run(["merge", partFiles[0], partFiles[2], "--output", merged.path])
        #expect(missing.status == 2 && missing.standardError.contains("missing shard 2/3"))
        let overlapping = try run(["merge", partFiles[0], partFiles[0], partFiles[1], partFiles[2], "--output", merged.path])
        #expect(overlapping.status == 2 && overlapping.standardError.contains("shard 1/3 appears twice"))
        let otherConfig = temporaryFolder()
        #expect(try run(Self.smallSweep + ["--epochs", "41", "--shard", "2/3", "--output", otherConfig.path]).status == 0)
        let mismatched = try run(["merge", partFiles[0], otherConfig.appendingPathComponent("results.part-2-of-3.json").path,
                                  partFiles[2], "--output", merged.path])
        #expect(mismatched.status == 2 && mismatched.standardError.contains("different configuration"))
        #expect(try run(["--shard", "4/3"]).status == 2)
        #expect(try run(["--shard", "0/3"]).status == 2)
    }

    /// The whole `bench`, run in a working folder whose examples/attacks and examples/defenses (the
    /// catalogue examples that bench runs as whole commands when it finds them) are small stand-ins:
    /// 2 and 4 runs instead of the committed 378 and 1,512, which this test ran as whole commands when
    /// it ran from the repository (49 CPU seconds in a release build, 4.4 and 44.7; more in this debug
    /// build), though CI checks the committed examples themselves. Their rows are checked here, as
    /// none were.
    @Test func benchWritesItsTables() throws {
        let results = temporaryFolder().appendingPathComponent("bench/results.md")
        let working = temporaryFolder()
        let catalogue = [
            "attacks": "models:\n  - kind: mlp\n    hidden: [8]\nattacks:\n  - kind: random-label-flip\n"
                + "fractions: [0, 0.2]\nseeds: [1]\ntraining:\n  epochs: 5\n",
            "defenses": "models:\n  - kind: mlp\n    hidden: [8]\nattacks:\n  - kind: random-label-flip\n"
                + "defenses:\n  - kind: none\n  - kind: loss-filter\nfractions: [0, 0.2]\nseeds: [1]\ntraining:\n  epochs: 5\n",
        ]
        for (name, study) in catalogue {
            let folder = working.appendingPathComponent("examples/\(name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try study.write(to: folder.appendingPathComponent("study.yaml"), atomically: false, encoding: .utf8)
        }
        // A quick run (every table at a smaller size): the full run's tables, rows and summary format.
        let outcome = try run(["bench", "--quick", "--large-seeds", "0", "--repetitions", "1", "--results", results.path], in: working)
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        let text = try String(contentsOf: results, encoding: .utf8)
        #expect(text.contains("\n| examples/attacks/study.yaml | 2 | "))
        #expect(text.contains("\n| examples/defenses/study.yaml | 4 | "))
        #expect(text.hasPrefix("# Benchmarks\n\nMachine: "))
        #expect(text.contains("\n\n" + BenchCommand.quickRunNote + "\n\n## Sweeps\n"))
        #expect(text.contains("| Default study, engine only, in process (median of 1) | 81 |"))
        #expect(text.contains("| Default study, the whole `make-report` command"))
        #expect(text.contains("\n| 1 run, two 256 layers, 350 training rows, engine only (median of 1) | 1 | "))
        #expect(text.contains("\n| 1 run, one 512 layer, 350 training rows, engine only (median of 1) | 1 | "))
        #expect(!text.contains("Adaptive reference study"))
        for width in [32, 64, 128, 256, 512, 1024, 2048] { #expect(text.contains("\n| \(width) | 350 | ")) }
        #expect(text.contains("\n| 128 | 2800 | ") && text.contains("\n| 128 | 7000 | ") && !text.contains("\n| 128 | 35000 | "))
        for samples in [500, 100_000, 1_000_000] { #expect(text.contains("\n| \(samples) | ")) }   // peak memory
        #expect(!text.contains("\n| 10000000 | "))
        for section in ["## Where the default command's time goes", "## What HTML and CSV output add", "## Cost of each defense",
                        "## Eight runs of one network", "## Training each model kind", "## Gradient canceling's kernels",
                        "## Kernel ridge's exact input curvature at 64 features on one thread (200 training rows",
                        "## Issue 24's budgets", "## Peak memory of the whole command", "## Report templates of many tags"] {
            #expect(text.contains("\n" + section), "\(section)")
        }
        #expect(BenchCommand.isBenchmarkSummary(Data(text.utf8)))
        #expect(try run(["bench", "--repetitions", "0"]).status == 2)
        // A quick run never replaces the committed summary: --results must be given, and it is of the full summary only.
        // The committed summary spelt another way is refused too (compared as resolved paths).
        // A full summary elsewhere is refused by its content (review r21o m5); the quick summary just written may be replaced.
        let full = working.appendingPathComponent("full-summary.md")
        try Data(text.replacingOccurrences(of: BenchCommand.quickRunNote + "\n", with: "").utf8).write(to: full)
        for arguments in [["bench", "--quick"], ["bench", "--quick", "--engine-only", "--results", results.path],
                          ["bench", "--quick", "--results", "./benchmarks/../benchmarks/results.md"], ["bench", "--quick", "--results", full.path]] {
            let refused = try run(arguments, in: working)
            #expect(refused.status == 2 && refused.standardError.contains("--quick: "), "\(arguments): \(refused.standardError)")
        }
    }

    /// Review r19d, finding 9: `bench --results` took any file starting "# Benchmarks" for its own
    /// summary and would have replaced it. The committed summary is one; the user's notes under that
    /// title, a summary whose machine line or table of sweeps was edited away, are not, and are
    /// refused before any measurement, unchanged.
    @Test func benchReplacesOnlyItsOwnSummary() throws {
        let committed = try String(contentsOfFile: #filePath.replacingOccurrences(
            of: "Tests/MakeReportTests/CommandLineTests.swift", with: "benchmarks/results.md"), encoding: .utf8)
        #expect(BenchCommand.isBenchmarkSummary(Data(committed.utf8)))
        let machine = try #require(committed.split(separator: "\n").first { $0.hasPrefix("Machine: ") })
        for notes in ["# Benchmarks\n\nOur lab notes: the cluster was slow on Monday.\n",
                      committed.replacingOccurrences(of: machine, with: "Machine: the lab's big box."),
                      committed.replacingOccurrences(of: BenchCommand.sweepsTableHeading, with: "| Measurement | Seconds |"),
                      committed.replacingOccurrences(of: "## Sweeps", with: "## Our sweeps")] {
            #expect(!BenchCommand.isBenchmarkSummary(Data(notes.utf8)))
        }
        let folder = temporaryFolder()
        let file = folder.appendingPathComponent("results.md")
        let notes = "# Benchmarks\n\nOur lab notes\n"
        try notes.write(to: file, atomically: false, encoding: .utf8)
        let outcome = try run(["bench", "--results", file.path])
        #expect(outcome.status == 2 && outcome.standardError.contains("is not a benchmark summary make-report wrote"), "\(outcome.standardError)")
        #expect(try String(contentsOf: file, encoding: .utf8) == notes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["results.md"])
    }

    /// `bench --models-only` prints the model kinds' table, with GFLOP/s, kernel ridge's solve by
    /// both Cholesky variants and issue 25's input-curvature row (20 products over 150 rows), and
    /// writes no results file.
    @Test func benchModelsOnlyPrintsTheModelTable() throws {
        let results = temporaryFolder().appendingPathComponent("results.md")
        let outcome = try run(["bench", "--models-only", "--repetitions", "1", "--results", results.path])
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        #expect(outcome.standardOutput.contains("| Model | Measured | Thread CPU (s) | ms per epoch or pass | GFLOP/s | Budget |"))
        for variant in ["blocked", "reference"] {
            #expect(outcome.standardOutput.contains("| kernel ridge (RBF), the solve alone | \(variant) Cholesky | "))
        }
        #expect(outcome.standardOutput.contains("| MLP 64, input curvature | power iteration, 20 Hessian-vector products over 150 test rows | "))
        #expect(!FileManager.default.fileExists(atPath: results.path))
    }

    /// A mistyped option is named before the study or any folder is checked. swift-argument-parser
    /// calls `validate()` before it looks for unknown options, and `check --outptu x` in a folder
    /// without output/ said "--output: cannot read 'output'" (review r49, m6): `run` and `check`
    /// check the study and their folders in `run()`.
    @Test func aMistypedOptionIsNamedBeforeTheStudyAndTheFoldersAreChecked() throws {
        let empty = temporaryFolder()
        for arguments in [["check", "--outptu", "x"], ["check", "--bogus"], ["run", "--bogus", "--study", "missing.yaml"],
                          ["check", "--study", "missing.yaml", "--bogus"], ["run", "--output", "/proc/x", "--bogus"]] {
            let outcome = try run(arguments, in: empty)
            #expect(outcome.status == 2 && outcome.standardError.hasPrefix("make-report: error: Unknown option '--"),
                    "\(arguments): \(outcome.standardError)")
        }
        #expect(try run(["check", "--outptu", "x"], in: empty).standardError.contains("Did you mean '--output'?"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: empty.path).isEmpty)
    }

    @Test func checkHelpDescribesCheckAndItsOwnOptions() throws {
        func words(_ arguments: [String]) throws -> String {
            let help = try run(arguments + ["--help"])
            #expect(help.status == 0, "\(arguments)")
            return help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        let check = try words(["check"])
        // Its --output is the folder it compares with, only read; not run's folder that is written and replaced.
        #expect(check.contains("--output <output> The output folder to compare with what the code produces; only read, never written. (default: output)"))
        #expect(!check.contains("It is replaced as a whole") && !check.contains("Folder for study.yaml"))
        // It names the options it lacks instead of claiming run's.
        #expect(!check.contains("same options as `run`") && check.contains("has no --shard or --dry-run"))
        // No option line of its help names an option of run's that check does not take.
        let optionLines = try run(["check", "--help"]).standardOutput.split(separator: "\n").map { $0.drop { $0 == " " } }.filter { $0.hasPrefix("--") }
        #expect(optionLines.count >= 25)
        for option in ["--store", "--no-store", "--shard", "--dry-run"] {
            #expect(!optionLines.contains { $0 == option || $0.hasPrefix(option + " ") }, "check --help shows \(option), which check does not take")
        }
        #expect(try run(["check", "--shard", "1/2"]).status == 2)
        for arguments in [["run"], ["merge"]] {
            let help = try words(arguments)
            #expect(help.contains("--output <output> Folder for study.yaml, results.json, runs.csv, points.csv, differences.csv, performance.json, the reports, figures/ and manifest.json (created if missing). (default: output)")
                && help.contains("It is replaced as a whole"), "\(arguments)")
        }
        // Transformed options show their defaults too.
        let compare = try words(["compare"])
        #expect(compare.contains("in [0.5, 0.999] (default: 0.95).") && compare.contains("do not depend on it (default: 0)."))
        // Every subcommand answers --help.
        for arguments in [["study"], ["validate"], ["template"], ["store"], ["store", "info"], ["store", "verify"], ["store", "prune"], ["bench"]] {
            _ = try words(arguments)
        }
    }

    @Test func helpDocumentsEveryOptionWithItsDefault() throws {
        let help = try run(["run", "--help"])
        #expect(help.status == 0)
        for option in ["--study", "--widths", "--attacks", "--defenses", "--fractions", "--seeds", "--epochs", "--lr", "--batch-size", "--samples",
                       "--features", "--classes", "--cluster-std", "--center-scale", "--train-fraction",
                       "--data-seed", "--output", "--figure-format", "--dpi", "--template", "--format", "--strict",
                       "--threads", "--quiet", "--shard"] {
            #expect(help.standardOutput.contains(option), "missing \(option)")
        }
        #expect(help.standardOutput.contains("(default: 32,64,128)"))
        #expect(help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("A YAML study file (see `make-report study`), at most 1 MiB;"))
        #expect(help.standardOutput.contains("0,0.01,0.05,0.1,0.15,0.2,0.3,0.4,0.5"))
        let words = help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for text in ["(values: random-label-flip, class-flip, margin-flip, confident-flip, backdoor, feature-collision, svm-gradient, gradient-canceling)", "(values: none, loss-filter, knn-filter, knn-relabel, centroid-sphere, spectral-signature, activation-clustering, trimmed-loss, confident-learning, label-smoothing, weight-decay, early-stopping, dp-sgd, input-gradient-penalty, input-curvature)", "(values: png, pdf, svg; default: png)",
                     "(values: md, tex, html)", "train + test. (default: 500)", "the split. (default: 42)",
                     // The lock-file and symbolic-link rules of docs/outputs.md, where they apply.
                     ".make-report work folder or a set make-report published, nor one it may not write in (or a folder in it); symbolic links are "
                        + "resolved before these checks. While a run writes it, .make-report/NAME.lock beside it keeps a second run out",
                     "a file of that name make-report did not write (or a symbolic or hard link) is kept and the run refused.",
                     "Not inside the output folder (symbolic links are resolved before this check). Its lock is the file PATH.open-lock "
                        + "beside it; a file of that name make-report did not write is kept and the run refused."] {
            #expect(words.contains(text), "help lacks \(text)")
        }
        // Transformed options show their defaults too.
        #expect(words.contains("Resolution of PNG figures, in dots per inch (default: 150)."), "--dpi shows its default")
        #expect(words.contains("before any work (default: 100000)."), "--max-runs shows its default")
        let version = try run(["--version"])
        #expect(version.status == 0 && version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0.3.0")
    }
}

private final class BundleMarker {}

/// Study files through the binary.
struct StudyFileCommandTests {
    let commands = CommandLineTests()

    @Test func aStudyFileRunsAndItsWrittenStudyRegeneratesTheSameResults() throws {
        let folder = commands.temporaryFolder()
        let file = folder.appendingPathComponent("mine.yaml")
        try """
            models: [{kind: mlp, hidden: [8, 8]}, {kind: logistic}]
            attacks: [{kind: class-flip, source: 1, target: 2}]
            defenses: [{kind: none}, {kind: loss-filter, drop: 0.1}]
            fractions: [0, 0.3, 0.6]
            seeds: [1, 2]
            training: {epochs: 15}
            """.write(to: file, atomically: true, encoding: .utf8)
        let first = try commands.run(["run", "--study", file.path, "--seeds", "3,4", "--output", folder.appendingPathComponent("a").path])
        #expect(first.status == 0, "stderr: \(first.standardError)")
        let written = folder.appendingPathComponent("a/study.yaml")
        let results = try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: folder.appendingPathComponent("a/results.json")))
        #expect(results.config.seeds == [3, 4], "the command line overrides the file")
        #expect(results.series.count == 4 && results.runs.count == 24 && results.hasDefense)
        #expect(results.attackMetrics.map(\.key) == ["targetSuccessExcess", "targetSuccessBaseline", "targetSuccess", "sourceClassShare"])
        let report = try String(contentsOf: folder.appendingPathComponent("a/report.md"), encoding: .utf8)
        #expect(report.contains("## Detection") && report.contains("## Target success"))
        #expect(report.contains("\nmake-report --study a/study.yaml --output a\n"))
        let second = try commands.run(["run", "--study", written.path, "--output", folder.appendingPathComponent("b").path])
        #expect(second.status == 0, "stderr: \(second.standardError)")
        #expect(try Data(contentsOf: folder.appendingPathComponent("b/results.json"))
            == Data(contentsOf: folder.appendingPathComponent("a/results.json")))
    }

    @Test func kindOptionsRunTheirComponentsAndTheReportedCommandRegeneratesTheResults() throws {
        let folder = commands.temporaryFolder()
        let options = ["--widths", "8", "--attacks", "class-flip,random-label-flip", "--defenses", "loss-filter",
                       "--fractions", "0,0.4", "--seeds", "1", "--epochs", "5"]
        let first = try commands.run(["run"] + options + ["--output", folder.appendingPathComponent("a").path])
        #expect(first.status == 0, "stderr: \(first.standardError)")
        let results = try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: folder.appendingPathComponent("a/results.json")))
        #expect(results.series.map { [$0.modelLabel, $0.attackLabel, $0.defenseLabel] }
            == [["MLP 8", "class-flip class 0 → class 1", "loss-filter 10%"], ["MLP 8", "random label flip", "loss-filter 10%"]])
        let report = try String(contentsOf: folder.appendingPathComponent("a/report.md"), encoding: .utf8)
        let command = "make-report " + options.joined(separator: " ").replacingOccurrences(of: "0,0.4", with: "0.0,0.4")
        #expect(report.contains(command + " --output a\n"))
        // The command in the report, run again, gives the same results.
        let again = try commands.run(Array(command.split(separator: " ").dropFirst().map(String.init))
            + ["--output", folder.appendingPathComponent("b").path])
        #expect(again.status == 0)
        #expect(try Data(contentsOf: folder.appendingPathComponent("b/results.json"))
            == Data(contentsOf: folder.appendingPathComponent("a/results.json")))
        let unknown = try commands.run(["run", "--attacks", "backdor"])
        #expect(unknown.status == 2 && unknown.standardError.contains("one of the following: - random-label-flip - class-flip - margin-flip - confident-flip - backdoor - feature-collision"))
    }

    @Test func compareReadsBothFormatsAndWritesItsJSON() throws {
        let folder = commands.temporaryFolder()
        let ours = folder.appendingPathComponent("ours")
        let run = try commands.run(["run", "--widths", "16", "--fractions", "0,0.3", "--seeds", "1,2", "--epochs", "10",
                                    "--output", ours.path])
        #expect(run.status == 0)
        let published = folder.appendingPathComponent("published.json")
        let publishedRuns = [(0.0, 1, 0.9), (0.0, 2, 0.88), (0.3, 1, 0.6), (0.3, 2, 0.62)].map { fraction, seed, accuracy in
            #"{"poison_fraction": \#(fraction), "hidden_width": 16, "seed": \#(seed), "train_accuracy": 0.9, "#
                + #""test_accuracy": \#(accuracy), "train_clean_accuracy": 0.9, "generalization_gap": \#(0.9 - accuracy), "final_loss": 0.1}"#
        }
        let publishedText = #"{"config": {"n_samples": 500, "n_classes": 5, "train_fraction": 0.7, "poison_fractions": [0.0, 0.3], "#
            + #""hidden_widths": [16], "seeds": [1, 2]}, "runs": ["# + publishedRuns.joined(separator: ", ") + "]}"
        try publishedText.write(to: published, atomically: true, encoding: .utf8)
        let json = folder.appendingPathComponent("comparison.json")
        let outcome = try commands.run(["compare", ours.appendingPathComponent("results.json").path, published.path, "--output", json.path])
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        #expect(outcome.standardOutput.contains("(make-report 0.3.0); second: `\(published.path)` (published)"))
        #expect(outcome.standardOutput.contains("## Agreement") && outcome.standardOutput.contains("| MLP 16 | 30.0% | test accuracy |"))
        // Against a published run, the replication verdict names it, whatever the verdict.
        #expect(outcome.standardOutput.contains("Against the published run (`\(published.path)`), the published run is higher than "))
        let written = try JSONDecoder().decode(StudyComparison.self, from: Data(contentsOf: json))
        #expect(written.commonSeries == ["MLP 16"] && written.points.count == 6)
        #expect(written.margin == 0.02 && written.pooledShifts.count == 1 && written.pooledShifts[0].points == 2)
        #expect(written.multiplicity.tested == 6 && abs(written.multiplicity.expectedByChance - 0.3) < 1e-12)
        // The margin as a fraction or in percentage points; anything outside 0.1 to 50 pp refused.
        let wide = try commands.run(["compare", ours.appendingPathComponent("results.json").path, published.path, "--margin", "5pp"])
        let fraction = try commands.run(["compare", ours.appendingPathComponent("results.json").path, published.path, "--margin", "0.05"])
        #expect(wide.status == 0 && wide.standardOutput == fraction.standardOutput && wide.standardOutput.contains("within ±5 pp"))
        // r21d m3: "5%" is 5 percentage points too; a margin in no known form says which forms it takes, in one line.
        let percentSign = try commands.run(["compare", ours.appendingPathComponent("results.json").path, published.path, "--margin", "5%"])
        #expect(percentSign.status == 0 && percentSign.standardOutput == fraction.standardOutput)
        let unknown = try commands.run(["compare", json.path, published.path, "--margin", "5 percent"])
        #expect(unknown.status == 2 && unknown.standardError == "make-report: error: The value '5 percent' is invalid for '--margin <margin>': "
            + "give a fraction such as 0.02, or percentage points such as 2pp or 2% (each the same margin)\n", "\(unknown.standardError)")
        let tooWide = try commands.run(["compare", json.path, published.path, "--margin", "2"])
        let bound = "--margin: must lie in [0.001, 0.5] as a fraction, e.g. 0.02, or in [0.1pp, 50pp] in percentage points, e.g. 2pp"
        #expect(tooWide.status == 2 && tooWide.standardError.contains(bound))
        // Margins whose "±" would print as 1e-298 pp or 100 pp are refused, and so is a negative one, with "=" or without
        // (it used to be "Missing value"), saying why.
        for margin in [["--margin=1e-300"], ["--margin=0.9999999"], ["--margin=-2pp"], ["--margin=0pp"], ["--margin", "-2pp"]] {
            let refused = try commands.run(["compare", json.path, published.path] + margin)
            #expect(refused.status == 2 && refused.standardError.contains(bound), "\(margin): \(refused.standardError)")
            let negative = margin == ["--margin=-2pp"] || margin == ["--margin", "-2pp"]
            #expect(refused.standardError.contains("give it without a sign") == negative, "\(margin): \(refused.standardError)")
        }
        let bad = try commands.run(["compare", json.path, published.path])
        #expect(bad.status == 2 && bad.standardError.contains("is neither a make-report results.json nor the published study's format"))
    }

    /// The study file is read and parsed once per command, when the options are validated: the
    /// study made afterwards is the one validated, even when the file changed or went in between
    /// (it used to be read again by `resolve`, which then made the changed file's study).
    @Test func theStudyFileIsReadOnceWhenTheOptionsAreValidated() throws {
        let file = commands.temporaryFolder().appendingPathComponent("once.yaml")
        try "models: [{kind: mlp, hidden: [8]}]\nfractions: [0, 0.5]\nseeds: [1]\ntraining: {epochs: 3}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let options = try StudyOptions.parse(["--study", file.path, "--seeds", "4,5"])
        try "models: [{kind: mlp, hidden: [16]}]\nfractions: [0.1]\nseeds: [1]\ntraining: {epochs: 9}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let study = try options.resolve()
        #expect(study.config.fractions == [0, 0.5] && study.config.seeds == [4, 5] && study.config.training.epochs == 3)
        #expect(options.design.config == study.config)
        try FileManager.default.removeItem(at: file)
        #expect(try options.resolve().config == study.config)
    }

    @Test func aBadStudyFileFailsWithOneLocatedLineAndWritesNothing() throws {
        let folder = commands.temporaryFolder()
        let file = folder.appendingPathComponent("bad.yaml")
        try "models:\n  - kind: mlp\n    hidden: [0]\n".write(to: file, atomically: true, encoding: .utf8)
        let outcome = try commands.run(["run", "--study", file.path, "--output", folder.appendingPathComponent("out").path])
        #expect(outcome.status == 2)
        #expect(outcome.standardError == "make-report: error: \(file.path):3:5: models[0].hidden: each width must lie in [1, 65536]\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/results.json").path))
        let dataOption = try commands.run(["run", "--study", file.path, "--widths", "8", "--features", "3", "--epochs", "0",
                                           "--output", folder.appendingPathComponent("out").path])
        #expect(dataOption.status == 2 && dataOption.standardError.contains("--epochs: must lie in [1, 1000000]"))
    }

    /// Crafted large study files once took seconds and hundreds of MB to refuse, and a 10,000,000-
    /// character title was accepted: each is refused in one line, at once, and nothing is created.
    @Test func largeStudyFilesAreRefusedAtOnceWithTheirSize() throws {
        let folder = commands.temporaryFolder()
        let title = String(repeating: "x", count: 1_000_000)
        let files: [(name: String, text: String, message: String)] = [
            ("keys.yaml", (0..<600_000).map { "key\($0): 1\n" }.joined(), "--study: 'keys.yaml' is 7688890 bytes, larger than 1 MiB"),
            ("fractions.yaml", "fractions: [" + Array(repeating: "0", count: 2_000_000).joined(separator: ",") + "]\n",
             "--study: 'fractions.yaml' is 4000013 bytes, larger than 1 MiB"),
            ("title.yaml", "title: " + String(repeating: "x", count: 10_000_000) + "\n", "--study: 'title.yaml' is 10000008 bytes, larger than 1 MiB"),
            ("title-1mb.yaml", "title: \(title)\n", "title-1mb.yaml:1:8: title: a key or value of 1000000 characters; a study file's hold at most 4096"),
            ("values.yaml", "fractions: [" + Array(repeating: "0", count: 500_000).joined(separator: ",") + "]\n",
             "values.yaml:1:200009: fractions[99998]: the study file holds more than 100000 values"),
            ("title-201.yaml", "title: \(title.prefix(201))\n", "title-201.yaml:1:1: title: expected at most 200 characters, found 201"),
            ("dup.yaml", "title: a\nseeds: [0, 1]\ntitle: b\n", "dup.yaml:3:1: the key 'title' is given again (first at line 1)"),
            ("seed.yaml", "seeds: [0, 1]\nseed: 3\n", "seed.yaml:2:1: unknown key 'seed', did you mean 'seeds'? (known keys: title, data, models, "
                + "attacks, defenses, targets, measure, fractions, seeds, training, analysis, planning, claims)"),
        ]
        for file in files { try file.text.write(to: folder.appendingPathComponent(file.name), atomically: true, encoding: .utf8) }
        let before = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        for file in files {
            let clock = ContinuousClock(), start = clock.now
            let outcome = try commands.run(["run", "--study", file.name, "--output", "out", "--no-store"], in: folder)
            let elapsed = clock.now - start
            #expect(outcome.status == 2 && outcome.standardError == "make-report: error: \(file.message)\n", "\(file.name)")
            // A loose bound on a debug build's wall-clock time on a shared machine (the release build
            // once took 3.2 s to refuse 9.4 MB of keys); scripts/hostile/study-file.sh bounds the
            // release build's processor time at 0.1 s.
            #expect(elapsed < .seconds(10), "\(file.name) took \(elapsed)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == before)
    }

    @Test func studyPrintIsTheReferenceStudyAndRunsAsIt() throws {
        let printed = try commands.run(["study", "--print"])
        #expect(printed.status == 0)
        #expect(printed.standardOutput.contains("# Poison fractions to sweep, each in [0, 1]; up to 10 for attacks that add rows "
            + "(gradient-canceling), whose budget is poisons per clean row.\nfractions:"))
        let folder = commands.temporaryFolder()
        let file = folder.appendingPathComponent("reference.yaml")
        try printed.standardOutput.write(to: file, atomically: true, encoding: .utf8)
        // The printed file is the reference study: the same study as no file at all (epochs cut for speed).
        let fromFile = try commands.run(["run", "--study", file.path, "--epochs", "5", "--output", folder.appendingPathComponent("f").path])
        let plain = try commands.run(["run", "--epochs", "5", "--output", folder.appendingPathComponent("p").path])
        #expect(fromFile.status == 0 && plain.status == 0)
        #expect(try Data(contentsOf: folder.appendingPathComponent("f/results.json"))
            == Data(contentsOf: folder.appendingPathComponent("p/results.json")))
    }
}
