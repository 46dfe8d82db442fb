import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// Runs trained eight at a time in SIMD lanes against the same runs trained one at a time: the
/// same bits in every parameter and every epoch loss, whatever the shape (widths that exercise
/// every block size and tail of the one-run kernels), the lane, the neighbours and the group size.
struct PackedTrainingTests {
    /// `count` runs of 30 rows, 7 features and 4 classes, each with its own features and labels.
    static func datasets(_ count: Int, scale: Float = 2) -> [Dataset] {
        var random = Xoshiro256StarStar(seed: 3, purpose: "packed-test")
        return (0..<count).map { _ in
            Dataset(features: (0..<(30 * 7)).map { _ in Float(random.nextStandardNormal()) * scale },
                    labels: (0..<30).map { _ in random.nextInt(below: 4) }, featureCount: 7, classCount: 4)
        }
    }

    /// The first index where two outcomes differ in any bit of a parameter or an epoch loss, or
    /// in length; nil when they are identical.
    static func firstDifference(_ a: TrainingOutcome, _ b: TrainingOutcome) -> String? {
        let (p, q) = (a.parameters.values.map(\.bitPattern), b.parameters.values.map(\.bitPattern))
        if let index = p.indices.first(where: { p[$0] != q[$0] }) { return "parameter \(index): \(p[index]) vs \(q[index])" }
        let (l, m) = (a.epochLosses.map(\.bitPattern), b.epochLosses.map(\.bitPattern))
        if l.count != m.count { return "\(l.count) vs \(m.count) epochs" }
        if let index = l.indices.first(where: { l[$0] != m[$0] }) { return "epoch loss \(index): \(l[index]) vs \(m[index])" }
        return nil
    }

    @Test(arguments: [[Int](), [5], [37], [40], [8, 5], [24, 19]], [3, 8])
    func packedRunsEqualRunsTrainedAlone(hidden: [Int], runs: Int) {
        let shape = NetworkShape(inputs: 7, hidden: hidden, classes: 4)
        let settings = TrainingSettings(epochs: 4, batchSize: 7, learningRate: 0.1)   // 30 rows: odd batches, a last one of 2
        let data = Self.datasets(runs), seeds = (0..<runs).map { UInt64(100 + $0) }
        let packed = trainNetworksPacked(shape, on: data, settings: settings, seeds: seeds)
        #expect(packed.count == runs)
        for run in 0..<runs {
            let alone = trainNetwork(shape, on: data[run], settings: settings, seed: seeds[run])
            #expect(Self.firstDifference(packed[run], alone) == nil, "run \(run)")
            #expect(packed[run].divergedEpoch == nil && alone.divergedEpoch == nil)
        }
    }

    /// A lane whose loss becomes non-finite stops there with the parameters it had, as alone; its
    /// neighbours train on.
    @Test func aDivergingLaneStopsAloneAsItWouldAlone() {
        let shape = NetworkShape(inputs: 7, hidden: [16], classes: 4)
        let settings = TrainingSettings(epochs: 6, batchSize: 8, learningRate: 0.5)
        let data = [Self.datasets(1)[0], Self.datasets(1, scale: 1e18)[0], Self.datasets(2)[1]]
        let seeds: [UInt64] = [1, 2, 3]
        let packed = trainNetworksPacked(shape, on: data, settings: settings, seeds: seeds)
        let alone = (0..<3).map { trainNetwork(shape, on: data[$0], settings: settings, seed: seeds[$0]) }
        #expect(alone[1].divergedEpoch != nil && alone[0].divergedEpoch == nil && alone[2].divergedEpoch == nil)
        for run in 0..<3 {
            #expect(packed[run].divergedEpoch == alone[run].divergedEpoch)
            #expect(Self.firstDifference(packed[run], alone[run]) == nil, "run \(run)")
        }
    }
}

/// The sweep with packing on (chunks of a series, packed passes, the widest series first) gives,
/// for any thread count, exactly one `executeRun` per spec: also for a width that is not packed, a
/// defense that changes training (never packed) and a sanitiser that keeps a varying number of rows.
struct PackedSweepTests {
    @Test(arguments: [1, 2, 3])
    func theSweepEqualsOneRunAtATime(threads: Int) throws {
        let study = try Study(StudyConfig(models: [StudyConfig.mlp(16), StudyConfig.mlp(200)],
                                          defenses: [StudyConfig.component(NoDefense.kind), StudyConfig.component(LabelSmoothing.kind),
                                                     StudyConfig.component(KNNFilter.kind)],
                                          fractions: [0, 0.3], seeds: [1, 2, 3, 4, 5], training: TrainingSettings(epochs: 3)))
        let swept = runStudy(study, threads: threads)
        #expect(swept.indices == Array(study.runSpecs.indices))
        #expect(swept.results == study.runSpecs.map { executeRun($0, study: study) })
    }
}
