import Foundation
import Testing
@testable import MakeReport
import PoisoningAnalysis

/// Issue 22, sections 4 and 5: paths relative to the study file, `validate` and `compare` without
/// the data, the `study` command, grouped help and progress.
struct GuideTests {
    let cli = CommandLineTests()

    /// A small CSV data set that a few epochs learn: two classes of two features, 40 rows.
    static let rows = "x,y,label\n" + (0..<40).map { row in
        let label = row % 2, offset = Double(row % 7) / 10
        return "\(Double(label) * 3 + offset),\(Double(label) * -2 + offset / 2),\(label == 0 ? "a" : "b")"
    }.joined(separator: "\n") + "\n"

    /// A study of `rows.csv`, named relative to the study file's folder (a class flip: `validate`'s
    /// curve checks, for the reference study's design, do not apply to it).
    static let study = """
        data: {kind: csv, path: rows.csv, label-column: label}
        models: [{kind: mlp, hidden: [8]}]
        attacks: [{kind: class-flip, source: 0, target: 1}]
        fractions: [0, 0.2, 0.4]
        seeds: [1, 2]
        training: {epochs: 5}
        """

    /// A folder `root` holding `project/data/study.yaml`, `project/data/rows.csv` and an empty `elsewhere/`.
    func project() throws -> URL {
        let root = cli.temporaryFolder().deletingLastPathComponent()
        let data = root.appendingPathComponent("project/data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
        try Self.study.write(to: data.appendingPathComponent("study.yaml"), atomically: true, encoding: .utf8)
        try Self.rows.write(to: data.appendingPathComponent("rows.csv"), atomically: true, encoding: .utf8)
        return root
    }

    /// Issue 22: the README for users stays at most 200 lines (as `wc -l` counts them) of at most 120
    /// characters, a page a user reads; the rest belongs in docs/ (review r22b found 203 lines, review
    /// r22c 196 lines packed up to 198 characters, 234 lines once folded at 120).
    @Test func theReadmeStaysWithinTwoHundredLinesOfAHundredAndTwentyCharacters() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.utf8.filter { $0 == UInt8(ascii: "\n") }.count
        #expect(lines > 100 && lines <= 200, "README.md has \(lines) lines")
        let long = readme.components(separatedBy: "\n").enumerated().filter { $0.element.count > 120 }.map { $0.offset + 1 }
        #expect(long.isEmpty, "README.md: lines \(long) are longer than 120 characters")
    }

