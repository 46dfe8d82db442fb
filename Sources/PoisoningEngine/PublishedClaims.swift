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

    /// Claims from `source`; `thresholds` in any order (they are kept in label order, so that a study
    /// file and results.json, whose keys are sorted, give the same claims).
    public init(source: String, seeds: Int = Self.defaultSeeds, thresholds: [ClaimedThreshold] = [], sharpTransition: Bool? = nil,
                largerModelsMoreSensitive: Bool? = nil) {
        self.source = source
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
    /// larger models more sensitive, since the thresholds fall with width).
    public static let referenceStudy = PublishedClaims(
        source: "the reference study's published PyTorch implementation",
        thresholds: [ClaimedThreshold(series: "MLP 32", fraction: 0.434), ClaimedThreshold(series: "MLP 64", fraction: 0.373),
                     ClaimedThreshold(series: "MLP 128", fraction: 0.349)],
        sharpTransition: true, largerModelsMoreSensitive: true)

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
        return .mapping(entries)
    }

    /// The most published thresholds a study file may list: more than any report table can carry.
    public static let maximumThresholds = 1_000

    /// Reads `source`, `seeds`, `thresholds`, `sharp-transition` and `larger-models-more-sensitive`, with
    /// `locations` for errors inside `thresholds`.
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
        self.init(source: source, seeds: seeds, thresholds: thresholds,
                  sharpTransition: try claim("sharp-transition", help: "Whether the publication claims a sharp transition "
                                             + "(true) or a gradual decline (false); absent when it claims neither."),
                  largerModelsMoreSensitive: try claim("larger-models-more-sensitive", help: "Whether the publication claims "
                                                       + "that larger models are more sensitive (true) or less (false); absent "
                                                       + "when it claims neither."))
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
