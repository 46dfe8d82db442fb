import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// The default largest number of runs a study may have (`--max-runs` raises it).
public let defaultMaximumRuns = 100_000

/// The memory a study needs at its peak, in bytes, estimated from its design and its split's sizes.
public struct StudyMemory: Sendable, Equatable {
    /// Making the data: the data source's `estimatedBytes`, the split included.
    public let making: Double
    /// The split, kept while the runs train.
    public let data: Double
    /// The clean models and targets the study keeps for its runs (`StudyDesign.trainedModels`, full,
    /// each the size of the largest model's); 0 without targets and measurements.
    public let trainedModels: Double
    /// The most one worker holds at once for the series that needs the most (`estimatedRunBytes`
    /// for as many of its runs as a worker takes at once).
    public let perWorker: Double
    /// The name of that series.
    public let largestSeries: String
    /// Its network's parameters.
    public let largestParameters: Int
    /// The workers that hold runs at once: the threads, or fewer when the runs come in fewer chunks.
    public let workers: Int
    /// The need of that series' attack or defense whose working memory is more than half of
    /// `perWorker` and names what holds it (`MemoryNeed.holder`: svm-gradient's kernel matrices): a
    /// refusal then names it and its remedy, not the model's parameters; nil otherwise.
    public var largestHolder: MemoryNeed? = nil

    /// The whole command's peak: the process's own memory plus the larger of making the data and
    /// the data with the models kept and every worker's runs.
    public var total: Double { processOverheadBytes + max(making, data + trainedModels + Double(workers) * perWorker) }
}

/// The memory of `design` on a split of `sizes` with `threads` worker threads, its data source's
/// `estimatedBytes` being `makingBytes` (a data file's is counted by reading it, so a command counts
/// it once): each series' runs are handed out `runsPerChunk` at a time, one chunk per worker, so a
/// worker holds at most that many runs of one series (`estimatedRunBytes`, the study's targets
/// measured in each) at the study's largest poison fraction, beside the clean models and targets the
/// study keeps. `classTrainRows`, the training rows of each class once the data are made, sizes
/// what an attack holds for some classes only (svm-gradient's pair); nil: the classes' even share.
public func estimatedStudyMemory(_ design: StudyDesign, sizes: SplitSizes, threads: Int, makingBytes: Double,
                                 classTrainRows: [Int]? = nil) -> StudyMemory {
    let config = design.config, series = design.seriesComponents
    let runsPerSeries = config.fractions.count * config.seeds.count
    let chunk = min(runsPerChunk(runs: series.count * runsPerSeries, threads: threads), max(runsPerSeries, 1))
    let poisoned = poisonCount(fraction: config.fractions.max() ?? 0, of: sizes.trainRows)
    let needs = series.map { m, a, d in
        let model = design.models[m].model(for: sizes)
        let run = RunSizes(split: sizes, model: model, settings: config.training, poisonedRows: poisoned, classTrainRows: classTrainRows)
        return (bytes: estimatedRunBytes(run, attack: design.attacks[a], defense: design.defenses[d], runs: chunk,
                                             measurements: design.measurements, targets: design.targets),
                label: design.seriesLabel(model: m, attack: a, defense: d), parameters: model.parameterCount, run: run, attack: a, defense: d)
    }
    let largest = needs.max { $0.bytes < $1.bytes }
    let chunks = series.count * ((runsPerSeries + chunk - 1) / chunk)
    // Targets and measurements (a clean baseline) keep clean models.
    let kept = design.targets.isEmpty && design.measurements.isEmpty ? 0 : needs.map { design.trainedModels.bytes($0.run) }.max() ?? 0
    var memory = StudyMemory(making: makingBytes, data: sizes.bytes, trainedModels: kept, perWorker: largest?.bytes ?? 0,
                             largestSeries: largest?.label ?? "", largestParameters: largest?.parameters ?? 0,
                             workers: max(1, min(threads, chunks)))
    if let largest {
        memory.largestHolder = [design.attacks[largest.attack].memoryNeed(largest.run), design.defenses[largest.defense].memoryNeed(largest.run)]
            .first { $0.holder != nil && 2 * $0.working > largest.bytes }
    }
    return memory
}

