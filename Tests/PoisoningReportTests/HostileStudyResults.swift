import Foundation
import PoisoningAnalysis
import PoisoningEngine
import TestSupport

/// Results of a CSV study whose title, data file name, label column, class labels and claim source
/// are the given hostile strings, with made-up runs (a report's text does not depend on how they were
/// trained): the input of the escaping tests of every report format. The CSV file is written into a
/// scratch folder named `folderName` (with this process's id).
func hostileCSVStudyResults(title: String, folderName: String, fileName: String, labelColumn: String,
                            labels: (even: String, odd: String)) throws -> StudyResults {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(folderName)-\(getpid())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let file = folder.appendingPathComponent(fileName)
    var rows = ["a,b,\(labelColumn)"]
    for row in 0..<120 {
        rows.append("\(Double(row % 7) / 7),\(Double(row % 5) / 5),\(row % 2 == 0 ? labels.even : labels.odd)")
    }
    try rows.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
    let claims = PublishedClaims(source: title, thresholds: [ClaimedThreshold(series: "MLP 8", fraction: 0.3)])
    let data = StudyConfig.component(CSVDataset.kind, ["path": .string(file.path), "label-column": .string(labelColumn)])
    let study = try Study(StudyConfig(title: title, data: data, models: [StudyConfig.mlp(8)], fractions: [0, 0.2, 0.4],
                                      seeds: [1, 2], training: TrainingSettings(epochs: 2), claims: claims))
    let runs = study.runSpecs.map { spec in
        RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: spec.fraction,
                  metrics: runMetrics(test: 0.9 - spec.fraction + (spec.seed == 1 ? 0.01 : -0.01), train: 1, trainClean: 0.95, loss: 0.3),
                  divergence: nil)
    }
    return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
}
