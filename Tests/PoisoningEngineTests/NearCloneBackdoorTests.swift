import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningUtilities

/// The near-clone backdoor (`near-clone: {distance: d}`, after Granziol 2026): each dirty-label poison
/// moves toward the target class's mean by at most d standardised units before it is stamped. Checked
/// on a case whose answer is a closed form, as a property on the reference data (within d of the
/// stamped clean row, along the line to the mean, clones at d = 0, one cluster beyond every row's
/// distance), for determinism, and through a study sweeping d with the curvature measurement and the
/// spectral defenses.
struct NearCloneBackdoorTests {
    /// The reference data (500 rows of 10 features, 5 classes; 350 training rows).
    static let split = GaussianClusters().makeSplit()
    static let trainer = ModelTrainer(model: NetworkShape(inputs: 10, hidden: [16], classes: 5), settings: TrainingSettings(epochs: 5), seed: 5)

    /// A near-clone backdoor of target `target`, distance `distance` and `toward` when given, other keys from `parameters`.
    static func nearClone(_ distance: Double, target: Int = 0, toward: String? = nil, _ parameters: [String: ParameterValue] = [:]) throws -> Backdoor {
        var all = parameters
        all["target"] = .int(target)
        all["near-clone"] = .mapping([ParameterEntry(key: "distance", value: .double(distance))]
            + (toward.map { [ParameterEntry(key: "toward", value: .string($0))] } ?? []))
        return try component(Backdoor.self, all)
    }

    /// ‖(a - b) / σ‖₂ over the features with σ_j > 0, in Double.
    static func standardisedDistance(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>, sd: [Double]) -> Double {
        zip(zip(a, b), sd).reduce(0.0) { sum, pair in
            guard pair.1 > 0 else { return sum }
            let step = (Double(pair.0.0) - Double(pair.0.1)) / pair.1
            return sum + step * step
        }.squareRoot()
    }

