import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningFigures

/// Every failed check of an output folder, as sentences (empty when it passes):
/// - results.json present and consistent (`StudyResults.read`: its runs are its study's, and its
///   analysis is that of its runs), without timings, passing `StudyResults.validationFailures()`
///   (counts, valid metric ranges, and the reference study's curve checks), of the schema version
///   this make-report reads;
/// - runs.csv and points.csv present and byte for byte the tables of that results.json;
/// - manifest.json present, every file it lists present with its hash, and no other file in the
///   folder but shard part files, report.pdf and what compiling report.tex in place leaves (so a mix of two runs fails);
/// - performance.json, when present (it holds timings, so it is never committed and a fresh checkout
///   lacks it), decodable and naming the hash of this results.json;
/// - every figure of the study present in at least one format, and every figure file complete
///   (PNG chunks and their CRCs up to IEND, a PDF's closing `%%EOF`, an SVG's closing `</svg>`).
///
/// Only the folder's own files are read: never the study's data set, wherever its study file says it is.
public func outputFolderFailures(_ folder: URL) -> [String] {
    var failures = [String]()
    // Every file, read once.
    let entries = (try? entriesBelow(folder)) ?? []
    let files = entries.filter { $0.kind == .file }.map(\.path)
    for entry in entries where entry.kind == .other { failures.append("\(entry.path) is neither a regular file nor a folder") }
    var contents = [String: Data]()
    for name in files { contents[name] = try? Data(contentsOf: folder.appendingPathComponent(name)) }

    let resultsData = contents["results.json"]
    var results: StudyResults?
    if let resultsData, let problem = StudyResults.schemaVersionProblem(resultsData) {
        failures.append("\(ResultsFileError(reason: problem))")
    } else if let resultsData {
        let decoded: StudyResults?
        do {
            decoded = try JSONDecoder().decode(StudyResults.self, from: resultsData)
        } catch {
            decoded = nil
            failures.append("\(ResultsFileError(reason: "does not decode: \(decodingFailure(error, in: resultsData))"))")
        }
        if let decoded {
            do {
                results = try StudyResults.verified(decoded, bytes: resultsData)
            } catch {
                failures.append("\(error)")
                // Out-of-range metrics of a file that decodes but is inconsistent are still worth naming.
                failures += decoded.metricRangeFailures()
            }
        }
        let timings = timingKeys(inJSON: resultsData)
        if !timings.isEmpty { failures.append("results.json holds timings: \(timings.joined(separator: ", "))") }
    } else {
        failures.append("results.json is missing")
    }
    if let results { failures += results.validationFailures() + tidyTableFailures(results, contents: contents) }

    // The manifest: one consistent set.
    if contents[OutputManifest.fileName] != nil {
        switch OutputOwnership.readManifest(in: folder) {
        case .success(let manifest):
            for (name, hash) in manifest.files.sorted(by: { $0.key < $1.key }) {
                guard let bytes = contents[name] else {
                    failures.append("\(name) is listed in manifest.json but missing")
                    continue
                }
                if SHA256.hexDigest(of: bytes) != hash { failures.append("\(name) differs from the file manifest.json lists (changed, or from another run)") }
            }
            for name in files where manifest.files[name] == nil && !manifest.unhashedFiles.contains(name)
                && name != OutputManifest.fileName && !OutputOwnership.isKeptBesideSet(name) {
                failures.append("\(name) is not part of this output set (manifest.json does not list it)")
            }
        case .failure(let problem):
            failures.append("manifest.json is not valid: the folder has \(problem)")
        }
    } else {
        failures.append("manifest.json is missing")
    }

    if let data = contents[PerformanceRecord.fileName] {
        if let performance = try? JSONDecoder().decode(PerformanceRecord.self, from: data) {
            if let resultsData, performance.resultsSHA256 != SHA256.hexDigest(of: resultsData) {
                failures.append("performance.json belongs to another results.json")
            }
        } else {
            failures.append("performance.json is not a valid performance record")
        }
    }

    // Figures: each of the study's in some format, and every figure file complete.
    let figureNames = results.map { studyFigures($0).map(\.name) } ?? ["accuracy_vs_poison", "generalization_gap", "train_vs_test"]
    for name in figureNames where !["png", "pdf", "svg"].contains(where: { files.contains("figures/\(name).\($0)") }) {
        failures.append("figures/\(name) is missing (no PNG, PDF or SVG file)")
    }
    for name in files where name.hasPrefix("figures/") {
        guard let data = contents[name] else { continue }
        if let problem = imageFileProblem(data, extension: (name as NSString).pathExtension) {
            failures.append("\(name) is not a complete image: \(problem)")
        }
    }
    return failures
}