    /// Review r22b: README.md and docs/ had lines of up to 2,509 characters, which a reader of the source scrolls
    /// sideways through; none is longer than 200 characters.
    @Test func noLineOfTheReadmeOrTheDocsIsLongerThanTwoHundredCharacters() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/\($0)" }
        #expect(docs.count >= 5)
        for page in ["README.md"] + docs {
            let text = try String(contentsOf: root.appendingPathComponent(page), encoding: .utf8)
            let long = text.components(separatedBy: "\n").enumerated().filter { $0.element.count > 200 }.map { $0.offset + 1 }
            #expect(long.isEmpty, "\(page): lines \(long) are longer than 200 characters")
        }
    }

    /// Review of issue 22: the README linked `../shared/reference/STUDY.md`, outside the repository, dead
    /// for a user who clones it. Every relative link of the user-facing Markdown (README.md, docs/,
    /// the examples' READMEs) names a file that exists inside the repository.
    @Test func theGuidesLinkOnlyToFilesInsideTheRepository() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .standardizedFileURL
        let files = FileManager.default
        var pages = ["README.md"]
        pages += try files.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path).filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        pages += try files.contentsOfDirectory(atPath: root.appendingPathComponent("examples").path)
            .map { "examples/\($0)/README.md" }.filter { files.fileExists(atPath: root.appendingPathComponent($0).path) }
        #expect(pages.contains("docs/reference-study.md") && pages.count > 5)
        let link = try Regex(#"\]\(([^)#\s]+)(#[^)]*)?\)"#)
        for page in pages {
            let text = try String(contentsOf: root.appendingPathComponent(page), encoding: .utf8)
            #expect(!text.contains("shared/reference"), "\(page) names a file outside the repository")
            for match in text.matches(of: link) {
                let target = String(match.output[1].substring!)
                if target.contains("://") || target.hasPrefix("mailto:") { continue }
                let resolved = root.appendingPathComponent(page).deletingLastPathComponent().appendingPathComponent(target).standardizedFileURL
                #expect(resolved.path.hasPrefix(root.path + "/") && files.fileExists(atPath: resolved.path), "\(page) links \(target)")
            }
        }
    }

    @Test func aStudyFileNamesItsDataRelativeToItsFolderWhereverItRunsFrom() throws {
        let root = try project(), elsewhere = root.appendingPathComponent("elsewhere")
        let run = try cli.run(["run", "--study", "../project/data/study.yaml", "--output", "../project/out", "--no-store"], in: elsewhere)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        // The output folder names the data relative to itself, in study.yaml, results.json and the report.
        let out = root.appendingPathComponent("project/out")
        let results = try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: out.appendingPathComponent("results.json")))
        #expect(results.config.dataFilePath == "../data/rows.csv")
        #expect(try String(contentsOf: out.appendingPathComponent("study.yaml"), encoding: .utf8).contains("\n  path: \"../data/rows.csv\"\n"))
        #expect(try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8).contains("(path \"../data/rows.csv\", "))
        // Its study.yaml, run from another folder into a sibling folder, gives the same bytes.
        let again = try cli.run(["run", "--study", "project/out/study.yaml", "--output", "project/again", "--no-store", "--quiet"], in: root)
        #expect(again.status == 0, "stderr: \(again.standardError)")
        #expect(try Data(contentsOf: root.appendingPathComponent("project/again/results.json")) == Data(contentsOf: out.appendingPathComponent("results.json")))
        // A shard's part names the data relative to its own folder; merge, from yet another folder, finds it.
        let shard = try cli.run(["run", "--study", "../project/data/study.yaml", "--shard", "1/1", "--output", "../project/parts", "--no-store"],
                                in: elsewhere)
        #expect(shard.status == 0, "stderr: \(shard.standardError)")
        let merged = try cli.run(["merge", "results.part-1-of-1.json", "--output", "../merged"], in: root.appendingPathComponent("project/parts"))
        #expect(merged.status == 0, "stderr: \(merged.standardError)")
        #expect(try Data(contentsOf: root.appendingPathComponent("project/merged/results.json")) == Data(contentsOf: out.appendingPathComponent("results.json")))

        // validate and compare never read the data: they pass with the CSV file gone.
        try FileManager.default.moveItem(at: root.appendingPathComponent("project/data/rows.csv"), to: root.appendingPathComponent("rows.csv"))
        let validated = try cli.run(["validate", "../project/out"], in: elsewhere)
        #expect(validated.status == 0 && validated.standardOutput == "'../project/out': all checks passed\n", "stderr: \(validated.standardError)")
        let compared = try cli.run(["compare", "project/out/results.json", "project/again/results.json"], in: root)
        #expect(compared.status == 0 && compared.standardOutput.hasPrefix("# Comparison of project/out/results.json and project/again/results.json"),
                "stderr: \(compared.standardError)")
        // A run that needs them names the file where the study file says it is.
        let missing = try cli.run(["run", "--study", "../project/data/study.yaml", "--output", "../project/out", "--no-store"], in: elsewhere)
        #expect(missing.status == 2 && missing.standardError.contains("'../project/data/rows.csv'"), "stderr: \(missing.standardError)")
    }

    /// Review r19d, finding 7: the reproduce line held the paths as the working folder saw them
    /// ('../project/out' from elsewhere, absolute), so `check` from another folder found the reports
    /// and manifest.json different. The line is relative to the folder that holds the output folder,
    /// and `check` passes from that folder, from the one the run was made in, and from a deeper one;
    /// a template is named from the output's folder too.
    @Test func theReproduceCommandIsTheSameFromEveryWorkingFolder() throws {
        let root = try project(), elsewhere = root.appendingPathComponent("elsewhere")
        let deeper = elsewhere.appendingPathComponent("d/e")
        try FileManager.default.createDirectory(at: deeper, withIntermediateDirectories: true)
        let templates = root.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        try "# {{title}}\n\n{{commandCode}}\n".write(to: templates.appendingPathComponent("mine.md.mustache"), atomically: true, encoding: .utf8)
        let run = try cli.run(["run", "--study", "../project/data/study.yaml", "--output", "../project/out", "--no-store", "--quiet"], in: elsewhere)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let out = root.appendingPathComponent("project/out")
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("\nmake-report --study out/study.yaml --output out\n"), "\(report.suffix(300))")
        for (folder, prefix) in [(root.appendingPathComponent("project"), ""), (elsewhere, "../project/"), (deeper, "../../../project/")] {
            let check = try cli.run(["check", "--study", prefix + "out/study.yaml", "--output", prefix + "out", "--quiet"], in: folder)
            #expect(check.status == 0, "check in \(folder.lastPathComponent): \(check.standardError)")
        }
        let templated = try cli.run(["run", "--study", "../../../project/data/study.yaml", "--output", "../../../project/mine", "--no-store", "--quiet",
                                     "--template", "../../../templates/mine.md.mustache"], in: deeper)
        #expect(templated.status == 0, "stderr: \(templated.standardError)")
        let mine = try String(contentsOf: root.appendingPathComponent("project/mine/report.md"), encoding: .utf8)
        #expect(mine.hasSuffix("\n\nmake-report --study mine/study.yaml --output mine --template ../templates/mine.md.mustache\n"), "\(mine)")
    }

    @Test func validatePassesWithoutPerformanceJSONAndStillChecksOneThatIsThere() throws {
        let folder = cli.temporaryFolder()
        #expect(try cli.run(["--widths", "8", "--fractions", "0,0.5", "--seeds", "1", "--epochs", "2", "--no-store", "--quiet",
                             "--output", folder.path]).status == 0)
        let performance = folder.appendingPathComponent("performance.json")
        try Data("{}".utf8).write(to: performance)
        let broken = try cli.run(["validate", folder.path])
        #expect(broken.status == 1 && broken.standardError.contains("performance.json is not a valid performance record"))
        try FileManager.default.removeItem(at: performance)
        let checkedOut = try cli.run(["validate", folder.path])
        // The curve checks of the reference design fail on so small a study; nothing names performance.json.
        #expect(!checkedOut.standardError.contains("performance.json"), "stderr: \(checkedOut.standardError)")
    }

    @Test func quietPrintsNothingAndProgressLinesAreOnePerTenthWithoutATerminal() throws {
        let loud = cli.temporaryFolder(), quiet = cli.temporaryFolder()
        let sweep = ["--widths", "8,16", "--fractions", "0,0.2,0.4,0.6", "--seeds", "1,2", "--epochs", "5", "--no-store", "--threads", "2"]
        let silent = try cli.run(sweep + ["--quiet", "--output", quiet.path])
        #expect(silent.status == 0 && silent.standardOutput.isEmpty && silent.standardError.isEmpty,
                "stdout: \(silent.standardOutput) stderr: \(silent.standardError)")
        let spoken = try cli.run(sweep + ["--output", loud.path])
        #expect(spoken.status == 0 && spoken.standardOutput.hasPrefix("Key findings (16 runs, "))
        // Standard error is a pipe: a header, then one plain line per tenth of the 16 runs, no carriage return.
        let lines = spoken.standardError.split(separator: "\n").map(String.init)
        #expect(lines.first == "Training 16 runs on 2 threads…" && !spoken.standardError.contains("\r"))
        #expect(lines.dropFirst().map { $0.prefix { $0 != "(" } }
            == ["2 of 16 runs ", "4 of 16 runs ", "5 of 16 runs ", "7 of 16 runs ", "8 of 16 runs ", "10 of 16 runs ", "12 of 16 runs ",
                "13 of 16 runs ", "15 of 16 runs ", "16 of 16 runs "])
        #expect(lines.last?.hasPrefix("16 of 16 runs (100%), ") == true && lines.last?.hasSuffix(" runs/s") == true)
        // Progress never reaches an output file.
        // (The reports name the output folder, which differs.)
        for name in ["results.json", "study.yaml", "runs.csv", "points.csv", "figures/accuracy_vs_poison.png"] {
            #expect(try Data(contentsOf: loud.appendingPathComponent(name)) == Data(contentsOf: quiet.appendingPathComponent(name)), "\(name)")
        }
    }

    /// Runs that diverge (a learning rate of 10^6) are warned of without --quiet; with it nothing is
    /// printed, and the report and results.json still list them.
    @Test func quietSilencesDivergedRunWarningsWhichTheReportKeeps() throws {
        let loud = cli.temporaryFolder(), quiet = cli.temporaryFolder()
        let sweep = ["--widths", "8", "--fractions", "0,0.5", "--seeds", "1", "--epochs", "3", "--lr", "1e6", "--no-store", "--threads", "1"]
        let spoken = try cli.run(sweep + ["--output", loud.path])
        let warning = "warning: run MLP 8, fraction 0.0, seed 1 diverged: training loss became non-finite"
        #expect(spoken.status == 0 && spoken.standardError.contains(warning), "stderr: \(spoken.standardError)")
        let silent = try cli.run(sweep + ["--quiet", "--output", quiet.path])
        #expect(silent.status == 0 && silent.standardOutput.isEmpty && silent.standardError.isEmpty,
                "stdout: \(silent.standardOutput) stderr: \(silent.standardError)")
        let report = try String(contentsOf: quiet.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("## Diverged runs") && report.contains("run MLP 8, fraction 0.0, seed 1 diverged"))
        #expect(try String(contentsOf: quiet.appendingPathComponent("results.json"), encoding: .utf8).contains("became non-finite"))
    }

    @Test func theProgressTextOfEachStyle() {
        let lines = ProgressReporter(style: .lines)
        let printed = (1...81).compactMap { lines.text(completed: $0, total: 81, elapsed: Double($0) / 10, detail: "x") }
        #expect(printed.count == 10)
        #expect(printed[0] == "9 of 81 runs (11%), 10.0 runs/s, 8 s left\n")
        #expect(printed[9] == "81 of 81 runs (100%), 10.0 runs/s\n")
        // Fewer runs than tenths: a line per run.
        #expect((1...3).compactMap { lines.text(completed: $0, total: 3, elapsed: 0, detail: "x") } == ["1 of 3 runs (33%)\n", "2 of 3 runs (66%)\n", "3 of 3 runs (100%)\n"])
        let terminal = ProgressReporter(style: .terminal, columns: 120)
        #expect(terminal.text(completed: 12, total: 200, elapsed: 4, detail: "MLP 64, fraction 0.10, seed 1: test acc 0.893")
            == "\r\u{1B}[K[ 12/200] 3.0 runs/s, 1 min 03 s left · MLP 64, fraction 0.10, seed 1: test acc 0.893")
        #expect(terminal.text(completed: 200, total: 200, elapsed: 50, detail: "d") == "\r\u{1B}[K[200/200] 4.0 runs/s · d\n")
        // Cut to one column less than the terminal's width: 80 by default, below the 85 characters of the line.
        #expect(ProgressReporter(style: .terminal).text(completed: 12, total: 200, elapsed: 4, detail: "MLP 64, fraction 0.10, seed 1: test acc 0.893")
            == "\r\u{1B}[K[ 12/200] 3.0 runs/s, 1 min 03 s left · MLP 64, fraction 0.10, seed 1: test ac…")
        let narrow = ProgressReporter(style: .terminal, columns: 40)
        #expect(narrow.text(completed: 12, total: 200, elapsed: 4, detail: "MLP 64, fraction 0.10, seed 1: test acc 0.893")
            == "\r\u{1B}[K[ 12/200] 3.0 runs/s, 1 min 03 s left …")
        #expect(narrow.text(completed: 200, total: 200, elapsed: 50, detail: String(repeating: "é", count: 60))
            == "\r\u{1B}[K[200/200] 4.0 runs/s · " + String(repeating: "é", count: 15) + "…\n")
        #expect(ProgressReporter(style: .terminal, columns: 1).text(completed: 1, total: 2, elapsed: 1, detail: "d") == "\r\u{1B}[K…")
        #expect(terminalColumns(of: -1) == nil)
        #expect(ProgressReporter(style: .silent).text(completed: 1, total: 1, elapsed: 1, detail: "d") == nil)
        // Below a second left, "<1 s", never a rounded-up "1 s"; from one second on, rounded up.
        #expect(durationText(0.2) == "<1 s" && durationText(0.999) == "<1 s" && durationText(1) == "1 s" && durationText(1.2) == "2 s")
        #expect(ProgressReporter(style: .lines).text(completed: 90, total: 100, elapsed: 0.9, detail: "d") == "90 of 100 runs (90%), 100.0 runs/s, <1 s left\n")
        #expect(durationText(3599.5) == "1 h 00 min" && durationText(7322) == "2 h 02 min" && durationText(.infinity) == "277777 h 46 min")
    }

    /// Review r22b: the progress line's rate was the average since the start, which follows a change of speed
    /// only slowly. `RunRate` counts the runs of about the last 10 s: a steady 5 runs/s, finishing two at a time
    /// (two workers), reads 5 within 3% from 10 s on, and the time left then moves by less than 4% from one run
    /// to the next; when the runs slow to 1 per second at 60 s, it reads 1 within
    /// 10% 60 s later, when the average since the start still says 3.
    @Test func theProgressRateFollowsTheLastSecondsWithoutJumping() throws {
        var estimator = RunRate(), completed = 0, time = 0.0
        var previousLeft: Double?
        let total = 400
        while time < 60 - 1e-9 {
            time += 0.4
            for _ in 0..<2 {
                completed += 1
                let recorded = estimator.record(at: time)
                let rate = try #require(recorded)
                if time >= 10 { #expect(abs(rate - 5) < 0.15, "\(rate) runs/s at \(time) s") }
                let left = Double(total - completed) / rate
                if time >= 10, let previousLeft { #expect(abs(left - previousLeft) < 0.04 * previousLeft, "at \(time) s") }
                previousLeft = left
            }
        }
        while time < 120 - 1e-9 {
            time += 1
            completed += 1
            _ = estimator.record(at: time)
        }
        let rate = try #require(estimator.rate(at: time))
        #expect(abs(rate - 1) < 0.1, "\(rate)")
        #expect(abs(Double(completed) / time - 3) < 0.01)
        // Before any time has passed there is no rate; the progress text then leaves it out.
        #expect(RunRate().rate(at: 0) == nil)
        #expect(ProgressReporter(style: .lines).text(completed: 50, total: 100, elapsed: 10, rate: 2, detail: "d")
            == "50 of 100 runs (50%), 2.0 runs/s, 25 s left\n")
    }

    @Test func bareStudyPrintsTheReferenceStudyWithACSVAlternativeThatRuns() throws {
        let bare = try cli.run(["study"]), printed = try cli.run(["study", "--print"])
        #expect(bare.status == 0 && bare.standardOutput == printed.standardOutput)
        let lines = bare.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let csvStart = try #require(lines.firstIndex(of: "# data:"))
        #expect(lines[csvStart + 1] == "#   kind: csv")
        #expect(bare.standardOutput.contains("#   # The CSV file, relative to this file's folder, or absolute.\n#   path: my-data.csv\n#   # "))
        // The file with its data block replaced by the CSV one, uncommented, runs on my-data.csv beside it.
        let csvBlock = [lines[csvStart]] + lines[(csvStart + 1)...].prefix { $0.hasPrefix("#   ") }
        let dataStart = try #require(lines.firstIndex(of: "data:"))
        let dataEnd = try #require(lines[(dataStart + 1)...].firstIndex { !$0.hasPrefix(" ") })
        let edited = lines[..<dataStart] + csvBlock.map { String($0.dropFirst(2)) } + lines[dataEnd...]
        let root = cli.temporaryFolder().deletingLastPathComponent()
        let studies = root.appendingPathComponent("studies")
        try FileManager.default.createDirectory(at: studies, withIntermediateDirectories: true)
        try edited.joined(separator: "\n").write(to: studies.appendingPathComponent("mine.yaml"), atomically: true, encoding: .utf8)
        try Self.rows.write(to: studies.appendingPathComponent("my-data.csv"), atomically: true, encoding: .utf8)
        let run = try cli.run(["run", "--study", "studies/mine.yaml", "--widths", "8", "--fractions", "0,0.5", "--seeds", "1", "--epochs", "2",
                               "--no-store", "--quiet", "--output", "out"], in: root)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let results = try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: root.appendingPathComponent("out/results.json")))
        #expect(results.data.name == "my-data.csv" && results.data.trainCount + results.data.testCount == 40)
    }

    /// Review r22b: the printed study showed only the CSV block among the data sources; make-classification
    /// follows it, commented out, every key at its default, and the file with it in place of the data block runs.
    @Test func bareStudyShowsAMakeClassificationAlternativeThatRuns() throws {
        let printed = try cli.run(["study"])
        let lines = printed.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let starts = lines.indices.filter { lines[$0] == "# data:" }
        #expect(starts.count == 2)
        let start = try #require(starts.last)
        #expect(lines[start + 1] == "#   kind: make-classification")
        #expect(lines[..<start].last { !$0.hasPrefix("#   ") }?.contains("make_classification") == true)
        let block = [lines[start]] + lines[(start + 1)...].prefix { $0.hasPrefix("#   ") }
        #expect(block.contains("#   flip-y: 0.01") && block.contains("#   informative: 2"), "\(block)")
        let dataStart = try #require(lines.firstIndex(of: "data:"))
        let dataEnd = try #require(lines[(dataStart + 1)...].firstIndex { !$0.hasPrefix(" ") })
        let edited = lines[..<dataStart] + block.map { String($0.dropFirst(2)) } + lines[dataEnd...]
        let root = cli.temporaryFolder()
        try edited.joined(separator: "\n").write(to: root.appendingPathComponent("made.yaml"), atomically: true, encoding: .utf8)
        let run = try cli.run(["run", "--study", "made.yaml", "--widths", "8", "--fractions", "0,0.5", "--seeds", "1", "--epochs", "2",
                               "--no-store", "--quiet", "--output", "out"], in: root)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let results = try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: root.appendingPathComponent("out/results.json")))
        #expect(results.config.document.value(at: "data.kind") == .string("make-classification"))
        #expect(results.data.trainCount + results.data.testCount == 1000)
    }

    /// Review r25c: the printed study never named the top-level `measure:` key. It ends with a commented
    /// measure list of every measurement, with the key's help; uncommented, the file is a valid study
    /// that measures the input curvature.
    @Test func bareStudyEndsWithACommentedMeasureList() throws {
        let printed = try cli.run(["study"])
        let lines = printed.standardOutput.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let start = try #require(lines.firstIndex(of: "# measure: [input-curvature]"))
        #expect(start == lines.count - 1, "the last line")
        #expect(lines[start - 1].hasPrefix("# # Measurements every run records beyond its metrics (default: none), each a name or a mapping "
            + "of its kind and options, among: input-curvature ("))
        #expect(lines[start - 1].contains("Option: vanish-margin (default 0.1, in a study file as {kind: input-curvature, vanish-margin: 0.1})"))
        #expect(lines[start - 2].hasPrefix("# Measurements every run records beyond its metrics, none by default: to record them, add a top-level"))
        let edited = lines.dropLast() + ["measure: [input-curvature]"]
        let root = cli.temporaryFolder()
        try edited.joined(separator: "\n").write(to: root.appendingPathComponent("measured.yaml"), atomically: true, encoding: .utf8)
        let run = try cli.run(["run", "--study", "measured.yaml", "--widths", "4", "--attacks", "backdoor", "--fractions", "0,0.5", "--seeds", "1",
                               "--epochs", "2", "--no-store", "--quiet", "--output", "out"], in: root)
        #expect(run.status == 0, "stderr: \(run.standardError)")
        let results = try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: root.appendingPathComponent("out/results.json")))
        #expect(results.config.measure == ["input-curvature"])
    }

    @Test func runHelpGroupsItsOptionsUnderTitles() throws {
        let help = try cli.run(["run", "--help"]).standardOutput
        let titles = ["STUDY (A STUDY FILE, AND OPTIONS THAT OVERRIDE ITS VALUES):", "TRAINING:", "GAUSSIAN-CLUSTER DATA:", "ANALYSIS:",
                      "OUTPUT:", "RUNNING:", "RUN STORE:", "SCALE-OUT (SEVERAL MACHINES):", "OPTIONS:"]
        let positions = titles.map { help.range(of: "\n" + $0 + "\n")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "help: \(help)")
        let found = positions.compactMap { $0 }
        #expect(found == found.sorted(), "the groups in order")
        // Each option under its own title.
        for (option, title) in [("--widths", 0), ("--until-resolved", 0), ("--lr", 1), ("--data-seed", 2), ("--bootstrap-seed", 3),
                                ("--figure-format", 4), ("--quiet", 5), ("--no-store", 6), ("--shard", 7), ("--version", 8)]
            where found.count == titles.count {
            let line: String.Index? = help.range(of: "\n  " + option)?.lowerBound
            let at = try #require(line, "\(option) is not in the help")
            let end: String.Index = title + 1 == found.count ? help.endIndex : found[title + 1]
            #expect(at > found[title] && at < end, "\(option) under \(titles[title])")
        }
        // Words are one space apart: only an option's line has a wider gap, the one before its description.
        for line in help.split(separator: "\n") {
            let gaps = line.matches(of: /\S {2,}\S/).count
            #expect(gaps <= (line.hasPrefix("  -") ? 1 : 0), "a run of spaces in: \(line)")
        }
        let completion = try cli.run(["--generate-completion-script", "bash"])
        #expect(completion.status == 0 && completion.standardOutput.contains("--until-resolved"))
    }
}