/// The factors of a study's run count, e.g. "9 fractions x 3 series x 3 seeds" (an adaptive study's
/// seeds at their most, "up to 40 seeds").
public func runCountFactors(_ design: StudyDesign) -> String {
    func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 || noun == "series" ? "" : "s")" }
    return "\(counted(design.config.fractions.count, "fraction")) x \(counted(design.seriesComponents.count, "series")) x "
        + (design.config.sequential == nil ? "" : "up to ") + counted(design.seedCount, "seed")
}

/// Why the study of `design` is too large to start, in one sentence, or nil: more runs than
/// `maximumRuns`; data that need more than `budget` to make (`makingBytes`, the data source's
/// `estimatedBytes`); or, when the split's `sizes` are known (from the data source's settings before
/// the data are made, or from the data), a study whose data and largest run on each of `threads`
/// workers at once (fewer when the runs come in fewer chunks) would need more than `budget`, less
/// what a limit reserves for that many threads.
public func studySizeProblem(_ design: StudyDesign, sizes: SplitSizes?, threads: Int, maximumRuns: Int, makingBytes: Double,
                             budget: MemoryBudget = MemoryBudget(), classTrainRows: [Int]? = nil) -> String? {
    let runs = design.runCount
    if runs > maximumRuns {
        return "the study has \(runs) runs (\(runCountFactors(design))), more than --max-runs \(maximumRuns); raise --max-runs if you mean it"
    }
    // The data are made on one thread.
    let memory = sizes.map { estimatedStudyMemory(design, sizes: $0, threads: threads, makingBytes: makingBytes, classTrainRows: classTrainRows) }
    let making = processOverheadBytes + makingBytes
    if making > budget.bytes(threads: 1) {
        return "making the data set (\(design.data.label)) needs about " + memoryText(making) + ", more than "
            + budget.description(threads: 1) + "; use fewer samples, features or classes, or a smaller file"
    }
    guard let memory, runs > 0 else { return nil }
    // A limit's reserve counts the threads the runs use: no more than their chunks.
    if memory.total > budget.bytes(threads: memory.workers) {
        let training = Double(memory.workers) * memory.perWorker
        // What holds most of the largest run, named with its remedy in a line the CLI prints whole
        // (at most 400 characters, `printableErrorLine`): neither the data's share nor the series
        // would change the remedy.
        if memory.making <= memory.data + training, let need = memory.largestHolder, let holder = need.holder {
            return "the study needs about " + memoryText(memory.total) + ", more than " + budget.description(threads: memory.workers)
                + ": \(holder.what) take " + memoryText(need.working) + " a run" + (memory.workers > 1 ? ", on each of \(memory.workers) threads" : "")
                + "; " + holder.remedy + (memory.workers > 1 ? ", or fewer --threads" : "")
        }
        return "the study needs about " + memoryText(memory.total) + " (" + memoryText(memory.making) + " to make the data, then "
            + memoryText(memory.data) + " of data" + (memory.trainedModels > 0 ? ", " + memoryText(memory.trainedModels) + " of clean models and targets kept" : "")
            + " and " + memoryText(memory.perWorker) + " for the largest run, \(memory.largestSeries) "
            + (memory.largestHolder.flatMap { need in need.holder.map { "(" + memoryText(need.working) + " of it \($0.what))" } }
                ?? "with \(memory.largestParameters) parameters")
            + (memory.workers > 1 ? ", on each of \(memory.workers) threads" : "")
            + "), more than " + budget.description(threads: memory.workers) + "; "
            + (memory.making > memory.data + training ? "use fewer samples or features" : "use smaller models, fewer features or fewer --threads")
    }
    return nil
}

/// `studySizeProblem` of a study whose data are made: judged on its split's sizes and its classes'
/// training rows.
public func studySizeProblem(_ study: Study, threads: Int, maximumRuns: Int, makingBytes: Double,
                             budget: MemoryBudget = MemoryBudget()) -> String? {
    let classes = study.split.train.classCount, labels = study.split.train.labels
    let classTrainRows = labels.reduce(into: [Int](repeating: 0, count: classes)) { counts, label in if counts.indices.contains(label) { counts[label] += 1 } }
    return studySizeProblem(study.design, sizes: study.split.sizes, threads: threads, maximumRuns: maximumRuns, makingBytes: makingBytes,
                            budget: budget, classTrainRows: classTrainRows)
}

