import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine

/// Adaptive studies (`seeds: {start, step, max, until}`, `--until-resolved`) through the executable.
struct AdaptiveStudyTests {
    let cli = CommandLineTests()

    /// Writes a study file of a small sweep with the given `seeds` value into a new folder.
    func studyFile(seeds: String, models: String = "[{kind: mlp, hidden: [8]}, {kind: mlp, hidden: [16]}]") throws -> URL {
        let folder = cli.temporaryFolder().deletingLastPathComponent()
        let url = folder.appendingPathComponent("study.yaml")
        let text = """
            models: \(models)
            fractions: [0, 0.2, 0.4, 0.6]
            seeds: \(seeds)
            training: {epochs: 40}
            """
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test(arguments: [
        ("{start: 3, step: 0}", "seeds.step"),
        ("{start: 5, max: 4}", "seeds.max"),
        ("{until: [threshold-pears]}", "seeds.until"),
        ("{until: []}", "seeds.until"),
        ("{start: 1}", "seeds.start"),
        ("{start: 2, colour: red}", "seeds: unknown key 'colour'"),
        ("{values: [1, 2, 3, 4, 5], max: 4}", "seeds.max: is 4, fewer than the 5 seeds listed in seeds.values"),
        // r21d m2: with no values listed, a max below start blames start, the key written, not seeds.values.
        ("{start: 3, max: 2}", "seeds.max: is 2, fewer than seeds.start (3): raise seeds.max or lower seeds.start"),
        ("{until: [bogus]}", "seeds.until: unknown question bogus; the questions are threshold-trend, threshold-pairs, clean-pairs, gap-pairs"),
    ])
    func nonsenseIsRefusedWithOneLine(seeds: String, key: String) throws {
        let outcome = try cli.run(["--study", try studyFile(seeds: seeds).path, "--output", cli.temporaryFolder().path])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.split(separator: "\n").count == 1, "stderr: \(outcome.standardError)")
        #expect(outcome.standardError.contains(key), "stderr: \(outcome.standardError)")
    }

