import Foundation
import PoisoningAttacks
import PoisoningData
import PoisoningDefenses
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// What a published study claimed, for the report to answer with this run's estimates: critical
/// thresholds keyed by series label, whether the transition is sharp, whether larger models are more
/// sensitive, and how many seeds the published estimates rest on. Read from a study file's `claims`
/// mapping and encoded as that mapping (`document`, within `StudyConfig`'s); the reference study
/// carries its paper's.
public struct PublishedClaims: Sendable, Equatable {
    /// Where the claims were published, in words.
    public var source: String
    /// Seeds behind each published estimate (the reference study's 3 unless the file says): a
    /// published threshold's standard error is this run's per-seed spread over √seeds.
    public var seeds: Int
    /// The published critical thresholds (as fractions), by series label, ordered by label with
    /// numbers compared as numbers ("MLP 32" before "MLP 128").
    public private(set) var thresholds: [ClaimedThreshold]
    /// Whether the publication claims a sharp transition (true) or a gradual decline (false); nil when it says neither.
    public var sharpTransition: Bool?
    /// Whether the publication claims that larger models are more sensitive (true) or less (false); nil when it says neither.
    public var largerModelsMoreSensitive: Bool?
    /// The design the claims were published for; a run of another design lists the claims beside its
    /// estimates without verdicts. Nil: the claims were made for the study's own design, whatever it is.
    public var design: PublishedDesign?

    /// Claims from `source`; `thresholds` in any order (they are kept in label order, so that a study
    /// file and results.json, whose keys are sorted, give the same claims).
    public init(source: String, seeds: Int = Self.defaultSeeds, thresholds: [ClaimedThreshold] = [], sharpTransition: Bool? = nil,
                largerModelsMoreSensitive: Bool? = nil, design: PublishedDesign? = nil) {
        self.source = source
        self.design = design
        self.seeds = seeds
        self.thresholds = thresholds.sorted { a, b in
            let order = a.series.compare(b.series, options: .numeric)
            return order == .orderedSame ? a.series < b.series : order == .orderedAscending
        }
        self.sharpTransition = sharpTransition
        self.largerModelsMoreSensitive = largerModelsMoreSensitive
    }

    /// The published seeds when a study file does not say: the reference study's 3 (42, 123, 7; STUDY.md).
    public static let defaultSeeds = 3

    /// The most published seeds a study file may give.
    public static let maximumSeeds = 100_000

    /// The reference study's published claims (its PyTorch implementation's results: thresholds of
    /// 43.4%, 37.3% and 34.9% for widths 32, 64 and 128; a sharp transition, since some k exceeds 5;
    /// larger models more sensitive, since the thresholds fall with width), made for the reference design.
    public static let referenceStudy = PublishedClaims(
        source: "the reference study's published PyTorch implementation",
        thresholds: [ClaimedThreshold(series: "MLP 32", fraction: 0.434), ClaimedThreshold(series: "MLP 64", fraction: 0.373),
                     ClaimedThreshold(series: "MLP 128", fraction: 0.349)],
        sharpTransition: true, largerModelsMoreSensitive: true, design: .reference)

    /// The claims as a study file's `claims` mapping, keys in their canonical order.
    public var document: ParameterValue {
        var entries = [ParameterEntry(key: "source", value: .string(source)), ParameterEntry(key: "seeds", value: .int(seeds))]
        if !thresholds.isEmpty {
            entries.append(ParameterEntry(key: "thresholds", value: .mapping(thresholds.map {
                ParameterEntry(key: $0.series, value: .double($0.fraction))
            })))
        }
        if let sharpTransition { entries.append(ParameterEntry(key: "sharp-transition", value: .bool(sharpTransition))) }
        if let largerModelsMoreSensitive {
            entries.append(ParameterEntry(key: "larger-models-more-sensitive", value: .bool(largerModelsMoreSensitive)))
        }
        if let design { entries.append(ParameterEntry(key: "design", value: .string(design.rawValue))) }
        return .mapping(entries)
    }

    /// The most published thresholds a study file may list: more than any report table can carry.
    public static let maximumThresholds = 1_000