/// The memory that decoding the JSON document `data` holds at its peak, in bytes, beside the
/// process's own: its bytes twice (the document, and the decoded strings, which hold at most as many
/// bytes as the document: a results.json holding one 300 MB string needs 600 MB), and 72 bytes for
/// each of its structural characters (`[`, `{`, `,` and `:`, counted in one pass without parsing;
/// in strings too, which only raises the estimate) for the decoder's buffer of values, which grows
/// by doubling (its old and its new copy are held at once), and the decoded values. Measured in the release build: 42-48 resident bytes per
/// structural character beside the file's bytes, for a results.json of 23 MB and 232 MB and for a
/// 100 MB array of 50 million zeros (the most values per byte), which asked for a 2.4 GB buffer
/// while holding the 1.2 GB one before it.
public func jsonDecodingBytes(_ data: Data) -> Double {
    2 * Double(data.count) + bytesPerStructuralCharacter * Double(data.withUnsafeBytes(structuralCharacterCount))
}

/// What decoding holds per structural character of a JSON document (`jsonDecodingBytes`).
private let bytesPerStructuralCharacter = 72.0

/// `jsonDecodingBytes` of the file at `path`, read 1 MiB at a time (never whole); 0 when it cannot be read.
public func jsonDecodingBytes(ofFileAt path: String) -> Double {
    guard let handle = FileHandle(forReadingAtPath: path) else { return 0 }
    defer { try? handle.close() }
    var bytes = 0, structural = 0
    while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        bytes += chunk.count
        structural += chunk.withUnsafeBytes(structuralCharacterCount)
    }
    return 2 * Double(bytes) + bytesPerStructuralCharacter * Double(structural)
}

/// The number of `[`, `{`, `,` and `:` among `bytes`.
private func structuralCharacterCount(_ bytes: UnsafeRawBufferPointer) -> Int {
    bytes.reduce(into: 0) { count, byte in
        if byte == UInt8(ascii: ",") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { count += 1 }
    }
}

/// Why a command that holds `held` bytes of files and decodes the JSON documents `files` (by name,
/// each with its `jsonDecodingBytes`, all at once) would need more memory than `budget` allows, in
/// one sentence naming the largest document, or nil. Judged before any of them is decoded.
public func jsonFilesMemoryProblem(_ files: [(name: String, decodingBytes: Double)], held: Double = 0,
                                   budget: MemoryBudget = MemoryBudget()) -> String? {
    let total = processOverheadBytes + held + files.reduce(0) { $0 + $1.decodingBytes }
    guard total > budget.bytes(threads: 1), let largest = files.max(by: { $0.decodingBytes < $1.decodingBytes }) else { return nil }
    return "reading \(quotedUserText(largest.name, keepingEnd: true)) needs about " + memoryText(total) + (files.count > 1 || held > 0 ? " with the other files" : "")
        + ", more than " + budget.description(threads: 1) + "; check it on a machine with more memory"
}

/// Why making the data of the study `config` (read from the file `name`) beside `held` bytes of
/// decoded files would need more memory than `budget` allows, in one sentence, or nil: the data
/// source's `estimatedBytes`, as `studySizeProblem` judges a study's data before `run` makes them.
/// A configuration that makes no study design is let through: making its study fails with its
/// own reason.
public func studyDataMemoryProblem(_ config: StudyConfig, name: String, held: Double,
                                   budget: MemoryBudget = MemoryBudget()) -> String? {
    guard let design = try? StudyDesign(document: config.document) else { return nil }
    let total = processOverheadBytes + held + design.data.estimatedBytes
    guard total > budget.bytes(threads: 1) else { return nil }
    return quotedUserText(name, keepingEnd: true) + ": making its study's data set (\(design.data.label)) needs about " + memoryText(total)
        + (held > 0 ? " with the files read" : "") + ", more than " + budget.description(threads: 1)
        + "; check it on a machine with more memory"
}