    @Test func theKeyIsReadLabelledAndRefusedWhereItDoesNotApply() throws {
        let backdoor = try Self.nearClone(0.5)
        #expect(backdoor.nearCloneDistance == 0.5 && backdoor.hardening == nil && backdoor.label == "near-clone backdoor → 0 (d 0.5)")
        #expect(try Self.nearClone(2, target: 3, ["trigger": .string("blend")]).label == "near-clone blend backdoor → 3 (d 2)")
        #expect(try Self.nearClone(0).label == "near-clone backdoor → 0 (d 0)")
        #expect(try component(Backdoor.self).nearCloneDistance == nil)

        func message(_ parameters: [String: ParameterValue]) -> String {
            do {
                _ = try component(Backdoor.self, parameters)
                return "accepted"
            } catch { return "\(error)" }
        }
        func distance(_ value: ParameterValue) -> ParameterValue { .mapping([ParameterEntry(key: "distance", value: value)]) }
        #expect(message(["near-clone": distance(.double(-0.1))]) == "component.near-clone.distance: must lie in [0.0, 1000000.0]")
        #expect(message(["near-clone": distance(.double(.nan))]) == "component.near-clone.distance: must lie in [0.0, 1000000.0]")
        #expect(message(["near-clone": distance(.double(.infinity))]) == "component.near-clone.distance: must lie in [0.0, 1000000.0]")
        #expect(message(["near-clone": distance(.string("far"))]) == "component.near-clone.distance: expected a number, not a string (far)")
        #expect(message(["near-clone": .double(0.5)]) == "component.near-clone: expected a mapping of distance and toward, not a number (0.5)")
        #expect(message(["near-clone": .mapping([])]) == "component.near-clone: missing required key 'distance'")
        #expect(message(["near-clone": .mapping([ParameterEntry(key: "distance", value: .int(1)), ParameterEntry(key: "toward", value: .string("mean"))])])
            == "component.near-clone.toward: expected one of target-mean, source-mean, not 'mean'")
        #expect(message(["near-clone": .mapping([ParameterEntry(key: "distance", value: .int(1)), ParameterEntry(key: "towards", value: .string("source-mean"))])])
            == "component.near-clone: unknown key 'towards', did you mean 'toward'? (known keys: distance, toward)")
        // toward: the default is the target's mean, and a study that does not give it keeps its effective settings.
        let explicitTarget = try Self.nearClone(1, toward: "target-mean")
        #expect(backdoor.nearCloneDestination == .targetMean && explicitTarget.nearCloneDestination == .targetMean)
        let source = try Self.nearClone(1000, toward: "source-mean")
        #expect(source.nearCloneDestination == .sourceMean && source.label == "near-clone backdoor → 0 (d 1000, toward source mean)")
        var reader = ParameterReader([ParameterEntry(key: "near-clone", value: .mapping([ParameterEntry(key: "distance", value: .double(0.5))]))],
                                     path: "component", locations: SourceLocations())
        _ = try Backdoor(parameters: &reader)
        #expect(reader.effective.first { $0.key == "near-clone" }?.value == .mapping([ParameterEntry(key: "distance", value: .double(0.5))]))
        #expect(message(["near-clone": distance(.int(1)), "clean-label": .bool(true)]) == "component.near-clone: applies only with clean-label: false")
        // A target class without training rows has no mean to move toward.
        let noTarget = TrainTestSplit(train: Dataset(features: [0, 1, 2, 3], labels: [1, 1], featureCount: 2, classCount: 2),
                                      test: Dataset(features: [0, 1], labels: [1], featureCount: 2, classCount: 2))
        #expect(try Self.nearClone(1, ["trigger-features": .list([.int(0)])]).problem(in: noTarget)?.message
            == "class 0 has no training rows, so near-clone poisons have no class mean to move toward")
    }

    /// Four rows of four features: class 0 (the target) at (1, 1, 1, 0) twice, class 1 at (-1, -1, -1, 0)
    /// twice, so σ = (1, 1, 1, 0), the target mean is (1, 1, 1, 0) and each class-1 row lies D = √12 from
    /// it; the trigger sets the constant last feature to 3. Half the rows are the two class-1 rows.
    /// d = 0: the rows themselves, stamped; d = 1: -1 + 1/√3 on each of the three moving features (a
    /// step of 1 along (1, 1, 1)/√3); d = 2: -1 + 2/√3; d = 4 > √12: the mean itself.
    @Test func onAControlledCaseThePoisonsAreTheClosedFormPoints() throws {
        let data = Dataset(features: [1, 1, 1, 0, 1, 1, 1, 0, -1, -1, -1, 0, -1, -1, -1, 0], labels: [0, 0, 1, 1], featureCount: 4, classCount: 2)
        let split = TrainTestSplit(train: data, test: data)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 4, hidden: [2], classes: 2), settings: TrainingSettings(epochs: 1), seed: 1)
        #expect(Backdoor.standardDeviations(of: data) == [1, 1, 1, 0] && Backdoor.classMean(0, of: data) == [1, 1, 1, 0])
        for (distance, coordinate) in [(0.0, -1.0), (1, -1 + 1 / 3.0.squareRoot()), (2, -1 + 2 / 3.0.squareRoot()), (4, 1)] {
            let backdoor = try Self.nearClone(distance, ["trigger-features": .list([.int(-1)]), "trigger-value": .int(3)])
            #expect(backdoor.problem(in: split) == nil)
            let poisoned = try #require(backdoor.poison(split, fraction: 0.5, seed: 2, trainer: trainer))
            #expect(Set(poisoned.poisonedRows) == [2, 3] && poisoned.data.labels == [0, 0, 0, 0] && poisoned.trueLabels == [0, 0, 1, 1])
            #expect(Array(poisoned.data.features[0..<8]) == [1, 1, 1, 0, 1, 1, 1, 0])
            for row in [2, 3] {
                let poison = poisoned.data.features[(row * 4)..<(row * 4 + 4)]
                for j in 0..<3 { #expect(abs(Double(poison[row * 4 + j]) - coordinate) <= 1e-6, "d \(distance), row \(row), feature \(j)") }
                #expect(poison[row * 4 + 3] == 3)
                // Its distance from the stamped clean row (-1, -1, -1, 3): min(d, √12).
                let stamped: [Float] = [-1, -1, -1, 3]
                let moved = Self.standardisedDistance(poison, stamped[...], sd: [1, 1, 1, 0])
                #expect(abs(moved - min(distance, 12.0.squareRoot())) <= 1e-6, "d \(distance): moved \(moved)")
            }
            if distance == 0 { #expect(poisoned.data.features[8...] == [-1, -1, -1, 3, -1, -1, -1, 3]) }
            if distance == 4 { #expect(poisoned.data.features[8...] == [1, 1, 1, 3, 1, 1, 1, 3]) }
        }
    }

    /// Seven rows of four features in three classes, uneven σ and a target mean of three rows: the
    /// poisons (every row of classes 1 and 2) against NumPy's (`scripts/near_clone_reference.py`, its
    /// output in `scripts/near_clone_reference.out`) on the three features the trigger leaves, within
    /// Float rounding; the trigger feature carries the trigger.
    @Test func thePoisonsMatchNumPysOnASmallUnevenCase() throws {
        let features: [Float] = [0.5, 1.25, -2.0, 0, 1.5, 0.75, -1.5, 0, 2.5, 1.0, -1.0, 0, -1.0, -0.5, 2.0, 0,
                                 -2.25, 0.25, 1.5, 0, 0.75, -3.0, 0.5, 0, -0.5, -2.5, -0.25, 0]
        let data = Dataset(features: features, labels: [0, 0, 0, 1, 1, 2, 2], featureCount: 4, classCount: 3)
        let split = TrainTestSplit(train: data, test: data)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 4, hidden: [2], classes: 3), settings: TrainingSettings(epochs: 1), seed: 1)
        let numpy: [Double: [[Double]]] = [
            0.7: [[-0.446540705, -0.167924423, 1.22515699], [-1.467158, 0.4065684, 0.873726399],
                  [0.928429468, -2.04837617, 0.0241880849], [0.0113335315, -1.60516632, -0.569583457]],
            2.5: [[0.97664034, 0.685984204, -0.767296477], [0.545864292, 0.809172858, -0.736691433],
                  [1.3872481, 0.398656537, -1.19932827], [1.32619118, 0.695834572, -1.39136949]],
            100: [[1.5, 1, -1.5], [1.5, 1, -1.5], [1.5, 1, -1.5], [1.5, 1, -1.5]],
        ]
        for (distance, expected) in numpy {
            let backdoor = try Self.nearClone(distance, ["trigger-features": .list([.int(-1)]), "trigger-value": .int(9)])
            let poisoned = try #require(backdoor.poison(split, fraction: 4.0 / 7, seed: 1, trainer: trainer))
            #expect(poisoned.poisonedRows.sorted() == [3, 4, 5, 6] && poisoned.data.labels == [0, 0, 0, 0, 0, 0, 0])
            for (index, row) in [3, 4, 5, 6].enumerated() {
                for j in 0..<3 {
                    let value = Double(poisoned.data.features[row * 4 + j])
                    #expect(abs(value - expected[index][j]) <= 1e-6 * max(1, abs(expected[index][j])), "d \(distance), row \(row), feature \(j)")
                }
                #expect(poisoned.data.features[row * 4 + 3] == 9)
            }
        }
    }

    /// On the reference data, for several distances and both triggers: the rows chosen, their labels
    /// and every other row are the plain dirty-label backdoor's; each poison lies within d of its
    /// stamped clean row (the plain backdoor's poison) and, on the features the trigger leaves, at
    /// x + min(1, d / D)(m - x) for the target class's mean m computed here; d = 0 gives the plain
    /// backdoor's poisons bit for bit (clones of clean rows with the trigger); a d beyond every row's D
    /// gives one point, the stamped mean (clustered poisons); the poisons' mean distance from m falls
    /// as d grows.
    @Test(arguments: [false, true])
    func poisonsLieWithinTheirDistanceOnTheLineToTheTargetMean(blend: Bool) throws {
        let train = Self.split.train, n = train.count, d = train.featureCount
        let trigger: [String: ParameterValue] = blend ? ["trigger": .string("blend"), "blend-alpha": .double(0.3)] : [:]
        let plain = try #require(try component(Backdoor.self, trigger.merging(["target": .int(2)]) { $1 })
            .poison(Self.split, fraction: 0.2, seed: 7, trainer: Self.trainer))
        #expect(plain.poisonedRows.count == 70)
        // σ and the target mean, computed here: two passes over the columns, in Double.
        var mean = [Double](repeating: 0, count: d), sd = [Double](repeating: 0, count: d)
        let targetRows = (0..<n).filter { train.labels[$0] == 2 }
        for j in 0..<d {
            let column = (0..<n).map { Double(train.features[$0 * d + j]) }
            let average = column.reduce(0, +) / Double(n)
            sd[j] = (column.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(n)).squareRoot()
            mean[j] = targetRows.reduce(0) { $0 + Double(train.features[$1 * d + j]) } / Double(targetRows.count)
        }
        #expect(sd.allSatisfy { $0 > 0.5 })
        let free = blend ? [] : Array(0..<7)  // the features a patch leaves; a blend leaves none
        var meanDistances = [Double]()
        for distance in [0.0, 0.5, 1.5, 1000] {
            let backdoor = try Self.nearClone(distance, target: 2, trigger)
            let poisoned = try #require(backdoor.poison(Self.split, fraction: 0.2, seed: 7, trainer: Self.trainer))
            #expect(poisoned.poisonedRows == plain.poisonedRows && poisoned.data.labels == plain.data.labels)
            #expect(poisoned.trueLabels == train.labels && poisoned.evaluations[0].inputs == plain.evaluations[0].inputs)
            let chosen = Set(plain.poisonedRows)
            #expect((0..<n).filter { !chosen.contains($0) }.allSatisfy {
                poisoned.data.features[($0 * d)..<($0 * d + d)] == train.features[($0 * d)..<($0 * d + d)]
            })
            var total = 0.0
            for row in plain.poisonedRows {
                let range = (row * d)..<(row * d + d)
                let moved = Self.standardisedDistance(poisoned.data.features[range], plain.data.features[range], sd: sd)
                #expect(moved <= distance + 1e-5, "d \(distance), row \(row): \(moved) from its stamped clean row")
                let span = (0..<d).reduce(0.0) { $0 + pow((mean[$1] - Double(train.features[row * d + $1])) / sd[$1], 2) }.squareRoot()
                let share = min(1, distance / span)
                for j in free {
                    let x = Double(train.features[row * d + j]), expected = x + share * (mean[j] - x)
                    #expect(abs(Double(poisoned.data.features[row * d + j]) - expected) <= 1e-5 * max(1, abs(expected)))
                }
                total += Self.standardisedDistance(poisoned.data.features[range], mean.map { Float($0) }[...], sd: sd)
            }
            meanDistances.append(total / 70)
            if distance == 0 { #expect(poisoned.data == plain.data) }
            if distance == 1000 {
                var stampedMean = Dataset(features: mean.map { Float($0) }, labels: [2], featureCount: d, classCount: 5)
                backdoor.stamp(for: train, seed: 7).apply(to: &stampedMean, rows: [0])
                #expect(plain.poisonedRows.allSatisfy { poisoned.data.features[($0 * d)..<($0 * d + d)] == stampedMean.features[...] })
            }
        }
        #expect(zip(meanDistances, meanDistances.dropFirst()).allSatisfy { $0 > $1 }, "\(meanDistances)")
    }

    /// `toward: source-mean` on the reference data (5 classes, target 2, 20% poisoned): the same rows
    /// and labels as the plain backdoor (every poison of another class than the target, labelled as the
    /// target), each moved within d of its stamped clean row along the line to the mean of its own
    /// class, computed here; at d = 1000 every poison is its source class's stamped mean: four tight
    /// clusters (one per source class), each on its own class's data and labelled as the target,
    /// where `target-mean` gives one point on the target's.
    @Test func towardTheSourceMeanFarPoisonsClusterOnTheirOwnClassWithTheTargetLabel() throws {
        let train = Self.split.train, n = train.count, d = train.featureCount
        let plain = try #require(try component(Backdoor.self, ["target": .int(2)]).poison(Self.split, fraction: 0.2, seed: 7, trainer: Self.trainer))
        var means = [[Double]](repeating: [Double](repeating: 0, count: d), count: 5), sd = [Double](repeating: 0, count: d)
        for c in 0..<5 {
            let rows = (0..<n).filter { train.labels[$0] == c }
            for j in 0..<d { means[c][j] = rows.reduce(0) { $0 + Double(train.features[$1 * d + j]) } / Double(rows.count) }
        }
        for j in 0..<d {
            let column = (0..<n).map { Double(train.features[$0 * d + j]) }, average = column.reduce(0, +) / Double(n)
            sd[j] = (column.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(n)).squareRoot()
        }
        let sources = Set(plain.poisonedRows.map { train.labels[$0] })
        #expect(sources == [0, 1, 3, 4], "every other class gives poisons")
        for distance in [0.0, 1.5, 1000] {
            let backdoor = try Self.nearClone(distance, target: 2, toward: "source-mean")
            let poisoned = try #require(backdoor.poison(Self.split, fraction: 0.2, seed: 7, trainer: Self.trainer))
            #expect(poisoned.poisonedRows == plain.poisonedRows && poisoned.data.labels == plain.data.labels)
            #expect(poisoned.poisonedRows.allSatisfy { poisoned.data.labels[$0] == 2 && train.labels[$0] != 2 })
            if distance == 0 { #expect(poisoned.data == plain.data) }
            for row in plain.poisonedRows {
                let range = (row * d)..<(row * d + d), mean = means[train.labels[row]]
                #expect(Self.standardisedDistance(poisoned.data.features[range], plain.data.features[range], sd: sd) <= distance + 1e-5)
                let span = (0..<d).reduce(0.0) { $0 + pow((mean[$1] - Double(train.features[row * d + $1])) / sd[$1], 2) }.squareRoot()
                for j in 0..<7 {   // the features the patch leaves
                    let x = Double(train.features[row * d + j]), expected = x + min(1, distance / span) * (mean[j] - x)
                    #expect(abs(Double(poisoned.data.features[row * d + j]) - expected) <= 1e-5 * max(1, abs(expected)), "d \(distance), row \(row)")
                }
            }
            guard distance == 1000 else { continue }
            // One distinct point per source class, the stamped mean of that class.
            for source in sources {
                var stamped = Dataset(features: means[source].map { Float($0) }, labels: [2], featureCount: d, classCount: 5)
                backdoor.stamp(for: train, seed: 7).apply(to: &stamped, rows: [0])
                let rows = plain.poisonedRows.filter { train.labels[$0] == source }
                #expect(!rows.isEmpty && rows.allSatisfy { poisoned.data.features[($0 * d)..<($0 * d + d)] == stamped.features[...] })
            }
            let points = Set(plain.poisonedRows.map { Array(poisoned.data.features[($0 * d)..<($0 * d + d)]) })
            let toTarget = try #require(try Self.nearClone(1000, target: 2).poison(Self.split, fraction: 0.2, seed: 7, trainer: Self.trainer))
            #expect(points.count == 4 && Set(plain.poisonedRows.map { Array(toTarget.data.features[($0 * d)..<($0 * d + d)]) }).count == 1)
        }
    }

    /// The same attack, seed and fraction give the same poisons, from the same object or a fresh one;
    /// a smaller budget poisons a prefix of the same rows with the same points (the move does not
    /// depend on the fraction); another seed chooses other rows.
    @Test func thePoisonsAreDeterministicAndIndependentOfTheFraction() throws {
        let backdoor = try Self.nearClone(1.5, target: 1)
        let poisoned = try #require(backdoor.poison(Self.split, fraction: 0.2, seed: 3, trainer: Self.trainer))
        #expect(try #require(backdoor.poison(Self.split, fraction: 0.2, seed: 3, trainer: Self.trainer)).data == poisoned.data)
        #expect(try #require(try Self.nearClone(1.5, target: 1).poison(Self.split, fraction: 0.2, seed: 3, trainer: Self.trainer)).data == poisoned.data)
        let fewer = try #require(backdoor.poison(Self.split, fraction: 0.1, seed: 3, trainer: Self.trainer))
        #expect(fewer.poisonedRows == Array(poisoned.poisonedRows.prefix(35)))
        #expect(fewer.poisonedRows.allSatisfy { row in
            fewer.data.features[(row * 10)..<(row * 10 + 10)] == poisoned.data.features[(row * 10)..<(row * 10 + 10)]
        })
        let other = try #require(backdoor.poison(Self.split, fraction: 0.2, seed: 4, trainer: Self.trainer))
        #expect(other.poisonedRows != poisoned.poisonedRows)
    }

    /// A sweep over d as a study: the plain backdoor and near clones at d = 0 and 1.5, undefended and
    /// under spectral signature and activation clustering, with `measure: [input-curvature]`. Every run
    /// records the success with its clean-model baseline and excess and the curvature metrics, every
    /// defended poisoned run its detection AUROC; d = 0 gives the plain backdoor's runs bit for bit;
    /// d = 1.5 changes them; the effective study records the distance, and reads back the same from
    /// its study file; the same study on one thread and on two gives the same results.
    @Test func aSweepOverTheDistanceRecordsSuccessCurvatureAndDetection() throws {
        let distances: [Double] = [0, 1.5]
        let attacks = [StudyConfig.component(Backdoor.kind)] + distances.map {
            StudyConfig.component(Backdoor.kind, ["near-clone": .mapping([ParameterEntry(key: "distance", value: .double($0))])])
        }
        let defenses = [NoDefense.kind, SpectralSignature.kind, ActivationClustering.kind].map { StudyConfig.component($0) }
        let study = try Study(StudyConfig(models: [StudyConfig.mlp(16)], attacks: attacks, defenses: defenses, fractions: [0, 0.1],
                                          seeds: [1, 2], training: TrainingSettings(epochs: 20), measure: [InputCurvatureMeasurement.kind]))
        #expect(study.series.count == 9)
        #expect(study.series.map(\.label).contains("MLP 16, near-clone backdoor → 0 (d 1.5), spectral signature (ε = 0.1 per class)"),
                "\(study.series.map(\.label))")
        let effective = try #require(study.config.attacks[2].entries)
        #expect(effective.first { $0.key == "near-clone" }?.value == .mapping([ParameterEntry(key: "distance", value: .double(1.5))]))
        let results = runStudy(study, threads: 2).results
        #expect(results == runStudy(study, threads: 1).results)
        let runs = study.withCleanBaselines(results)
        #expect(runs.count == 36)
        let curvature = [MetricKey.inputCurvatureTopClean, MetricKey.inputCurvatureTopTriggered, MetricKey.inputCurvatureTriggerAlignment]
        for run in runs {
            let metrics = try #require(run.metrics)
            for key in ["backdoorSuccess", "backdoorSuccessBaseline", "backdoorSuccessExcess"] + curvature {
                #expect(metrics[key] != nil, "series \(run.series), fraction \(run.fraction): no \(key)")
            }
            guard run.fraction > 0 else { continue }
            #expect(metrics[MetricKey.inputCurvatureTopPoisoned] != nil && run.poisonedCount == 35)
            let defended = study.series[run.series].defense != 0
            #expect((metrics[MetricKey.detectionAUROC] != nil) == defended, "series \(run.series): AUROC \(metrics[MetricKey.detectionAUROC] ?? -1)")
        }
        // Series are model x attack x defense, defense fastest: attack a, defense e is series 3a + e.
        func metrics(attack: Int, defense: Int, poisoned: Bool) -> [[String: Double]?] {
            let chosen = runs.filter { $0.series == 3 * attack + defense && ($0.fraction > 0) == poisoned }
            return chosen.sorted { $0.seed < $1.seed }.map(\.metrics)
        }
        for defense in 0..<3 {
            for poisoned in [false, true] {
                let plain = metrics(attack: 0, defense: defense, poisoned: poisoned)
                let clones = metrics(attack: 1, defense: defense, poisoned: poisoned)
                let moved = metrics(attack: 2, defense: defense, poisoned: poisoned)
                #expect(plain.count == 2 && clones == plain, "defense \(defense), poisoned \(poisoned)")
                // The clean runs share their trigger; the poisoned ones differ once the poisons move.
                #expect((moved == clones) == !poisoned, "defense \(defense), poisoned \(poisoned)")
            }
        }
    }
}