    /// Reads `source`, `seeds`, `thresholds`, `sharp-transition`, `larger-models-more-sensitive` and
    /// `design`, with `locations` for errors inside `thresholds`.
    init(reading p: inout ParameterReader, locations: SourceLocations) throws {
        let source = try p.string("source", maximumLength: ParameterReader.maximumPathLength,
                                  help: "Where the claims were published, in words (required).")
        guard !source.trimmingCharacters(in: .whitespaces).isEmpty else { throw p.error("source", "expected the publication's name, not an empty string") }
        let seeds = try p.int("seeds", default: Self.defaultSeeds, in: 1...Self.maximumSeeds,
                              help: "Seeds behind each published estimate (default \(Self.defaultSeeds), the reference study's): the "
                                + "verdicts give a published threshold the standard error of a mean over that many seeds.")
        var thresholds = [ClaimedThreshold]()
        if let raw = p.value("thresholds", help: "Published critical thresholds, as fractions in [0, 1], by series label "
                                + "(a series' label, or a model's for its series under the first attack without a defense), "
                                + "e.g. {MLP 32: 0.434}; at most \(Self.maximumThresholds); a label naming no series is reported as such.") {
            guard let entries = raw.entries else { throw p.error("thresholds", "expected a mapping from series label to a fraction") }
            guard !entries.isEmpty else { throw p.error("thresholds", "expected at least one series label; leave the key out to claim no threshold") }
            guard entries.count <= Self.maximumThresholds else {
                throw p.error("thresholds", "expected at most \(Self.maximumThresholds) published thresholds, found \(entries.count)")
            }
            var reader = ParameterReader(entries, path: p.path(of: "thresholds"), locations: locations)
            for entry in entries {
                guard !entry.key.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw reader.error(entry.key, "expected a series label, not an empty string")
                }
                try reader.checkText(entry.key, entry.key, maximum: ParameterReader.maximumNameLength)
                thresholds.append(ClaimedThreshold(series: entry.key, fraction: try reader.double(
                    entry.key, in: 0...1, help: "The published critical threshold of \(entry.key).")))
            }
            p.record("thresholds", .mapping(thresholds.map { ParameterEntry(key: $0.series, value: .double($0.fraction)) }))
        }
        func claim(_ key: String, help: String) throws -> Bool? {
            guard let raw = p.value(key, help: help) else { return nil }
            guard case .bool(let flag) = raw else {
                if case .string(let text) = raw, text.isEmpty { throw p.error(key, "expected true or false, found no value") }
                throw p.error(key, "expected true or false, not \(raw.typeName)")
            }
            p.record(key, raw)
            return flag
        }
        var design: PublishedDesign?
        let designs = PublishedDesign.allCases.map(\.rawValue)
        if let raw = p.value("design", help: "The design the claims were published for: reference (the reference study's: its data, "
                                + "models, attacks, defenses, fractions and training); a run that differs from it in any of these gets "
                                + "no verdicts, only the claims beside its estimates and the settings that differ. Absent: the claims "
                                + "were made for this study's design, whatever it is.") {
            guard case .string(let name) = raw, let named = PublishedDesign(rawValue: name) else {
                throw p.error("design", "expected one of \(designs.joined(separator: ", ")), not \(raw)")
            }
            p.record("design", raw)
            design = named
        }
        self.init(source: source, seeds: seeds, thresholds: thresholds,
                  sharpTransition: try claim("sharp-transition", help: "Whether the publication claims a sharp transition "
                                             + "(true) or a gradual decline (false); absent when it claims neither."),
                  largerModelsMoreSensitive: try claim("larger-models-more-sensitive", help: "Whether the publication claims "
                                                       + "that larger models are more sensitive (true) or less (false); absent "
                                                       + "when it claims neither."), design: design)
    }
}

/// A design claims were published for, by name.
public enum PublishedDesign: String, Sendable, Equatable, CaseIterable {
    /// The reference study's design: `StudyConfig()`'s data, models, attacks, defenses, fractions and training.
    case reference

    /// The study-file keys a design fixes. Seeds are not among them (a published estimate's seeds
    /// enter the verdicts' widening, `PublishedClaims.seeds`), nor the analysis, planning, title,
    /// targets and measurements, which change no run's accuracy.
    public static let keys = ["data", "models", "attacks", "defenses", "fractions", "training"]

    /// The design as the study document's values at `keys`, every default filled in.
    public var document: ParameterValue {
        switch self {
        case .reference: Self.referenceDocument
        }
    }

    /// The reference design's document, read once.
    private static let referenceDocument: ParameterValue = {
        // The reference design reads without error: it is the defaults of every key.
        let config = try! StudyDesign(document: StudyConfig().document).config.document
        return .mapping(keys.map { ParameterEntry(key: $0, value: config.value(at: $0)!) })
    }()

