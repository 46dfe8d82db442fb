import Foundation
import PoisoningAnalysis

/// Every failed check of an output folder, as sentences (empty when it passes): results.json and
/// performance.json present and decodable, no timings in results.json, the three figures present
/// as PNG files, and the checks of `StudyResults.validationFailures()`.
public func outputFolderFailures(_ folder: URL) -> [String] {
    var failures = [String]()
    let decoder = JSONDecoder()
    if let data = try? Data(contentsOf: folder.appendingPathComponent("performance.json")) {
        if (try? decoder.decode(PerformanceRecord.self, from: data)) == nil {
            failures.append("performance.json is not a valid performance record")
        }
    } else {
        failures.append("performance.json is missing")
    }
    for figure in ["accuracy_vs_poison", "generalization_gap", "train_vs_test"] {
        let data = try? Data(contentsOf: folder.appendingPathComponent("figures/\(figure).png"))
        if data?.starts(with: [0x89, 0x50, 0x4E, 0x47]) != true {
            failures.append("figures/\(figure).png is missing or not a PNG file")
        }
    }
    guard let data = try? Data(contentsOf: folder.appendingPathComponent("results.json")) else {
        return ["results.json is missing"] + failures
    }
    let results: StudyResults
    do {
        results = try decoder.decode(StudyResults.self, from: data)
    } catch {
        return ["results.json does not decode: \(error)"] + failures
    }
    let timings = timingKeys(inJSON: data)
    if !timings.isEmpty { failures.append("results.json holds timings: \(timings.joined(separator: ", "))") }
    return results.validationFailures() + failures
}
