import Foundation
import PoisoningAnalysis
import PoisoningFigures

/// Every failed check of an output folder, as sentences (empty when it passes): results.json and
/// performance.json present and decodable, no timings in results.json, every figure of the study
/// present as a PNG file, and the checks of `StudyResults.validationFailures()`.
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
    /// Every figure the study should have, as a PNG file.
    func checkFigures(_ names: [String]) {
        for figure in names {
            let data = try? Data(contentsOf: folder.appendingPathComponent("figures/\(figure).png"))
            if data?.starts(with: [0x89, 0x50, 0x4E, 0x47]) != true {
                failures.append("figures/\(figure).png is missing or not a PNG file")
            }
        }
    }
    let basicFigures = ["accuracy_vs_poison", "generalization_gap", "train_vs_test"]
    guard let data = try? Data(contentsOf: folder.appendingPathComponent("results.json")) else {
        checkFigures(basicFigures)
        return ["results.json is missing"] + failures
    }
    let results: StudyResults
    do {
        results = try decoder.decode(StudyResults.self, from: data)
    } catch {
        checkFigures(basicFigures)
        return ["results.json does not decode: \(error)"] + failures
    }
    checkFigures(studyFigures(results).map(\.name))
    let timings = timingKeys(inJSON: data)
    if !timings.isEmpty { failures.append("results.json holds timings: \(timings.joined(separator: ", "))") }
    return results.validationFailures() + failures
}