    /// Every setting in which `config` (its defaults filled in, as a `Study` holds it) differs from
    /// this design, in the order of `keys`; empty when it runs this design.
    public func differences(from config: StudyConfig) -> [DesignDifference] {
        let run = config.document
        return Self.keys.flatMap { key -> [DesignDifference] in
            guard let published = document.value(at: key), let value = run.value(at: key), value != published else { return [] }
            return designDifferences(key, value: value, published: published)
        }
    }
}

/// One setting in which a run's design differs from the design claims were published for.
public struct DesignDifference: Sendable, Codable, Equatable {
    /// The setting, as the study file names it: "epochs", "widths", "samples", "attacks".
    public let setting: String
    /// This run's value, e.g. "30".
    public let value: String
    /// The published design's value, e.g. "200".
    public let published: String

    /// The difference in words: "epochs 30 (paper 200)".
    public var text: String { "\(setting) \(value) (paper \(published))" }
}

/// The differences at the study-file key `key` between a run's `value` and the `published` one: a
/// mapping of one kind (the data, the training) key by key, of two kinds as its kinds; lists of
/// one-hidden-layer MLPs as their widths; lists of components as their kinds when those differ;
/// anything else as its flow YAML text.
private func designDifferences(_ key: String, value: ParameterValue, published: ParameterValue) -> [DesignDifference] {
    if let entries = value.entries, let publishedEntries = published.entries, value.value(at: "kind") == published.value(at: "kind") {
        let changed = entries.compactMap { entry -> DesignDifference? in
            let other = publishedEntries.first { $0.key == entry.key }?.value
            guard other != entry.value else { return nil }
            return DesignDifference(setting: entry.key, value: plainText(entry.value), published: other.map(plainText) ?? "none")
        }
        let missing = publishedEntries.filter { entry in !entries.contains { $0.key == entry.key } }
        return changed + missing.map { DesignDifference(setting: $0.key, value: "none", published: plainText($0.value)) }
    }
    if case .string(let kind)? = value.value(at: "kind"), case .string(let publishedKind)? = published.value(at: "kind") {
        return [DesignDifference(setting: key, value: kind, published: publishedKind)]
    }
    if case .list(let items) = value, case .list(let publishedItems) = published {
        if key == "models", let widths = mlpWidths(items), let publishedWidths = mlpWidths(publishedItems) {
            return [DesignDifference(setting: "widths", value: widths, published: publishedWidths)]
        }
        let kinds = items.map(componentName), publishedKinds = publishedItems.map(componentName)
        if !kinds.contains(nil), !publishedKinds.contains(nil), kinds != publishedKinds {
            return [DesignDifference(setting: key, value: kinds.map { $0! }.joined(separator: ", "),
                                     published: publishedKinds.map { $0! }.joined(separator: ", "))]
        }
    }
    return [DesignDifference(setting: key, value: plainText(value), published: plainText(published))]
}

/// The hidden widths of models that are all one-hidden-layer MLPs, "32, 64"; nil otherwise.
private func mlpWidths(_ models: [ParameterValue]) -> String? {
    let widths = models.compactMap(mlpWidth)
    return widths.count == models.count ? widths.joined(separator: ", ") : nil
}

/// The hidden width of a one-hidden-layer MLP, "32"; nil for any other component.
private func mlpWidth(_ model: ParameterValue) -> String? {
    guard model.value(at: "kind") == .string(MLP.kind), case .list(let hidden)? = model.value(at: "hidden"), hidden.count == 1 else { return nil }
    return plainText(hidden[0])
}

/// A component by its kind, a one-hidden-layer MLP with its width ("mlp 32"); nil for a value with no kind.
private func componentName(_ component: ParameterValue) -> String? {
    guard case .string(let kind)? = component.value(at: "kind") else { return nil }
    return mlpWidth(component).map { "\(kind) \($0)" } ?? kind
}

/// A value as a sentence shows it: a string unquoted, a list comma-separated, numbers as flow YAML
/// writes them (`0.05`, `200`).
private func plainText(_ value: ParameterValue) -> String {
    switch value {
    case .string(let text): text
    case .list(let items): items.map(plainText).joined(separator: ", ")
    default: value.description
    }
}

/// A published critical threshold of one series.
public struct ClaimedThreshold: Sendable, Equatable {
    /// The series' label, as the report names it, e.g. "MLP 32".
    public var series: String
    /// The threshold as a fraction, e.g. 0.434.
    public var fraction: Double

    /// The threshold `fraction` of the series labelled `series`.
    public init(series: String, fraction: Double) {
        self.series = series
        self.fraction = fraction
    }
}
