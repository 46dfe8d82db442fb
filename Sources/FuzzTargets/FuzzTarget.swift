import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningReport
import RunStore
import StudyFile

/// The parsers that read what a user gives the tool, each as a function of raw bytes that must
/// return (a refusal is an error it catches) and never crash, hang or exhaust memory, whatever the
/// bytes. libFuzzer drives them (`make fuzz`); the tests replay the committed corpus through them.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A study file: YAML, then the study's settings and, for small synthetic data, its components.
    case studyFile = "study-file"
    /// A CSV data set, read with one of four settings chosen by the first byte.
    case csv
    /// A CSV's label column (no header, comma-separated, the label last): its classes must come in
    /// the same order with the rows reversed, and the file must read the same with CRLF line ends
    /// and a byte-order mark, and with every cell quoted.
    case csvLabels = "csv-labels"
    /// A results.json file, decoded and validated.
    case resultsJSON = "results-json"
    /// A shard's results.part-K-of-N.json file, decoded and merged.
    case partJSON = "part-json"
    /// A report template, checked, scanned for unknown variables and rendered.
    case template
    /// A run store's payload (with a checksum that holds): decoded and checked as a rerun checks it;
    /// a run the checks accept must encode for results.json and read back as the same run.
    case storedRun = "stored-run"

    /// Feeds `data` to the target's parser.
    public func run(_ data: Data) {
        switch self {
        case .studyFile: readStudy(data)
        case .csv: readCSV(data)
        case .csvLabels: checkCSVLabels(data)
        case .storedRun: checkStoredRun(data)
        case .resultsJSON:
            guard let decoded = try? JSONDecoder().decode(StudyResults.self, from: data), isSmall(decoded.config) else { return }
            if let results = try? StudyResults.verified(decoded, bytes: data) { _ = results.validationFailures() }
        case .partJSON:
            guard let part = try? JSONDecoder().decode(PartialStudyResults.self, from: data), isSmall(part.config) else { return }
            _ = try? mergePartialResults([(name: "part.json", results: part)])
        case .template:
            let text = String(decoding: data, as: UTF8.self)
            guard (try? parseTemplate(text, fileName: "fuzz.md")) != nil else { return }
            _ = try? renderReport(template: text, fileName: "fuzz.md", context: templateContext, strict: false)
        }
    }
}

/// A study file's bytes through every check a study file meets; a study is built (which draws its
/// data) only when its synthetic data is small, and never for CSV data (a file the input names).
private func readStudy(_ data: Data) {
    guard let text = String(data: data, encoding: .utf8),
          let (document, locations) = try? readStudyFile(text: text, fileName: "fuzz.yaml"),
          let (config, _) = try? StudyConfig.read(document, locations: locations),
          isSmall(config) else { return }
    _ = try? Study(document: document, locations: locations)
}

/// Whether a study's data is synthetic and small enough (at most 20,000 numbers), its sweep small
/// enough (at most 1,000 runs) and its bootstrap short enough (at most 2,000 replicates) to build and
/// analyse it for every fuzz input.
private func isSmall(_ config: StudyConfig) -> Bool {
    guard config.data.value(at: "kind") == nil || config.data.value(at: "kind") == .string(GaussianClusters.kind) else { return false }
    func number(_ key: String, _ fallback: Int) -> Int {
        if case .int(let value)? = config.data.value(at: key) { return value }
        return fallback
    }
    let (samples, features) = (number("samples", 500), number("features", 10))
    let runs = config.fractions.count * config.seeds.count * max(1, config.models.count * config.attacks.count * config.defenses.count)
    return samples >= 0 && features >= 0 && samples <= 20_000 && features <= 20_000 && samples * features <= 20_000 && runs <= 1_000
        && config.analysis.replicates <= 2_000
}

/// CSV bytes through the CSV data set, with the settings the first byte picks: header or not,
/// comma or semicolon, the label in the last column or in column 0, a split column or not.
private func readCSV(_ data: Data) {
    guard let first = data.first else { return }
    var entries = [ParameterEntry(key: "path", value: .string("fuzz.csv")),
                   ParameterEntry(key: "header", value: .bool(first & 1 == 0)),
                   ParameterEntry(key: "delimiter", value: .string(first & 2 == 0 ? "," : ";"))]
    if first & 4 != 0 { entries.append(ParameterEntry(key: "label-column", value: .int(0))) }
    if first & 8 != 0 { entries.append(ParameterEntry(key: "split-column", value: .int(1))) }
    if first & 16 != 0 { entries.append(ParameterEntry(key: "standardize", value: .bool(true))) }
    var reader = ParameterReader(entries, path: "data", locations: SourceLocations())
    guard let source = try? CSVDataset(parameters: &reader) else { return }
    _ = try? source.split(of: data.dropFirst())
}

