import Foundation
import Testing
@testable import PoisoningAnalysis
import PoisoningEngine
import StudyPipeline
import TestSupport

/// The fixtures of the tidy tables and the schema: `tidy/` holds the output of a small study run by
/// the binary (`make-report run --study tidy/study.yaml`), and what `scripts/read_tidy_csv.py` and
/// `scripts/validate_schema.py` found in it; `tidy-targets/` the same for a study with targets and
/// gradient canceling (`make-report run --study tidy-targets/study.yaml --format md`, then
/// `scripts/read_tidy_csv.py tidy-targets --record tidy-targets/pandas-check.json`).
enum TidyFixtures {
    /// The fixtures folder.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    /// The repository's root.
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The bytes of fixture `name`.
    static func data(_ name: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(name)) }

    /// The results of the fixture study in `folder` (`tidy`, or `tidy-targets`: a study with targets
    /// and gradient canceling), as results.json holds them (decoded, not re-analysed).
    static func results(_ folder: String = "tidy") throws -> StudyResults {
        try JSONDecoder().decode(StudyResults.self, from: data("\(folder)/results.json"))
    }
}

/// Reads RFC 4180 CSV text with LF line ends into records (a test's own reader, to check the writer).
func parseCSV(_ text: String) -> [[String]] {
    var records = [[String]](), record = [String](), cell = "", quoted = false, afterQuote = false
    var characters = text.unicodeScalars.makeIterator()
    while let character = characters.next() {
        if quoted {
            if character == "\"" { quoted = false; afterQuote = true } else { cell.unicodeScalars.append(character) }
            continue
        }
        switch character {
        case "\"":
            if afterQuote { cell.append("\"") }
            quoted = true
        case ",": record.append(cell); cell = ""
        case "\n": record.append(cell); records.append(record); record = []; cell = ""
        default: cell.unicodeScalars.append(character)
        }
        afterQuote = false
    }
    return records
}

@Suite struct TidyTablesTests {
    @Test func cellsAreQuotedExactlyWhenRFC4180AsksForIt() {
        #expect(csvCell("MLP 64") == "MLP 64")
        #expect(csvCell("") == "")
        #expect(csvCell("MLP 64, class-flip 0→1") == "\"MLP 64, class-flip 0→1\"")
        #expect(csvCell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(csvCell("two\nlines") == "\"two\nlines\"")
        #expect(csvCell("cr\rhere") == "\"cr\rhere\"")
        #expect(csvLine(["a", "b,c", ""]) == "a,\"b,c\",\n")
        let hostile = ["=cmd|' /C calc'!A0", "\"", ",", "a\"\"b", "\r\n", "</td><script>", "é, ü"]
        #expect(parseCSV(csvLine(hostile)) == [hostile])
    }

