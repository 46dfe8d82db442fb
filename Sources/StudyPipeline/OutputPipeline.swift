import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningReport

/// The results a command made for its study, and the timings of making them.
public struct ProducedResults {
    /// The analysed results.
    public let results: StudyResults
    /// performance.json, given the SHA-256 of results.json and called once every output is written
    /// (so that its wall time covers them); nil when the timings are not known.
    public let performance: (_ resultsSHA256: String) -> PerformanceRecord?

    /// Results with their timings.
    public init(results: StudyResults, performance: @escaping (_ resultsSHA256: String) -> PerformanceRecord?) {
        self.results = results
        self.performance = performance
    }
}

/// What a command published.
public struct PublishedOutputs {
    /// The results.
    public let results: StudyResults
    /// What was written, with the report's model (its finding sentences).
    public let written: WrittenOutputs
    /// performance.json, when it was written.
    public let performance: PerformanceRecord?
    /// The output folder, absolute.
    public let folder: URL
    /// Warnings, one line each: template variables the report does not have, and files that
    /// appeared in the folder while it was being replaced.
    public let warnings: [String]
}

/// The one pipeline behind `run`, `check` and `merge`: check the templates before any work, take
/// the output folder, make the results (train, or merge), write every output, and publish the
/// folder as a whole. The commands only parse their options and say what they did.
public struct OutputPipeline {
    /// The layout of the study whose outputs are written (its study.yaml): never its data.
    public let study: StudyLayout
    /// How the outputs are written.
    public let settings: OutputSettings
    /// The templates of `settings`, parsed and checked.
    private let parsed: [ParsedTemplate]

    /// Checks every template of `settings` against `study` (`checkTemplates`), so that a bad one
    /// stops the command before any run.
    public init(study: StudyLayout, settings: OutputSettings) throws {
        self.study = study
        self.settings = settings
        parsed = try checkTemplates(settings, study: study)
    }

    /// Takes the output folder at `path` (its lock held until it is published; refused, before any
    /// work, when it is not make-report's), calls `produce` for the results, writes every output
    /// (`writeStudyOutputs`) and performance.json, and publishes the folder. `staging` is given the
    /// function that takes the staged folder, to call it (`run`: as one step with handing the folder's
    /// `interruptionCleanup` to the handler of interruptions). `verified` holds the files of the folder
    /// that the command's check of its options found unchanged.
    public func publish(into path: String, verified: VerifiedContents = VerifiedContents(),
                        staging: (_ take: () throws -> StagedOutputFolder) throws -> StagedOutputFolder = { try $0() },
                        produce: () throws -> ProducedResults) throws -> PublishedOutputs {
        let folder = try staging { try StagedOutputFolder(path: path, verified: verified) }
        let produced = try produce()
        let written = try writeStudyOutputs(produced.results, study: study, settings: settings, parsed: parsed, into: folder)
        let performance = produced.performance(folder.hash(of: "results.json") ?? "")
        try performance?.write(into: folder)
        let published = try folder.publish()
        return PublishedOutputs(results: produced.results, written: written, performance: performance, folder: folder.target,
                                warnings: folder.leftoverWarnings + written.warnings + published)
    }
}
