import Foundation
import PoisoningEngine

/// A study's runs in the form `compare` needs, read from this tool's results.json or from the
/// results.json of the published study's Python code.
public struct ComparableStudy: Sendable {
    /// The series, by label (e.g. "MLP 64").
    public let seriesLabels: [String]
    /// The swept fractions, ascending.
    public let fractions: [Double]
    /// The seeds.
    public let seeds: [UInt64]
    /// Classes (for chance accuracy).
    public let classCount: Int
    /// Test rows every run is measured on.
    public let testCount: Int
    /// Every run, with `series` indexing `seriesLabels`.
    public let runs: [RunResult]
    /// Which format the file was in: "make-report <version>" or "published".
    public let format: String

    /// A study from its parts.
    init(seriesLabels: [String], fractions: [Double], seeds: [UInt64], classCount: Int, testCount: Int, runs: [RunResult],
         format: String) {
        self.seriesLabels = seriesLabels
        self.fractions = fractions
        self.seeds = seeds
        self.classCount = classCount
        self.testCount = testCount
        self.runs = runs
        self.format = format
    }

    /// Reads either format; a file that is neither throws `ComparisonInputError` with the reason.
    public init(json data: Data) throws {
        let decoder = JSONDecoder()
        if let decoded = try? decoder.decode(StudyResults.self, from: data) {
            let results: StudyResults
            do {
                results = try StudyResults.verified(decoded, bytes: data)
            } catch {
                throw ComparisonInputError(reason: "\(error)")
            }
            seriesLabels = results.series.map(\.label)
            fractions = results.config.fractions.sorted()
            seeds = results.config.seeds
            classCount = results.data.classCount
            testCount = results.data.testCount
            runs = results.runs
            format = "make-report \(results.toolVersion)"
            return
        }
        let published: PublishedResults
        do {
            published = try decoder.decode(PublishedResults.self, from: data)
        } catch {
            throw ComparisonInputError(reason: "neither a make-report results.json nor the published study's format ("
                + Self.describe(error) + ")")
        }
        let widths = published.config.hidden_widths
        seriesLabels = widths.map { "MLP \($0)" }
        fractions = published.config.poison_fractions.sorted()
        seeds = published.config.seeds
        classCount = published.config.n_classes
        // The published split: the first round(n · train_fraction) of a permutation train, the rest test.
        testCount = published.config.n_samples - Int((Double(published.config.n_samples) * published.config.train_fraction).rounded())
        runs = try published.runs.map { run in
            guard let series = widths.firstIndex(of: run.hidden_width) else {
                throw ComparisonInputError(reason: "a run has hidden_width \(run.hidden_width), which config.hidden_widths does not list")
            }
            return RunResult(fraction: run.poison_fraction, series: series, seed: run.seed, poisonedCount: 0,
                             realisedFraction: run.poison_fraction,
                             metrics: [MetricKey.testAccuracy: run.test_accuracy, MetricKey.trainAccuracy: run.train_accuracy,
                                       MetricKey.trainCleanAccuracy: run.train_clean_accuracy,
                                       MetricKey.generalizationGap: run.generalization_gap, MetricKey.finalLoss: run.final_loss],
                             divergence: nil)
        }
        format = "published"
    }

    /// A decoding error in one line: the missing or mistyped key and where.
    private static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing key '\(path(context).isEmpty ? "" : path(context) + ".")\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "wrong type at '\(path(context))'"
        case .dataCorrupted(let context): return path(context).isEmpty ? "not JSON" : "bad value at '\(path(context))'"
        @unknown default: return "\(error)"
        }
    }
}

/// A results file `compare` cannot read.
public struct ComparisonInputError: Error, CustomStringConvertible {
    /// Why.
    public let reason: String
    public var description: String { reason }
}

/// The fields of the published study's results.json that `compare` reads (see README.md).
private struct PublishedResults: Decodable {
    struct Config: Decodable {
        let n_samples: Int
        let n_classes: Int
        let train_fraction: Double
        let poison_fractions: [Double]
        let hidden_widths: [Int]
        let seeds: [UInt64]
    }

    struct Run: Decodable {
        let poison_fraction: Double
        let hidden_width: Int
        let seed: UInt64
        let train_accuracy: Double
        let test_accuracy: Double
        let train_clean_accuracy: Double
        let generalization_gap: Double
        let final_loss: Double
    }

    let config: Config
    let runs: [Run]
}