    @Test func numbersAreWrittenWithTheDigitsOfResultsJSON() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
        var values: [Double] = [0, -0.0, 1, 100, 1e15, 1e16, 0.1, 1e-5, 1e100, 5e-324, .greatestFiniteMagnitude, 0.05, 2.5e-7, 9_007_199_254_740_993]
        while values.count < 20_000 {
            let value = Double(bitPattern: next())
            if value.isFinite { values.append(value) }
            values.append(Double(next() % 1_000_000) / Double(1 + next() % 1000))
        }
        let encoded = String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
        let expected = encoded.dropFirst().dropLast().split(separator: ",").map(String.init)
        let written = values.map(jsonNumber)
        #expect(written == expected)
        #expect(zip(written, values).allSatisfy { Double($0)?.bitPattern == $1.bitPattern })
    }

    /// Every cell of both tables against the results they were written from.
    static func expectTablesHoldTheResults(_ results: StudyResults) {
        // The swept parameters' columns, after the series columns, are checked by their own test and set aside here.
        let parameters = TidyTables.parameterColumns(results.config).map(\.name)
        let withoutParameters = { (row: [String]) in Array(row.prefix(6) + row.dropFirst(6 + parameters.count)) }
        let runs = parseCSV(TidyTables.runsCSV(results)).map(withoutParameters)
        let metrics = Set(results.runs.flatMap { $0.metrics.map { Array($0.keys) } ?? [] }).sorted()
        let targets = results.runs.first { $0.targets != nil }?.targets?.map(\.target) ?? []
        let targetColumns = targets.flatMap { label in ["accuracy", "distance", "tau"].map { "target[\(label)].\($0)" } }
        #expect(parseCSV(TidyTables.runsCSV(results)).first.map { Array($0[6..<(6 + parameters.count)]) } == parameters)
        #expect(runs.first == TidyTables.seriesColumns + ["fraction", "seed", "poisonedCount", "realisedFraction", "saturated", "divergence",
                                                          "attackTarget", "tau", "targetBudget"] + targetColumns + metrics)
        #expect(runs.count == results.runs.count + 1)
        /// A cell holding `value` with results.json's digits, or empty for nil.
        func holds(_ cell: String, _ value: Double?) -> Bool { cell.isEmpty ? value == nil : Double(cell) == value }
        for (row, run) in zip(runs.dropFirst(), results.runs) {
            let series = results.series[run.series]
            #expect(Array(row.prefix(6)) == [String(run.series), series.label, series.modelLabel, String(series.parameterCount),
                                             series.attackLabel, series.defenseLabel])
            #expect(Double(row[6]) == run.fraction && UInt64(row[7]) == run.seed && Int(row[8]) == run.poisonedCount)
            #expect(Double(row[9]) == run.realisedFraction && row[10] == String(run.isSaturated) && row[11] == (run.divergence ?? ""))
            // The target the attack aims at (its `target:`, when that names one of the study's targets), its τ
            // and the seed's budget.
            let aimed = row[12], named = results.config.attacks[series.attack].value(at: "target")
            #expect(aimed.isEmpty ? named.map { $0 != .string(aimed) && !targets.map(ParameterValue.string).contains($0) } ?? true
                : named == .string(aimed) && targets.contains(aimed), "run \(row[0]) target")
            #expect(holds(row[13], run.targets?.first { $0.target == aimed }?.tau), "run \(row[0]) tau")
            let budget = results.targetBudgets?.first { $0.series == run.series }?.seeds.first { $0.seed == run.seed }?.budget
            #expect(holds(row[14], budget), "run \(row[0]) targetBudget")
            for (index, label) in targets.enumerated() {
                let measured = run.targets?.first { $0.target == label }
                #expect(holds(row[15 + 3 * index], measured?.accuracy) && holds(row[16 + 3 * index], measured?.distance)
                    && holds(row[17 + 3 * index], measured?.tau), "run \(row[0]) target \(label)")
            }
            for (key, cell) in zip(metrics, row.dropFirst(15 + 3 * targets.count)) {
                #expect(cell.isEmpty ? run.metrics?[key] == nil : Double(cell) == run.metrics?[key], "run \(row[0]) \(key)")
            }
        }
        let points = parseCSV(TidyTables.pointsCSV(results)).map(withoutParameters)
        let pointMetrics = Set(results.points.flatMap(\.metrics.keys)).sorted()
        #expect(points.first == TidyTables.seriesColumns + ["fraction", "runCount", "divergedCount", "saturated"]
            + (["realisedFraction"] + pointMetrics).flatMap { ["\($0)_mean", "\($0)_std"] })
        #expect(points.count == results.points.count + 1)
        for (row, point) in zip(points.dropFirst(), results.points) {
            #expect(row[0] == String(point.series) && Double(row[6]) == point.fraction && Int(row[7]) == point.runCount)
            #expect(Int(row[8]) == point.divergedCount && row[9] == String(point.saturated))
            #expect(Double(row[10]) == point.realisedFraction.mean && Double(row[11]) == point.realisedFraction.std)
            for (index, key) in pointMetrics.enumerated() {
                let (mean, std) = (row[12 + 2 * index], row[13 + 2 * index])
                if let summary = point.metrics[key] {
                    #expect(Double(mean) == summary.mean && Double(std) == summary.std, "point \(row[0]) \(key)")
                } else {
                    #expect(mean.isEmpty && std.isEmpty)
                }
            }
        }
    }

    @Test func theTablesHoldEveryNumberOfAFreshStudy() {
        Self.expectTablesHoldTheResults(StudyPipelineTests.results())
    }

    @Test func theTablesHoldEveryNumberOfTheFixtureStudy() throws {
        let results = try TidyFixtures.results()
        Self.expectTablesHoldTheResults(results)
        // The fixture has what the tables must carry: labels with commas, detection and attack
        // metrics absent from some rows, saturated budgets.
        #expect(results.series.contains { $0.label.contains(",") })
        #expect(results.runs.contains { $0.isSaturated })
        #expect(results.runs.contains { $0.metrics?[MetricKey.detectionAUROC] == nil }
            && results.runs.contains { $0.metrics?[MetricKey.detectionAUROC] != nil })
        // The committed tables are those of the committed results.json (so pandas read this code's output).
        #expect(try TidyFixtures.data("tidy/runs.csv") == Data(TidyTables.runsCSV(results).utf8))
        #expect(try TidyFixtures.data("tidy/points.csv") == Data(TidyTables.pointsCSV(results).utf8))
    }

    /// Issue 22's cold review: a swept λ lived only inside the `defense` string and a near-clone
    /// distance inside `attack`. A tiny trained study of backdoors at two near-clone distances and a
    /// random label flip, undefended and under the input-gradient penalty at two λ: both tables get
    /// `attack.near-clone.distance` and `defense.lambda` after the series columns, each row its
    /// component's number, empty where the component has none (the label flip, `none`); parameters
    /// with one value in the study (the backdoor's target) get no column.
    @Test func sweptComponentParametersGetANumericColumnEach() throws {
        let backdoor = { (distance: Double) in
            StudyConfig.component(Backdoor.kind, ["target": .int(0), "near-clone": .mapping([ParameterEntry(key: "distance", value: .double(distance))])])
        }
        let study = try Study(StudyConfig(
            data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(80), "features": .int(3), "classes": .int(2)]),
            models: [StudyConfig.component(LogisticRegression.kind)],
            attacks: [backdoor(0.5), backdoor(2), StudyConfig.component(RandomLabelFlip.kind)],
            defenses: [StudyConfig.component(NoDefense.kind), StudyConfig.component(InputGradientPenaltyDefense.kind, ["lambda": .double(1)]),
                       StudyConfig.component(InputGradientPenaltyDefense.kind, ["lambda": .int(3)])],
            fractions: [0, 0.1], seeds: [2], training: TrainingSettings(epochs: 2, batchSize: 16)))
        let results = StudyResults(study: study, runs: runStudy(study, threads: 1).results, toolVersion: "test")
        #expect(TidyTables.parameterColumns(results.config).map(\.name) == ["attack.near-clone.distance", "defense.lambda"])
        Self.expectTablesHoldTheResults(results)
        let distances = [0: "0.5", 1: "2", 2: ""], lambdas = [0: "", 1: "1", 2: "3"]
        for (text, count) in [(TidyTables.runsCSV(results), results.runs.count), (TidyTables.pointsCSV(results), results.points.count)] {
            let table = parseCSV(text)
            #expect(Array(table[0][4..<8]) == ["attack", "defense", "attack.near-clone.distance", "defense.lambda"] && table.count == count + 1)
            for row in table.dropFirst() {
                let series = results.series[Int(row[0])!]
                #expect(row[6] == distances[series.attack] && row[7] == lambdas[series.defense], "\(row[0])")
            }
        }
    }

    @Test func theTablesHoldTheTargetsOfTheTargetsFixtureStudy() throws {
        let results = try TidyFixtures.results("tidy-targets")
        Self.expectTablesHoldTheResults(results)
        // The fixture has what the target columns must carry: an attack aimed at a target and one
        // without, two targets of which only the gradient-based one has τ, seeds with and without a budget.
        let header = parseCSV(TidyTables.runsCSV(results))[0]
        #expect(Array(header[12..<21]) == ["attackTarget", "tau", "targetBudget", "target[gradpc 0.25].accuracy", "target[gradpc 0.25].distance",
                                           "target[gradpc 0.25].tau", "target[label-flip 0.3].accuracy", "target[label-flip 0.3].distance",
                                           "target[label-flip 0.3].tau"])
        #expect(results.runs.contains { $0.targets?.first?.tau != nil } && results.runs.allSatisfy { $0.targets?.last?.tau == nil })
        #expect(try TidyFixtures.data("tidy-targets/runs.csv") == Data(TidyTables.runsCSV(results).utf8))
        let check = try JSONDecoder().decode(PandasCheck.self, from: TidyFixtures.data("tidy-targets/pandas-check.json"))
        #expect(check.runs.columns == header && check.runs.rows == results.runs.count && check.runs.mismatches.isEmpty
            && check.runs.cellsCompared == results.runs.count * header.count)
    }

    /// What `scripts/read_tidy_csv.py` recorded after reading the fixture's tables with pandas.
    struct PandasCheck: Decodable {
        struct Table: Decodable {
            let rows: Int
            let columns: [String]
            let cellsCompared: Int
            let mismatches: [String]
            let defaultParserMismatches: Int
        }
        let runs: Table
        let points: Table
    }

    /// Every cell of differences.csv against results.json's `statistics.differences`.
    static func expectDifferencesHoldTheResults(_ results: StudyResults) {
        let rows = parseCSV(TidyTables.differencesCSV(results))
        #expect(rows.first == ["quantity", "axis", "base", "baseLabel", "other", "otherLabel", "difference", "bound", "lower", "upper",
                               "withheld", "decision", "seedsAtUpperSigma", "seedsFewest", "seedsMost", "seedsAtSigma", "seedsLimit"])
        #expect(rows.count == results.statistics.differences.count + 1)
        func holds(_ cell: String, _ value: Double?) -> Bool { cell.isEmpty ? value == nil : Double(cell) == value }
        func holds(_ cell: String, _ value: Int?) -> Bool { cell.isEmpty ? value == nil : Int(cell) == value }
        for (row, d) in zip(rows.dropFirst(), results.statistics.differences) {
            #expect(row[0] == d.quantity.rawValue && row[1] == d.axis.rawValue)
            #expect(row[2] == String(d.base) && row[3] == results.series[d.base].label && row[4] == String(d.other)
                && row[5] == results.series[d.other].label)
            #expect(holds(row[6], d.difference.value) && row[7] == (d.difference.bound?.rawValue ?? ""))
            let withheld = (d.difference.interval?.imprecise ?? []).map(\.rawValue).sorted()
            #expect(holds(row[8], withheld.contains("lower") ? nil : d.difference.interval?.lower)
                && holds(row[9], withheld.contains("upper") ? nil : d.difference.interval?.upper))
            #expect(row[10] == (withheld.count == 2 ? "both" : withheld.first ?? "") && row[11] == d.decision.rawValue)
            #expect(holds(row[12], d.seedPlan?.conservativeSeeds) && holds(row[13], d.seedPlan?.fewestSeeds)
                && holds(row[14], d.seedPlan?.mostSeeds) && holds(row[15], d.seedPlan?.seeds) && holds(row[16], d.seedPlan?.limit))
        }
    }

    @Test func differencesHoldEveryDifferenceOfTheFixtureStudy() throws {
        let results = try TidyFixtures.results()
        #expect(results.statistics.differences.contains { $0.seedPlan != nil } && results.statistics.differences.count > 1)
        Self.expectDifferencesHoldTheResults(results)
        Self.expectDifferencesHoldTheResults(StudyPipelineTests.results())
    }

    @Test func pandasReadsTheSameNumbersAndRows() throws {
        let results = try TidyFixtures.results()
        let check = try JSONDecoder().decode(PandasCheck.self, from: TidyFixtures.data("tidy/pandas-check.json"))
        for (table, text, rows) in [(check.runs, TidyTables.runsCSV(results), results.runs.count),
                                    (check.points, TidyTables.pointsCSV(results), results.points.count)] {
            let header = parseCSV(text)[0]
            #expect(table.rows == rows)
            #expect(table.columns == header)
            #expect(table.cellsCompared == rows * header.count)
            #expect(table.mismatches.isEmpty)
        }
    }

    @Test func validationComparesTheTablesWithResultsJSON() throws {
        let pipeline = StudyPipelineTests()
        let folder = pipeline.scratch()
        defer { pipeline.remove(folder) }
        _ = try pipeline.write(StudyPipelineTests.results(), into: folder)
        #expect(!pipeline.folderFailures(folder).contains { $0.contains(".csv") })
        let runs = folder.appendingPathComponent("runs.csv")
        var lines = try String(contentsOf: runs, encoding: .utf8).components(separatedBy: "\n")
        lines[2] = lines[2].replacingOccurrences(of: ",0.", with: ",0.1")
        try lines.joined(separator: "\n").write(to: runs, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("points.csv"))
        let failures = outputFolderFailures(folder)
        #expect(failures.contains("runs.csv does not hold the numbers of results.json (line 3 differs)"))
        #expect(failures.contains("points.csv is missing"))
    }

    @Test func checkShowsTheLinesOfATableThatDiffer() {
        let difference = describeDifference("runs.csv", committed: Data("a,b\n1,2\n".utf8), regenerated: Data("a,b\n1,3\n".utf8))
        #expect(difference == "runs.csv: differs\n  2 - 1,2\n  2 + 1,3")
    }
}
