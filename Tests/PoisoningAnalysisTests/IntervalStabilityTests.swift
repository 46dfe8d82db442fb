import Foundation
import Testing
import PoisoningEngine
import TestSupport
@testable import PoisoningAnalysis

/// The interval ends of fitted quantities must not move with the bootstrap's random stream: on the
/// reference study (its runs as recorded in PoisoningEngineTests/Fixtures/reference-runs-0.1.0.json,
/// which today's engine reproduces bit for bit), every end moves by at most 0.5 pp between streams
/// (k, not a percentage: by at most 3% of its value), and an end is bounded or open alike in every
/// stream (an end whose censored share lies at α/2 may be undetermined in some). The same holds with
/// more seeds, whose bootstrap draws its directions otherwise (Sobol' points, not a circle): the
/// reference study with its first 5 seeds of the adaptive design, and the adaptive reference
/// study's last look (40 seeds), both read off the adaptive study's committed runs
/// (adaptive-reference-runs.json, `scripts/adaptive_reference_runs.py`).
struct IntervalStabilityTests {
    /// The reference study analysed with the bootstrap stream `seed`; with `seeds`, the study of those
    /// seeds (their runs in `recorded`), at `confidence` with `replicates` when given; as a look of an
    /// adaptive study (`SeedBootstrap.drawsPerReplicate`) when `adaptiveLook`.
    static func analysed(bootstrapSeed seed: UInt64, runs recorded: [ReferenceRecording.Run], seeds: [UInt64]? = nil,
                         confidence: Double? = nil, replicates: Int? = nil, adaptiveLook: Bool = false) throws -> StudyResults {
        var config = StudyConfig()
        config.analysis.bootstrapSeed = seed
        if let seeds { config.seeds = seeds }
        if let confidence { config.analysis.confidence = confidence }
        if let replicates { config.analysis.replicates = replicates }
        let study = try Study(config)
        let trainRows = Double(study.split.train.count)
        let runs = study.runSpecs.map { spec in
            let run = recorded.first { $0.fraction == spec.fraction && $0.seed == spec.seed && $0.width == study.width(of: spec) }!
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: run.poisonedCount,
                             realisedFraction: Double(run.poisonedCount) / trainRows, metrics: run.metrics, divergence: nil)
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test", threads: 2,
                            confidence: adaptiveLook ? config.analysis.confidence : nil)
    }

    /// The seeds of the adaptive reference study (examples/adaptive-reference/study.yaml) at `count`
    /// seeds: 42, 123, 7, then 1, 2, 3, ... without 7.
    static func adaptiveSeeds(_ count: Int) -> [UInt64] {
        Array(([42, 123, 7] + (1...UInt64(count)).filter { $0 != 7 }).prefix(count))
    }

    /// Whether the end `name` (of `ends`) is one of the sigmoid's own parameters L, x0, b or k.
    static func isSigmoidParameter(_ name: String) -> Bool {
        [" L ", " x0 ", " b ", " log k "].contains { name.contains($0) }
    }

    /// How an interval end reads in one stream: a number shown, open, undetermined (the bootstrap cannot
    /// call it bounded) or withheld as imprecise (`placingParameterEnds`, its value kept but not shown).
    enum EndReading: Equatable {
        case shown(Double), open, undetermined, withheld, missing

        /// The kind, without the value.
        var kind: String {
            switch self {
            case .shown: "bounded"
            case .open: "open"
            case .undetermined: "undetermined"
            case .withheld: "withheld"
            case .missing: "none"
            }
        }
    }

    /// Checks that every interval end of `results` (one analysis per stream) that is shown moves by at
    /// most 0.5 pp between them (the sigmoid's own parameters L, x0, b and k by at most
    /// `parameterBound`), that an end withheld in one stream is withheld in every stream (the pilot
    /// decides it, `placingParameterEnds`), and that an end is bounded or open alike in all unless it is
    /// undetermined in some (with `strictKinds`, an end of L, x0, b or k reads alike in all), and that every
    /// threshold difference and trend has the same sign decision in all (`decisions`); prints each end's range
    /// and returns the widest.
    @discardableResult
    static func expectStable(_ results: [StudyResults], parameterBound: Double = 0.005, strictKinds: Bool = false) -> Double {
        let all = results.map(Self.ends)
        var widest = 0.0
        for name in all[0].keys.sorted() {
            let readings = all.map { $0[name]! }
            let finite = readings.compactMap { if case .shown(let value) = $0 { value } else { nil } }
            let range = (finite.max() ?? 0) - (finite.min() ?? 0)
            // A stream whose interval is not estimable (`none`) shows no end to compare; its decision is
            // still the pilot's (`SignDecision.init(_:pilot:)`, checked below), and the other streams' ends
            // must agree among themselves.
            let kinds = Set(readings.map(\.kind)).subtracting(["none"])
            print(String(format: "%-48@ range %.4f%@", name as NSString, range, kinds.count > 1 || kinds != ["bounded"] ? " \(kinds.sorted())" as NSString : ""))
            widest = max(widest, range)
            #expect(!kinds.contains("withheld") || kinds == ["withheld"], "\(name) is \(kinds.sorted()) across streams")
            #expect(kinds.count <= 1 || (!(strictKinds && isSigmoidParameter(name)) && kinds.count == 2 && kinds.contains("undetermined")),
                    "\(name) is \(kinds.sorted()) across streams")
            #expect(range <= (isSigmoidParameter(name) ? parameterBound : 0.005), "\(name) moves by \(range) between \(results.count) streams")
        }
        print("widest range over \(results.count) streams: \(widest)")
        let decisions = results.map(Self.decisions)
        for name in decisions[0].keys.sorted() {
            let each = decisions.map { $0[name] }
            #expect(Set(each).count == 1, "\(name): \(each.map { $0?.rawValue ?? "none" }) across streams")
        }
        return widest
    }

    /// The sign decision (`SignDecision`) of every threshold difference and trend, by name.
    static func decisions(_ results: StudyResults) -> [String: SignDecision] {
        byThresholdDifferenceAndTrend(results, difference: \.decision, trend: \.decision)
    }

    /// `difference`'s value of every threshold difference and `trend`'s of every trend that has one, by name
    /// ("threshold MLP 64 - MLP 32", "trend 0/0").
    static func byThresholdDifferenceAndTrend<Value>(_ results: StudyResults, difference: (SeriesDifference) -> Value?,
                                                      trend: (ThresholdTrend) -> Value?) -> [String: Value] {
        var values = [String: Value]()
        for d in results.statistics.differences where d.quantity == .threshold {
            values["threshold \(results.series[d.other].label) - \(results.series[d.base].label)"] = difference(d)
        }
        for t in results.statistics.trends { values["trend \(t.attack)/\(t.defense)"] = trend(t) }
        return values
    }

    /// Every interval end of a fitted quantity by name, as it reads (`EndReading`); an interval that
    /// is missing (not estimable in that stream) reads `missing` (kind "none") at both ends.
    static func ends(_ results: StudyResults) -> [String: EndReading] {
        var ends = [String: EndReading]()
        func add(_ name: String, _ interval: Interval?) {
            for (end, suffix) in [(IntervalEnd.lower, " lower"), (.upper, " upper")] {
                guard let interval else { ends[name + suffix] = .missing; continue }
                let value = end == .lower ? interval.lower : interval.upper
                ends[name + suffix] = interval.isImprecise(end) ? .withheld : interval.isUndetermined(end) ? .undetermined
                    : value.map { .shown($0) } ?? .open
            }
        }
        for s in results.statistics.series {
            let name = results.series[s.series].label
            add("\(name) threshold", s.threshold.interval)
            add("\(name) L", s.amplitude.interval)
            add("\(name) x0", s.midpoint.interval)
            add("\(name) b", s.floor.interval)
            add("\(name) log k", s.steepness.interval.map { $0.mapEnds { log($0) / log(1.03) * 0.005 } })
            for (g, fraction) in (s.band?.fractions ?? []).enumerated() {
                add("\(name) band at \(percent(fraction))", Interval(lower: s.band!.lower[g], upper: s.band!.upper[g]))
            }
        }
        for d in results.statistics.differences where d.quantity == .threshold {
            add("threshold \(results.series[d.other].label) - \(results.series[d.base].label)", d.difference.interval)
        }
        for t in results.statistics.trends { add("trend \(t.attack)/\(t.defense)", t.slope.interval) }
        return ends
    }

    @Test func intervalEndsMoveAtMostHalfAPointBetweenStreams() throws {
        let recorded = try ReferenceRecording.load().runs
        let streams = Int(ProcessInfo.processInfo.environment["STABILITY_STREAMS"] ?? "") ?? 5
        let results = try (0..<streams).map { try Self.analysed(bootstrapSeed: UInt64($0), runs: recorded) }
        Self.expectStable(results)
        // The seed plans read σ off the replicates' quartiles (`quartileStandardError`), so they move
        // with the stream too (r21 #9), but little: measured over 5 streams σ by at most 0.3% of its
        // value and each count by at most one seed (the trend's count at the estimated spread 16 or 17,
        // MLP 128 - MLP 64's largest count 199 or 200). Asserted: a plan in every stream or none, σ
        // within 1% and every count within one seed.
        let plans = results.map(Self.seedPlans)
        #expect(plans.allSatisfy { Set($0.keys) == Set(plans[0].keys) } && plans[0].count == 4, "\(plans.map { $0.keys.sorted() })")
        for name in plans[0].keys.sorted() {
            let each = plans.compactMap { $0[name] }
            let sigmas = each.map(\.sigma)
            #expect((sigmas.max()! - sigmas.min()!) / sigmas.min()! <= 0.01, "\(name): σ \(sigmas)")
            for count in [\SeedPlan.seeds, \.fewestSeeds, \.mostSeeds] {
                let values = each.map { $0[keyPath: count] ?? $0.limit + 1 }
                #expect(values.max()! - values.min()! <= 1, "\(name): \(values)")
            }
        }
    }

    /// The seed plan of every threshold difference and trend that has one, by name.
    static func seedPlans(_ results: StudyResults) -> [String: SeedPlan] {
        byThresholdDifferenceAndTrend(results, difference: \.seedPlan, trend: \.seedPlan)
    }

    /// The reference study with 5 seeds (42, 123, 7, 1, 2: the adaptive design's first 5): 5 streams.
    /// With 5 seeds the bootstrap draws 8 refits per replicate asked (`SeedBootstrap.drawsPerReplicate`):
    /// 8,000 per series at the default 1,000. Measured (release and here, 5 streams): thresholds 0.12 pp,
    /// L's ends 0.46 pp, b's 0.24 pp, x0's 0.15 pp, k's 0.88% of its value (0.18 pp of the threshold it
    /// implies); with 2,048 refits (2 per replicate, as before) L's upper end moved by 1.14 pp, b's lower
    /// by 1.31 pp, x0's by 0.50 pp and k's by 2.4%. Asserted: every end within 0.5 pp, k within 3%
    /// (about 15 s in the debug suite).
    @Test func fiveSeedIntervalEndsMoveAtMostHalfAPointBetweenStreams() throws {
        let recorded = try ReferenceRecording.load("adaptive-reference-runs").runs
        let streams = Int(ProcessInfo.processInfo.environment["STABILITY_STREAMS"] ?? "") ?? 5
        let results = try (0..<streams).map { try Self.analysed(bootstrapSeed: UInt64($0), runs: recorded, seeds: Self.adaptiveSeeds(5)) }
        #expect(results[0].statistics.replicates == 8000)
        Self.expectStable(results, strictKinds: true)
    }

    /// The reference study with seeds 1 to 5 (`--seeds 1,2,3,4,5`, from the adaptive study's committed
    /// runs), 5 streams: review r21x found its MLP 64 - MLP 32 threshold difference's lower end moving by
    /// 0.63 pp over streams 0-4 (-12.18 pp to -11.55 pp) when no threshold, difference or trend end was
    /// withheld. Now their ends are placed on the pilot bootstrap (`placingFittedEnds`) as the
    /// parameters' are. Asserted: every end shown moves by at most 0.5 pp (k 3%), an end withheld in
    /// one stream is withheld in all, that lower end is withheld, and that difference is not resolved.
    @Test func seedsOneToFiveEndsAreShownOrWithheldAlikeInEveryStream() throws {
        let recorded = try ReferenceRecording.load("adaptive-reference-runs").runs
        let streams = Int(ProcessInfo.processInfo.environment["STABILITY_STREAMS"] ?? "") ?? 5
        let results = try (0..<streams).map { try Self.analysed(bootstrapSeed: UInt64($0), runs: recorded, seeds: [1, 2, 3, 4, 5]) }
        Self.expectStable(results, strictKinds: true)
        let withheld = Self.ends(results[0]).filter { $0.value == .withheld }.keys.sorted()
        print("withheld: \(withheld)")
        #expect(withheld.contains("threshold MLP 64 - MLP 32 lower"), "\(withheld)")
        // Its withheld lower end (near -12 pp) lies on the far side of zero from the estimate (-3.4 pp), and the
        // upper (+2.6 pp) reaches past zero: not resolved in every stream, not undetermined (review r21n m6:
        // this test passed with the pilot ignored, every stream then reading undetermined alike).
        for result in results { #expect(Self.decisions(result)["threshold MLP 64 - MLP 32"] == .notResolved) }
        // differences.csv tells that withheld end from an open one (review r21z m2): empty, named in `withheld`.
        let rows = TidyTables.differencesCSV(results[0]).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let column = { (name: String) in rows[0].firstIndex(of: Substring(name))! }
        let row = try #require(rows.first { $0.contains("MLP 64") && $0.contains("MLP 32") && $0[0] == "threshold" })
        #expect(row[column("lower")] == "" && row[column("withheld")] == "lower" && row[column("upper")] != "", "\(row)")
    }

    /// The reference study with seeds 6 to 9 (from the adaptive study's committed runs), 5 streams:
    /// review r21z M2 found MLP 128 - MLP 32's decision undetermined in 14 of 20 streams and not
    /// resolved in 6, its upper end (+0.06 to +0.25 pp) near the two-error band of each stream's own
    /// Monte Carlo error (8 blocks, 7 degrees of freedom), which moved more than the end. The decisions
    /// are now made on the pilot (`SignDecision.init(_:pilot:)`). Asserted (`expectStable`, which every
    /// test here calls, seeds 1 to 5 included): every decision alike in every stream, besides the ends'
    /// stability.
    @Test func decisionsAreAlikeInEveryStreamWithSeedsSixToNine() throws {
        let recorded = try ReferenceRecording.load("adaptive-reference-runs").runs
        let streams = Int(ProcessInfo.processInfo.environment["STABILITY_STREAMS"] ?? "") ?? 5
        let results = try (0..<streams).map { try Self.analysed(bootstrapSeed: UInt64($0), runs: recorded, seeds: [6, 7, 8, 9]) }
        print("decisions: \(Self.decisions(results[0]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.rawValue)" })")
        Self.expectStable(results, strictKinds: true)
    }

    /// The reference study with seeds 3 to 6 (from the adaptive study's committed runs), streams 0 to 4:
    /// review r21m M1 found MLP 128 - MLP 64's threshold difference with no interval in stream 3 (more
    /// than 2.5% of its replicates undefined), where the decision fell back to that stream's own rule
    /// (not resolved, undetermined in the others). The decision is now the pilot's whatever the stream's
    /// interval (`SignDecision.init(_:pilot:)`). Asserted: stream 3 has no interval for it and stream 0
    /// has one (so the case is exercised), and every decision is alike in every stream (`expectStable`).
    @Test func decisionsAreAlikeInEveryStreamWithSeedsThreeToSixWhereAStreamHasNoInterval() throws {
        let recorded = try ReferenceRecording.load("adaptive-reference-runs").runs
        let streams = max(Int(ProcessInfo.processInfo.environment["STABILITY_STREAMS"] ?? "") ?? 5, 4)
        let results = try (0..<streams).map { try Self.analysed(bootstrapSeed: UInt64($0), runs: recorded, seeds: [3, 4, 5, 6]) }
        let name = "threshold MLP 128 - MLP 64 lower"
        #expect(Self.ends(results[3])[name] == .missing && Self.ends(results[0])[name] != .missing)
        print("decisions: \(Self.decisions(results[0]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.rawValue)" })")
        Self.expectStable(results, strictKinds: true)
    }

    /// The adaptive reference study's last look, as its committed results record it (40 seeds, its
    /// adjusted level 99.139%, analysed with 4,000 replicates after the escalation of
    /// `escalatingReplicates`, as a look: 2 refits per replicate, `SeedBootstrap.adaptiveDrawsPerReplicate`):
    /// 5 streams, the many-seed case. Its thresholds, their differences and the trend, the answers of
    /// the study, move by at most 0.19 pp. The sigmoid's own parameters moved by up to 3.8 pp when every
    /// end was shown (MLP 128's lower end of L; x0's lower end 2.1 pp; k 5.2%), ends whose Monte Carlo
    /// errors (up to 1.7 pp) said so: their 0.5 pp would take millions of refits per series
    /// (docs/statistics.md). Such an end is now undetermined (`placingParameterEnds`: error above
    /// 0.125 pp, k's above 0.75%). Asserted: every end shown moves by at most 0.5 pp (k 3%), and an end
    /// is bounded, open or undetermined alike in every stream unless undetermined in some.
    @Test func adaptiveReferenceIntervalEndsMoveAtMostHalfAPointBetweenStreams() throws {
        let recorded = try ReferenceRecording.load("adaptive-reference-runs").runs
        let streams = Int(ProcessInfo.processInfo.environment["STABILITY_STREAMS"] ?? "") ?? 5
        let results = try (0..<streams).map {
            try Self.analysed(bootstrapSeed: UInt64($0), runs: recorded, seeds: Self.adaptiveSeeds(40), confidence: 0.9913909172317457,
                              replicates: 4000, adaptiveLook: true)
        }
        #expect(results[0].statistics.replicates == 8000)
        Self.expectStable(results, strictKinds: true)
    }

    /// The reference study with 20 seeds (the adaptive design's first 20, from its committed runs) at
    /// REPLICATES_20 replicates asked (default 200: 180 refits per replicate, 36,000 per series), over
    /// 4 streams: every end of L, x0, b and k is shown in every stream or withheld in every stream (the
    /// pilot bootstrap on the default stream decides, `placingParameterEnds`), and every end shown moves
    /// by at most 0.5 pp (k: 3%).
    @Test func twentySeedEndsAreShownOrWithheldAlikeInEveryStream() throws {
        let recorded = try ReferenceRecording.load("adaptive-reference-runs").runs
        let replicates = Int(ProcessInfo.processInfo.environment["REPLICATES_20"] ?? "") ?? 200
        let results = try (0..<4).map {
            try Self.analysed(bootstrapSeed: UInt64($0), runs: recorded, seeds: Self.adaptiveSeeds(20), replicates: replicates)
        }
        Self.expectStable(results, strictKinds: true)
        let withheld = Self.ends(results[0]).filter { $0.value == .withheld }.count
        print("withheld ends of L, x0, b and k: \(withheld) of 24")
    }
}