/// The failures of the tidy tables beside `results` (`contents`, the folder's files by path): each
/// missing, or not the table results.json gives, with its first line that differs.
func tidyTableFailures(_ results: StudyResults, contents: [String: Data]) -> [String] {
    TidyTables.files(results).compactMap { table -> String? in
        guard let bytes = contents[table.name] else { return "\(table.name) is missing" }
        let expected = Array(table.text.utf8)
        guard [UInt8](bytes) != expected else { return nil }
        let found = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let wanted = table.text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (zip(found, wanted).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(found.count, wanted.count)) + 1
        return "\(table.name) does not hold the numbers of results.json (line \(line) differs)"
    }
}

/// Why `path` is no output folder that `validate` or `check` can read, in one clause naming it, or
/// nil: it must exist, be a folder (not a file, nor a device such as /dev/null), and hold a
/// results.json that is a regular file of at most `maximumResultsFileBytes` (`userFileProblem`).
/// Looks with stat(2) only; opens nothing.
public func outputFolderReadingProblem(_ path: String) -> String? {
    var status = stat()
    guard stat(path, &status) == 0 else { return "cannot read \(quotedUserText(path, keepingEnd: true)): \(String(cString: strerror(errno)))" }
    guard status.st_mode & S_IFMT == S_IFDIR else { return "\(quotedUserText(path, keepingEnd: true)) is not a folder; give an output folder" }
    let results = (path as NSString).appendingPathComponent("results.json")
    guard lstat(results, &status) == 0 else {
        return "\(quotedUserText(path, keepingEnd: true)) holds no results.json, so it is no output folder make-report wrote"
    }
    return userFileProblem(results, maximumBytes: maximumResultsFileBytes)?.description
}

/// What checking the output folder `folder` (`outputFolderFailures`) holds in memory beyond the
/// process's own, file by file (path relative to the folder, bytes), in the order of the listing:
/// every regular file read at once, its size, and results.json decoded (its `jsonDecodingBytes`),
/// so that a refusal can name the file that is too large. A folder that cannot be listed holds nothing.
public func outputFolderReadingBytes(_ folder: URL) -> [(name: String, bytes: Double)] {
    let files = ((try? entriesBelow(folder)) ?? []).filter { $0.kind == .file }.map(\.path)
    return files.map { name in
        let path = folder.appendingPathComponent(name).path
        if name == "results.json" { return (name, jsonDecodingBytes(ofFileAt: path)) }
        var status = stat()
        return (name, stat(path, &status) == 0 ? Double(status.st_size) : 0)
    }
}

/// Why the bytes of a .png, .pdf or .svg file are not a complete image of that format, or nil:
/// a PNG must be its signature, then chunks whose CRC-32 match, ending with IEND and nothing after;
/// a PDF must start with `%PDF-` and end with `%%EOF`; an SVG must hold `<svg` and end with `</svg>`.
public func imageFileProblem(_ data: Data, extension fileExtension: String) -> String? {
    let bytes = [UInt8](data)
    switch fileExtension.lowercased() {
    case "png":
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.starts(with: signature) else { return "no PNG signature" }
        var offset = signature.count
        while offset + 12 <= bytes.count {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            let end = offset + 8 + length + 4
            guard length <= 0x7FFF_FFFF, end <= bytes.count else { return "a chunk runs past the end of the file (truncated)" }
            let stored = bytes[end - 4..<end].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard crc32(bytes[offset + 4..<end - 4]) == stored else { return "a chunk's CRC does not match its bytes" }
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            offset = end
            if type == "IEND" { return offset == bytes.count ? nil : "bytes follow the IEND chunk" }
        }
        return "no IEND chunk (truncated)"
    case "pdf":
        guard bytes.starts(with: Array("%PDF-".utf8)) else { return "no %PDF- header" }
        let tail = String(decoding: bytes.suffix(32), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return tail.hasSuffix("%%EOF") ? nil : "no closing %%EOF (truncated)"
    case "svg":
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("<svg") else { return "no <svg> element" }
        return text.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</svg>") ? nil : "no closing </svg> (truncated)"
    default:
        return nil
    }
}

/// The CRC-32 (ISO-HDLC, polynomial 0xEDB88320 reflected, as PNG and zlib use) of `bytes`.
func crc32<Bytes: Collection>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
}
