import Foundation
import Plotting
import PoisoningAnalysis
import PoisoningEngine
import PoisoningFigures
import PoisoningReport
import StudyFile

/// How a study's outputs are written: figure formats and resolution, report templates.
public struct OutputSettings: Sendable {
    /// Figure formats; the first one a report prefers is used in it.
    public var figureFormats: [ImageFormat]
    /// Resolution of raster figures.
    public var dpi: Double
    /// The reports to render.
    public var templates: [ReportTemplate]
    /// Fail, instead of warning, when a template names a variable the report does not have.
    public var strict: Bool
    /// The command that regenerates the outputs, shown in the reports.
    public var command: String
    /// The output folder, as the user named it: the published files (study.yaml, results.json, the
    /// reports) name the study's files relative to it (`movingPaths`), so that the folder's
    /// study.yaml runs from anywhere, and the folder can move together with its data.
    public var folder: String
    /// Worker threads that draw and encode the figures, make the reports that link them meanwhile,
    /// and check the templates before the runs (the same bytes for any number).
    public var threads: Int

    /// Settings with the given values.
    public init(figureFormats: [ImageFormat], dpi: Double, templates: [ReportTemplate], strict: Bool, command: String,
                folder: String, threads: Int = 1) {
        self.figureFormats = figureFormats
        self.dpi = dpi
        self.templates = templates
        self.strict = strict
        self.command = command
        self.folder = folder
        self.threads = threads
    }
}

/// What `writeStudyOutputs` wrote, and what the user should hear about.
public struct WrittenOutputs: Sendable {
    /// Every file written, relative to the output folder, in writing order.
    public let files: [String]
    /// The report files (e.g. report.md, report.tex, report.html).
    public let reports: [String]
    /// Warnings, one line each (template variables the report does not have).
    public let warnings: [String]
    /// The report's model, from which every report was rendered (its `findings` for the commands to print).
    public let report: ReportModel
}

/// The largest resolution at which a report embeds a PNG figure that was written: above it the
/// report gets a figure of its own in its preferred format, so that a page of embedded figures stays small.
let maximumEmbeddedDPI = 150.0

/// Writes the outputs of `results` into the staged `folder`: study.yaml (the effective study),
/// results.json, its tidy tables runs.csv and points.csv (`TidyTables`), the figures in figures/ and
/// one report per template (`parsed`, as `checkTemplates` returns them, else parsed here). Every
/// relative path of the study, relative to the working directory in `results`, is written relative
/// to `settings.folder`. The
/// figures, the report model and its finding sentences are computed once, for every report. Nothing
/// reaches the output folder before the caller publishes it; a template that fails (syntax, a
/// rendering too large, or an unknown variable when strict) throws.
public func writeStudyOutputs(_ results: StudyResults, study: StudyLayout, settings: OutputSettings, parsed: [ParsedTemplate]? = nil,
                              into folder: StagedOutputFolder) throws -> WrittenOutputs {
    let results = results.movingPaths(from: ".", to: settings.folder)
    var files = [String]()
    func write(_ data: Data, _ name: String) throws {
        try folder.write(data, to: name)
        files.append(name)
    }
    let header = ["The effective study of the results in this folder: every setting, defaults filled in.",
                  "`make-report run --study study.yaml` regenerates the same results."]
    try write(Data(studyFileText(writtenStudyConfig(results), help: study.design.help, header: header).utf8), "study.yaml")
    try write(try results.jsonData(), "results.json")
    for table in TidyTables.files(results) { try write(Data(table.text.utf8), table.name) }
    let figures = studyFigures(results)
    let figureFiles = figures.flatMap { figure in settings.figureFormats.map { (figure: figure, format: $0) } }
    let templates = settings.templates
    precondition(parsed.map { $0.count == templates.count } ?? true, "one parsed template per template")
    // Parsed here when not given; a parse error is thrown where it was before the step below made the
    // linked reports beside the figures: after the figures', before any report's.
    let parsings = parsed.map { $0.map { Result<ParsedTemplate, any Error>.success($0) } }
        ?? templates.map { template in Result { try parseTemplate(template.text, fileName: template.name) } }
    /// Report `index`, its figures linked or embedded as its format places them (`rendered`: the
    /// figure files written, by file name; a report that links its figures needs none).
    @Sendable func report(_ index: Int, model: ReportModel, rendered: [String: Data]) throws -> RenderedReport {
        let template = templates[index]
        var font: Font?
        let context = try templateContext(model, format: template.format) { figure in
            switch template.format.definition.figurePlacement {
            case let .linked(preferred):
                let format = preferred.first(where: settings.figureFormats.contains) ?? settings.figureFormats[0]
                return "figures/\(figure.name).\(format.rawValue)"
            case let .embedded(preferred):
                let embedded = embeddedFigureFormat(preferring: preferred, settings: settings)
                if embedded.written, let data = rendered["\(figure.name).\(embedded.format.rawValue)"] { return dataURI(data, format: embedded.format) }
                return try drawnFigureURI(figure.name, of: figures, format: embedded.format, dpi: embedded.dpi, font: &font)
            }
        }
        return try renderReport(parsings[index].get(), fileName: template.name, context: context, strict: settings.strict)
    }
    // One step on the workers: the report model with every report that links its figures (whose text
    // needs none of their bytes; the first task, the longest), and each figure file drawn and encoded;
    // then the reports that embed the figures. Errors come as they did one after another: the
    // figures' in file order, then the reports' in template order.
    let linked = templates.indices.filter { if case .linked = templates[$0].format.definition.figurePlacement { true } else { false } }
    let steps = parallelMap(count: 1 + figureFiles.count, threads: settings.threads) { step -> OutputStep in
        guard step > 0 else {
            let model = ReportModel(results, command: settings.command, figures: figures)
            return .linkedReports(model, Dictionary(uniqueKeysWithValues: linked.map { index in
                (index, Result { try report(index, model: model, rendered: [:]) })
            }))
        }
        let file = figureFiles[step - 1]
        return .figure(step - 1, Result { try renderStudyFigure(file.figure, format: file.format, dpi: settings.dpi) })
    }
    var made: (model: ReportModel, reports: [Int: Result<RenderedReport, any Error>])?
    var figureData = [Result<Data, any Error>?](repeating: nil, count: figureFiles.count)
    for step in steps {
        switch step {
        case .linkedReports(let model, let reports): made = (model, reports)
        case .figure(let index, let data): figureData[index] = data
        }
    }
    var rendered = [String: Data]()
    for (file, data) in zip(figureFiles, figureData) {
        let name = studyFigureFileName(file.figure, format: file.format), bytes = try data!.get()
        try write(bytes, "figures/" + name)
        rendered[name] = bytes
    }
    let model = made!.model
    for parsing in parsings { _ = try parsing.get() }

    var reports = [String](), warnings = [String]()
    for (index, template) in templates.enumerated() {
        let report = try made!.reports[index]?.get() ?? report(index, model: model, rendered: rendered)
        warnings += report.unknownVariables.map { variable in
            "\(template.name):\(variable.line):\(variable.column): unknown variable \(quotedUserText(variable.name)) renders as empty text"
        }
        let name = template.format.reportFileName
        try write(Data(report.text.utf8), name)
        reports.append(name)
    }
    return WrittenOutputs(files: files, reports: reports, warnings: warnings, report: model)
}