/// CSV bytes read as rows of features and a label, checking four properties with a trap when one
/// fails: the bytes with CRLF record ends (line feeds outside quotes) and a byte-order mark (when they
/// have neither) read as the same rows; so do the bytes with CR record ends (old Mac OS's); the bytes
/// with every cell quoted (when they hold no quote) read as the same rows; and the labels in reverse
/// row order form the same classes in the same order.
private func checkCSVLabels(_ data: Data) {
    var reader = ParameterReader([ParameterEntry(key: "path", value: .string("fuzz.csv")), ParameterEntry(key: "header", value: .bool(false))],
                                 path: "data", locations: SourceLocations())
    let source = try! CSVDataset(parameters: &reader)
    let table = try? source.table(of: data)
    let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    if !data.contains(UInt8(ascii: "\r")), !data.starts(with: byteOrderMark) {
        let windows = Data(byteOrderMark + withRecordEnds(data, [UInt8(ascii: "\r"), UInt8(ascii: "\n")]))
        precondition((try? source.table(of: windows)) == table, "CRLF line ends and a byte-order mark read other rows")
        precondition((try? source.table(of: Data(withRecordEnds(data, [UInt8(ascii: "\r")])))) == table, "CR line ends read other rows")
    }
    // A lone CR ends a record too (as Python's csv module reads it); `everyCellQuoted` splits at LF only.
    if !data.contains(UInt8(ascii: "\"")), !data.starts(with: byteOrderMark), !containsLoneCarriageReturn(data) {
        precondition((try? source.table(of: everyCellQuoted(data))) == table, "the file with every cell quoted reads other rows")
    }
    guard let table else { return }
    let forward = try? CSVDataset.classes(of: table.labels, lines: table.lines)
    let backward = try? CSVDataset.classes(of: table.labels.reversed(), lines: table.lines.reversed())
    precondition(forward?.names == backward?.names && forward.map { Array($0.ofRow.reversed()) } == backward?.ofRow,
                 "the class order depends on the order of the rows")
}

/// Whether `data` holds a CR that no LF follows (a record end of its own).
func containsLoneCarriageReturn(_ data: Data) -> Bool {
    let bytes = [UInt8](data)
    return bytes.indices.contains { bytes[$0] == UInt8(ascii: "\r") && ($0 + 1 == bytes.count || bytes[$0 + 1] != UInt8(ascii: "\n")) }
}

/// `data` with every line feed outside double quotes replaced by `end` (CRLF, or CR): a line end
/// inside a quoted cell is part of the cell (RFC 4180), so only the record ends change.
func withRecordEnds(_ data: Data, _ end: [UInt8]) -> [UInt8] {
    var inQuotes = false, bytes = [UInt8]()
    bytes.reserveCapacity(data.count * 2)
    for byte in data {
        if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
        if byte == UInt8(ascii: "\n") && !inQuotes { bytes += end } else { bytes.append(byte) }
    }
    return bytes
}

/// Comma-separated `data` (holding no quote) with every cell of every line that is not empty in
/// double quotes, the line's end (LF, or CRLF) outside them.
func everyCellQuoted(_ data: Data) -> Data {
    let quote = UInt8(ascii: "\""), carriageReturn = UInt8(ascii: "\r")
    let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { line in
        let body = line.last == carriageReturn ? line.dropLast() : line[...]
        guard !body.isEmpty else { return Array(line) }
        let cells = body.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { [quote] + $0 + [quote] }
        return Array(cells.joined(separator: [UInt8(ascii: ",")])) + (line.last == carriageReturn ? [carriageReturn] : [])
    }
    return Data(lines.joined(separator: [UInt8(ascii: "\n")]))
}

/// The context templates are rendered against: the report of a two-width, three-fraction study.
/// Built once and never mutated.
private let templateContext: TemplateValue = {
    let study = try! Study(StudyConfig(models: [StudyConfig.mlp(4), StudyConfig.mlp(8)], fractions: [0, 0.3, 0.6], seeds: [1, 2],
                                       training: TrainingSettings(epochs: 3)))
    let results = StudyResults(study: study, runs: runStudy(study, threads: 1).results, toolVersion: "fuzz")
    return reportContext(for: results, format: .markdown, settings: ReportSettings(command: "make-report", figureExtension: "png"))
}()

/// A stored payload under a checksum that holds, as `RunStore` reads it: a run that passes
/// `storedRunProblem` must be publishable (results.json encodes it: every metric finite) and read
/// back, after the store encodes it again, as the same run that passes again; a trap otherwise.
private func checkStoredRun(_ data: Data) {
    let key = String(repeating: "0", count: 64)
    guard case .success(let stored) = decodeStoredRun(key: key, payload: data, checksum: storedRunChecksum(key: key, payload: data)),
          storedRunProblem(stored.result, spec: RunSpec(fraction: stored.result.fraction, series: 0, seed: stored.result.seed), trainingRows: 350,
                           testRows: 150, recordable: nil) == nil else {
        return
    }
    let published = try? JSONEncoder().encode(stored.result)
    precondition(published != nil, "an accepted stored run cannot be written to results.json")
    let again = try? encodeStoredRun(stored)
    guard let again, case .success(let decoded) = decodeStoredRun(key: key, payload: again, checksum: storedRunChecksum(key: key, payload: again)),
          decoded == stored, storedRunProblem(decoded.result, spec: nil, trainingRows: 350, testRows: 150, recordable: nil) == nil else {
        preconditionFailure("an accepted stored run does not read back as itself")
    }
}
