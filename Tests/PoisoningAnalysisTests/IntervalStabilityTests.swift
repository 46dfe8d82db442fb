import Foundation
import Testing
import PoisoningEngine
import TestSupport
@testable import PoisoningAnalysis

/// The interval ends of fitted quantities must not move with the bootstrap's random stream: on the
/// reference study (its runs as recorded in PoisoningEngineTests/Fixtures/reference-runs-0.1.0.json,
/// which today's engine reproduces bit for bit), every end moves by at most 0.5 pp between streams
/// (k, not a percentage: by at most 3% of its value), and an end is bounded or open alike in every
/// stream (an end whose censored share lies at α/2 may be undetermined in some).
struct IntervalStabilityTests {
    /// The reference study analysed with the bootstrap stream `seed`.
    static func analysed(bootstrapSeed seed: UInt64, runs recorded: [ReferenceRecording.Run]) throws -> StudyResults {
        var config = StudyConfig()
        config.analysis.bootstrapSeed = seed
        let study = try Study(config)
        let trainRows = Double(study.split.train.count)
        let runs = study.runSpecs.map { spec in
            let run = recorded.first { $0.fraction == spec.fraction && $0.seed == spec.seed && $0.width == study.width(of: spec) }!
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: run.poisonedCount,
                             realisedFraction: Double(run.poisonedCount) / trainRows, metrics: run.metrics, divergence: nil)
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test", threads: 2)
    }

    /// Every interval end of a fitted quantity by name; nil for an open end, NaN for an undetermined one.
    static func ends(_ results: StudyResults) -> [String: Double?] {
        var ends = [String: Double?]()
        func add(_ name: String, _ interval: Interval?) {
            ends[name + " lower"] = interval.map { $0.isUndetermined(.lower) ? .nan : $0.lower } ?? .nan
            ends[name + " upper"] = interval.map { $0.isUndetermined(.upper) ? .nan : $0.upper } ?? .nan
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
        let all = results.map(Self.ends)
        var widest = 0.0
        for name in all[0].keys.sorted() {
            let values = all.map { $0[name]! }
            let finite = values.compactMap { $0 }.filter { !$0.isNaN }
            let range = (finite.max() ?? 0) - (finite.min() ?? 0)
            let kinds = Set(values.map { $0 == nil ? "open" : $0!.isNaN ? "undetermined" : "bounded" })
            print(String(format: "%-48@ range %.4f%@", name as NSString, range, kinds.count > 1 ? " \(kinds.sorted())" as NSString : ""))
            widest = max(widest, range)
            #expect(kinds.count == 1 || (kinds.count == 2 && kinds.contains("undetermined")), "\(name) is \(kinds.sorted()) across streams")
            #expect(range <= 0.005, "\(name) moves by \(range) between \(streams) streams")
        }
        print("widest range over \(streams) streams: \(widest)")
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
        var plans = [String: SeedPlan]()
        for d in results.statistics.differences where d.quantity == .threshold {
            plans["threshold \(results.series[d.other].label) - \(results.series[d.base].label)"] = d.seedPlan
        }
        for t in results.statistics.trends { plans["trend \(t.attack)/\(t.defense)"] = t.seedPlan }
        return plans
    }
}