/// One task of `writeStudyOutputs`' parallel step: the report model with the reports that link their
/// figures (by template index), or figure file `index` drawn and encoded.
private enum OutputStep: Sendable {
    case linkedReports(ReportModel, [Int: Result<RenderedReport, any Error>])
    case figure(Int, Result<Data, any Error>)
}

/// The study that study.yaml writes for `results`: their configuration, except that an adaptive
/// study's keeps its own `seeds` block (`sequential.settings`, defaults filled in), not the fixed seeds of
/// its last look, so that running the file runs the same looks and gives the same bytes.
func writtenStudyConfig(_ results: StudyResults) -> StudyConfig {
    var config = results.config
    if let settings = results.sequential?.settings {
        config.seeds = settings.values
        config.sequential = settings
    }
    return config
}

/// The warnings about runs without metrics, diverged or failed (`RunResult.failure`): the first three by name, then a count of each kind, the
/// diverged ones with the advice that applies to a divergence (a smaller learning rate), the failed
/// ones with the first one's reason, which says what to change. Such a run is left out of the
/// averages; results.json and the report list it, so `--quiet` (nothing but errors) may leave these out.
public func divergenceWarnings(_ runs: [RunResult]) -> [String] {
    let stopped = runs.filter { $0.divergence != nil }
    var warnings = stopped.prefix(3).map { "\($0.divergence!); left out of the averages" }
    guard stopped.count > 3 else { return warnings }
    let failed = stopped.filter(\.hasFailed)
    if stopped.count > failed.count {
        warnings.append("\(stopped.count - failed.count) of \(runs.count) runs diverged in all (listed in results.json); a smaller --lr usually helps")
    }
    if let first = failed.first, let reason = first.failure {
        warnings.append("\(failed.count) of \(runs.count) runs failed in all (listed in results.json); the first because \(reason)")
    }
    return warnings
}

/// How a report that embeds its figures, preferring the formats `preferred`, shows them: in the
/// first preferred format written (a PNG only at a resolution a page needs) at the figures'
/// resolution (`written`: the written figure itself), else in the first preferred format, made for
/// the report alone at `maximumEmbeddedDPI`.
func embeddedFigureFormat(preferring preferred: [ImageFormat], settings: OutputSettings) -> (format: ImageFormat, dpi: Double, written: Bool) {
    if let written = preferred.first(where: { settings.figureFormats.contains($0) && ($0 != .png || settings.dpi <= maximumEmbeddedDPI) }) {
        return (written, settings.dpi, true)
    }
    return (preferred[0], maximumEmbeddedDPI, false)
}

/// The data URI of the figure `name` of `figures` drawn for a report alone, in `format` at `dpi`
/// (`embeddedFigureFormat`), with `font`, made on first use.
private func drawnFigureURI(_ name: String, of figures: [StudyFigure], format: ImageFormat, dpi: Double, font: inout Font?) throws -> String {
    let chart = figures.first { $0.name == name }!.chart
    font = try font ?? Font()
    return dataURI(try chart.render(format: format, dpi: dpi, font: font!).canvas.render(), format: format)
}