    @Test func aQuestionTheStudyCannotAskIsRefused() throws {
        let one = try studyFile(seeds: "{until: [threshold-trend]}", models: "[{kind: mlp, hidden: [8]}]")
        let outcome = try cli.run(["--study", one.path, "--output", cli.temporaryFolder().path])
        #expect(outcome.status == 2 && outcome.standardError.contains("threshold-trend needs at least two models"), "\(outcome.standardError)")
        #expect(outcome.standardError.contains("seeds.until: threshold-trend needs at least two models, which this study has not: it can ask none "
            + "of the questions (threshold-trend, threshold-pairs, clean-pairs, gap-pairs)"), "\(outcome.standardError)")
        // r21d m1: --seeds lists seed values; one seed cannot start an adaptive study, and the message says what to give.
        let count = try cli.run(["--until-resolved", "--seeds", "5", "--output", cli.temporaryFolder().path])
        #expect(count.status == 2 && count.standardError.split(separator: "\n").count == 1, "\(count.standardError)")
        #expect(count.standardError.contains("--until-resolved: an adaptive study starts with the seeds listed, at least 2, and the study "
            + "lists one seed (5) (--seeds lists seed values, not a count); list at least 2 to start with, e.g. --seeds 42,123,7"), "\(count.standardError)")
        let none = try cli.run(["--widths", "8", "--until-resolved", "--output", cli.temporaryFolder().path])
        #expect(none.status == 2 && none.standardError.split(separator: "\n").count == 1, "\(none.standardError)")
        let sharded = try cli.run(["--until-resolved", "--shard", "1/2", "--output", cli.temporaryFolder().path])
        #expect(sharded.status == 2 && sharded.standardError.contains("--shard"), "\(sharded.standardError)")
    }

    /// A threshold question needs a sigmoid fit, which needs 4 fractions: with fewer, it is refused in
    /// one line before any run (it used to spend the whole budget on a question no seed could
    /// answer), from a study file and from `--until-resolved` alike; a clean-accuracy question is not.
    @Test func aThresholdQuestionWithTooFewFractionsForAFitIsRefused() throws {
        #expect(SequentialSeeds.thresholdMinimumFractions == sigmoidMinimumPoints)
        let folder = cli.temporaryFolder().deletingLastPathComponent()
        let url = folder.appendingPathComponent("study.yaml")
        try """
            models: [{kind: mlp, hidden: [8]}, {kind: mlp, hidden: [16]}]
            fractions: [0, 0.2, 0.4]
            seeds: {start: 2, step: 2, max: 4, until: [clean-pairs, threshold-pairs]}
            training: {epochs: 5}
            """.write(to: url, atomically: true, encoding: .utf8)
        let fromFile = try cli.run(["--study", url.path, "--no-store", "--output", cli.temporaryFolder().path])
        #expect(fromFile.status == 2 && fromFile.standardError.split(separator: "\n").count == 1, "\(fromFile.standardError)")
        #expect(fromFile.standardError.contains("seeds.until") && fromFile.standardError.contains("threshold-pairs")
                    && fromFile.standardError.contains("needs at least 4 fractions, and this study has 3"), "\(fromFile.standardError)")
        let fromOption = try cli.run(["--until-resolved", "--widths", "4,8", "--fractions", "0,0.5", "--no-store", "--output", cli.temporaryFolder().path])
        #expect(fromOption.status == 2 && fromOption.standardError.split(separator: "\n").count == 1, "\(fromOption.standardError)")
        #expect(fromOption.standardError.contains("needs at least 4 fractions, and this study has 2"), "\(fromOption.standardError)")
        let clean = try cli.run(["--study", url.path, "--dry-run", "--output", cli.temporaryFolder().path])
        #expect(clean.status == 2, "\(clean.standardError)")
        try """
            models: [{kind: mlp, hidden: [8]}, {kind: mlp, hidden: [16]}]
            fractions: [0, 0.2, 0.4]
            seeds: {start: 2, step: 2, max: 4, until: [clean-pairs]}
            training: {epochs: 5}
            """.write(to: url, atomically: true, encoding: .utf8)
        let asked = try cli.run(["--study", url.path, "--dry-run", "--output", cli.temporaryFolder().path])
        #expect(asked.status == 0, "\(asked.standardError)")
    }

    /// `--until-resolved` makes a list of seeds adaptive; on a study file whose seeds are already a
    /// block it is refused with one line, since the block's settings would stand in for the option's.
    @Test func untilResolvedOnAnAdaptiveStudyFileIsRefused() throws {
        let study = try studyFile(seeds: "{start: 2, step: 5, max: 12}")
        let outcome = try cli.run(["--study", study.path, "--until-resolved", "--output", cli.temporaryFolder().path])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.split(separator: "\n").count == 1, "stderr: \(outcome.standardError)")
        #expect(outcome.standardError.contains("--until-resolved: the study file's seeds block"), "stderr: \(outcome.standardError)")
        // With --seeds, the list replaces the block and the option makes it adaptive (up to 40 seeds).
        let listed = try cli.run(["--study", study.path, "--seeds", "1,2", "--until-resolved", "--max-runs", "1",
                                  "--output", cli.temporaryFolder().path])
        #expect(listed.standardError.contains("(4 fractions x 2 series x up to 40 seeds)"), "\(listed.standardError)")
    }

    /// A bootstrap seed outside [0, 2147483647], or not an integer, is refused with that range, by a
    /// study and by compare alike.
    @Test(arguments: ["-1", "2147483648", "seven", "1.5"])
    func aBootstrapSeedOutsideItsRangeIsRefusedWithTheRange(value: String) throws {
        for arguments in [["--bootstrap-seed", value, "--output", cli.temporaryFolder().path],
                          ["compare", "a.json", "b.json", "--bootstrap-seed", value]] {
            let outcome = try cli.run(arguments)
            #expect(outcome.status == 2)
            #expect(outcome.standardError.split(separator: "\n").count == 1, "stderr: \(outcome.standardError)")
            #expect(outcome.standardError.contains("--bootstrap-seed") && outcome.standardError.contains("must be an integer in [0, 2147483647]"),
                    "stderr: \(outcome.standardError)")
        }
    }

    /// A small adaptive sweep: its looks, record and report, the same bytes for 1 and 2 threads, and
    /// its results.json read back by `validate`'s reader. The output's own study.yaml regenerates
    /// it byte for byte (`run` and `check`): it keeps the adaptive seeds block, not the last look's
    /// fixed seeds, which would rerun as a fixed study at the nominal level, without the looks.
    @Test func anAdaptiveSweepRecordsItsLooksTheSameForAnyThreadCount() throws {
        let study = try studyFile(seeds: "{values: [1, 2], start: 2, step: 2, max: 6, until: [threshold-pairs, clean-pairs]}")
        var bytes = [Data]()
        var first: URL?
        for threads in ["1", "2"] {
            let folder = cli.temporaryFolder()
            let outcome = try cli.run(["--study", study.path, "--threads", threads, "--no-store", "--output", folder.path])
            #expect(outcome.status == 0, "\(outcome.standardError)")
            #expect(outcome.standardError.contains("Look 1 of at most"))
            let data = try Data(contentsOf: folder.appendingPathComponent("results.json"))
            bytes.append(data)
            let results = try StudyResults.read(data)
            let record = try #require(results.sequential)
            #expect(record.settings.until.map(\.rawValue) == ["threshold-pairs", "clean-pairs"])
            #expect(record.plannedLooks.last == 6)
            #expect(results.runs.count == 2 * 4 * record.seeds)
            #expect(results.config.seeds == Array([1, 2, 3, 4, 5, 6].prefix(record.seeds)))
            #expect(results.statistics.confidence == record.confidence)
            let report = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
            #expect(report.contains("Adaptive study: seeds were added 2 at a time, up to 6"))
            first = first ?? folder
        }
        #expect(bytes[0] == bytes[1])

        let original = try #require(first)
        let written = original.appendingPathComponent("study.yaml").path
        let again = cli.temporaryFolder()
        let rerun = try cli.run(["--study", written, "--no-store", "--output", again.path])
        #expect(rerun.status == 0, "\(rerun.standardError)")
        #expect(rerun.standardError.contains("Look 1 of at most"), "\(rerun.standardError)")
        for name in ["study.yaml", "results.json", "runs.csv", "points.csv", "report.md", "report.tex", "report.html"] {
            let before = try Data(contentsOf: original.appendingPathComponent(name))
            let after = try Data(contentsOf: again.appendingPathComponent(name))
            #expect(before == after, "\(name) differs when regenerated from the output's study.yaml")
        }
        let checked = try cli.run(["check", "--study", written, "--output", original.path])
        #expect(checked.status == 0, "\(checked.standardError)")
    }

    /// `check` runs an adaptive study's looks as `run` does: it passes on a freshly run adaptive
    /// study (it used to train only the first seeds, without the sequential record, and differ)
    /// and fails on a changed one.
    @Test func checkPassesOnAFreshAdaptiveStudyAndFailsOnAChangedOne() throws {
        let study = try studyFile(seeds: "{start: 2, step: 2, max: 4, until: [clean-pairs]}")
        let folder = cli.temporaryFolder()
        let arguments = ["--study", study.path, "--no-store", "--output", folder.path]
        let ran = try cli.run(arguments)
        #expect(ran.status == 0, "\(ran.standardError)")
        let clean = try cli.run(["check", "--study", study.path, "--output", folder.path])
        #expect(clean.status == 0, "\(clean.standardError)")
        #expect(clean.standardError.contains("Look 1 of at most"), "\(clean.standardError)")

        let results = folder.appendingPathComponent("results.json")
        let text = try String(contentsOf: results, encoding: .utf8)
        try text.replacingOccurrences(of: "\"plannedLooks\"", with: "\"plannedLooks\" ").write(to: results, atomically: true, encoding: .utf8)
        let changed = try cli.run(["check", "--study", study.path, "--output", folder.path])
        #expect(changed.status == 1)
        #expect(changed.standardError.contains("results.json: differs"), "\(changed.standardError)")
    }
}