/// Checks every template of `settings` before any run: each must parse (`parseTemplate`), render
/// within `maximumRenderSteps` and `maximumReportBytes`, and under `strict` name no variable that
/// the report of `study` will lack. Both are found against the context of provisional results
/// (every run of the study with made-up metrics, the detection metrics for every defended run; the
/// context's names and list lengths do not depend on the values), with the lists that results may
/// lengthen at their longest. A template of a format that embeds its figures (HTML) is forecast with
/// the provisional results' figures rendered as the report embeds them (data URIs of many
/// kilobytes, where a linked figure's path is a few characters), so that a template that repeats
/// them is refused before the runs; the shipped templates show each figure once, and skip that work.
/// Returns the parsed templates, for `writeStudyOutputs`.
@discardableResult
public func checkTemplates(_ settings: OutputSettings, study: StudyLayout) throws -> [ParsedTemplate] {
    // Every command that runs a study takes this before its first run, in two steps shared out
    // between two workers (one under `--threads 1`): the provisional results analysed into their figures and report model (the
    // longest task, first), the font those figures are measured with looked up, and each template
    // parsed (the largest first); then each template's context made and its rendering checked.
    // Errors come in the order of the checks: every template's parse, then each template's context
    // and rendering.
    let templates = settings.templates
    let parseOrder = templates.indices.sorted { templates[$0].text.utf8.count > templates[$1].text.utf8.count }
    let workers = max(1, min(2, settings.threads))
    let steps = parallelMap(count: 2 + templates.count, threads: workers) { step -> TemplateCheckStep in
        switch step {
        case 0:
            let results = provisionalResults(study)
            let figures = studyFigures(results)
            return .provisional(figures, ReportModel(results, command: settings.command, figures: figures))
        case 1:
            Font.lookUpDefaultFamily()
            return .fontLookedUp
        default:
            let index = parseOrder[step - 2]
            return .parsed(index, Result { try parseTemplate(templates[index].text, fileName: templates[index].name) })
        }
    }
    var parsings = [Result<ParsedTemplate, any Error>?](repeating: nil, count: templates.count)
    var provisional: (figures: [StudyFigure], model: ReportModel)?
    for step in steps {
        switch step {
        case .provisional(let figures, let model): provisional = (figures, model)
        case .parsed(let index, let parsing): parsings[index] = parsing
        case .fontLookedUp: break
        }
    }
    let parsed = try parsings.map { try $0!.get() }
    let (figures, model) = provisional!
    let longestLists = longestResultLists(runCount: study.runSpecs.count)
    let checks = parallelMap(count: templates.count, threads: workers) { index -> Result<Void, any Error> in
        let template = templates[index]
        var font: Font?
        return Result {
            let context = try templateContext(model, format: template.format) { figure in
                guard case let .embedded(preferred) = template.format.definition.figurePlacement,
                      template.text != ReportTemplate.shipped(template.format).text else { return "figures/\(figure.name).png" }
                let embedded = embeddedFigureFormat(preferring: preferred, settings: settings)
                return try drawnFigureURI(figure.name, of: figures, format: embedded.format, dpi: embedded.dpi, font: &font)
            }
            _ = try checkRendering(parsed[index], fileName: template.name, context: context, strict: settings.strict, longestLists: longestLists)
        }
    }
    for check in checks { try check.get() }
    return parsed
}

/// One of the tasks of `checkTemplates`' first step: the provisional results' figures and report
/// model, the font looked up, or a template parsed (or why it could not be) with its index among the
/// templates.
private enum TemplateCheckStep: Sendable {
    case provisional([StudyFigure], ReportModel)
    case fontLookedUp
    case parsed(Int, Result<ParsedTemplate, any Error>)
}

/// The provisional results `checkTemplates` checks the templates against: every run of `study` with
/// made-up metrics, the detection metrics for every defended run.
private func provisionalResults(_ study: StudyLayout) -> StudyResults {
    let chance = 1 / Double(study.sizes.classes)
    let runs = study.runSpecs.map { spec in
        let accuracy = max(chance, 0.9 - spec.fraction)
        var metrics = [MetricKey.testAccuracy: accuracy, MetricKey.trainAccuracy: accuracy, MetricKey.trainCleanAccuracy: accuracy,
                       MetricKey.generalizationGap: 0, MetricKey.finalLoss: 0.5]
        for metric in study.attackMetrics + study.measuredMetrics { metrics[metric.key] = spec.fraction }
        if !study.series[spec.series].isUndefended { for key in MetricKey.detection { metrics[key] = spec.fraction } }
        return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: spec.fraction,
                         metrics: metrics, divergence: nil)
    }
    // Few bootstrap replicates: the context's shape does not depend on them, and the study's own
    // number (1000 by default) made this check a tenth of a rerun's time.
    return StudyResults(layout: study, runs: runs, toolVersion: toolVersion, bootstrapReplicates: 20)
}
