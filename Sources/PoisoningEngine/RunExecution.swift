import PoisoningAttacks
import PoisoningData
import PoisoningDefenses
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// Runs one cell of the sweep: poison the training set, let the defense choose the rows, train on
/// them, measure.
public func executeRun(_ spec: RunSpec, study: Study) -> RunResult {
    switch prepareRun(spec, study: study) {
    case .finished(let result): result
    case .prepared(let run): run.result(of: run.trainer.train(run.trainingRows, adjustment: run.decision.training))
    }
}

/// Runs cells of the sweep (in `specs` order), as `executeRun` does each, training at once the
/// runs whose training is plain SGD on the same dense network (no layer wider than `widestPacked`) and
/// the same number of rows, up to `packedRunCount` per pass (`trainNetworksPacked`, which gives
/// every run the bits it gets alone). At least `minimumPack` such runs make a pass; fewer train one
/// at a time. The defaults are where packing wins on this project's machine (`make bench`): below
/// six runs the idle lanes cost more than packing saves, and layers wider than 128 units already
/// fill the one-run kernels' vectors.
public func executeRuns(_ specs: [RunSpec], study: Study, minimumPack: Int = packingMinimum, widestPacked: Int = packingWidest)
    -> [RunResult] {
    let prepared = specs.map { prepareRun($0, study: study) }
    var results: [RunResult?] = prepared.map {
        guard case .finished(let result) = $0 else { return nil }
        return result
    }
    var packs = [PackKey: [(position: Int, run: PreparedRun)]]()
    var keys = [PackKey]()   // in order of first appearance, so that the work's order is fixed
    for (position, preparation) in prepared.enumerated() {
        guard case .prepared(let run) = preparation else { continue }
        if run.decision.training == TrainingAdjustment(), let shape = run.trainer.model as? NetworkShape, packable(shape, widest: widestPacked) {
            let key = PackKey(shape: shape, rows: run.trainingRows.count)
            if packs[key] == nil { keys.append(key) }
            packs[key, default: []].append((position, run))
        } else {
            results[position] = run.result(of: run.trainer.train(run.trainingRows, adjustment: run.decision.training))
        }
    }
    for key in keys {
        let members = packs[key]!
        for start in stride(from: 0, to: members.count, by: packedRunCount) {
            let pack = members[start..<min(start + packedRunCount, members.count)]
            if pack.count >= minimumPack {
                let outcomes = trainNetworksPacked(key.shape, on: pack.map(\.run.trainingRows), settings: study.config.training,
                                                   seeds: pack.map(\.run.trainer.seed))
                for (member, outcome) in zip(pack, outcomes) { results[member.position] = member.run.result(of: ModelFit(outcome)) }
            } else {
                for member in pack { results[member.position] = member.run.result(of: member.run.trainer.train(member.run.trainingRows)) }
            }
        }
    }
    return results.map { $0! }
}

/// The fewest runs `executeRuns` trains in one packed pass by default.
public let packingMinimum = 6

/// The widest hidden layer `executeRuns` packs by default.
public let packingWidest = 128

/// Whether `executeRuns` packs runs of `shape`: no hidden layer wider than `widest`.
func packable(_ shape: NetworkShape, widest: Int) -> Bool { shape.hidden.allSatisfy { $0 <= widest } }

/// What runs of one study may share a packed pass (their SGD settings are the study's): the same
/// network and number of training rows.
private struct PackKey: Hashable {
    let shape: NetworkShape
    let rows: Int
}

/// A run up to its training: finished already (the attack's or the defense's own model diverged),
/// or prepared with the rows to train on.
enum RunPreparation {
    case finished(RunResult)
    case prepared(PreparedRun)
}

/// A run whose training set the attack and the defense have made, waiting for its model.
struct PreparedRun {
    let spec: RunSpec
    let study: Study
    let trainer: ModelTrainer
    let poisoned: PoisonedTrainingSet
    let decision: DefenseDecision
    /// The rows the model trains on (relabelled and filtered by the defense).
    let trainingRows: Dataset
    /// Their true labels.
    let trueLabels: [Int]
    /// The study's targets measured for this run (`measureTargets`).
    let targets: [TargetMeasurement]?

    /// The model of this run's series and seed at fraction 0, where the series' defense trains as
    /// none does (no defense, or an input-gradient penalty of λ 0: `TrainingSetDefense.trainsAsUndefended`):
    /// its model, training settings and seed trained on the clean training rows, taken from (or
    /// trained once into) the study's `trainedModels`, bit for bit the fraction-0 run's model (packed
    /// training gives each run the bits it gets alone); nil under any other defense (its fraction-0
    /// run trains on the rows the defense keeps, or trains otherwise, so no model at hand is it) and
    /// when training diverged.
    func cleanModelOfTheRun() -> (any Classifier)? {
        guard study.defenses[study.series[spec.series].defense].trainsAsUndefended else { return nil }
        return study.design.trainedModels.model(trainer, on: study.split.train)
    }

    /// The model the run measures: `trained` itself, or for an attack with a target model (gradient
    /// canceling) on softmax regression trained by plain SGD, `trained` carried on to convergence on
    /// the training rows (`convergedSoftmaxRegression`): the paper's victim is the minimiser of the
    /// training loss, and SGD at a constant learning rate stops at a distance from it set by its
    /// noise, which `targetDistance` and `targetAgreement` would otherwise measure.
    func victim(_ trained: any Classifier) -> any Classifier {
        guard poisoned.target != nil, decision.training == TrainingAdjustment(), let network = trained as? NetworkParameters,
              network.shape.hidden.isEmpty else { return trained }
        return convergedSoftmaxRegression(from: network, on: trainingRows).model
    }

    /// The run's result once `outcome` is its trained model: its metrics, or why it diverged or
    /// failed (its solver stopped short of the solution: `ModelFit.failure`).
    func result(of outcome: ModelFit) -> RunResult {
        let poisonedCount = poisoned.poisonedRows.count
        if let epoch = outcome.divergedEpoch {
            return divergedRun(spec, study: study, what: "training loss", epoch: epoch, poisonedCount: poisonedCount, saturated: poisoned.saturated,
                               targets: targets)
        }
        if let reason = outcome.failure {
            return failedRun(spec, study: study, reason: reason, poisonedCount: poisonedCount, saturated: poisoned.saturated, targets: targets)
        }
        let model = victim(outcome.model)
        let test = model.accuracy(on: study.split.test)
        let train = model.accuracy(on: trainingRows)
        var metrics = [
            MetricKey.testAccuracy: test,
            MetricKey.trainAccuracy: train,
            MetricKey.trainCleanAccuracy: model.accuracy(on: trainingRows, labels: trueLabels),
            MetricKey.generalizationGap: train - test,
            MetricKey.finalLoss: outcome.epochLosses.last ?? .nan,
        ]
        metrics.merge(poisoned.measurements) { $1 }
        for evaluation in poisoned.evaluations where evaluation.inputs.count > 0 {
            metrics[evaluation.metric.key] = model.accuracy(on: evaluation.inputs)
        }
        if let target = poisoned.target, let victim = model as? NetworkParameters {
            metrics[MetricKey.victimGradientNorm] = victim.lossAndGradient(on: trainingRows).gradient
                .reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            metrics[MetricKey.targetDistance] = relativeParameterDistance(victim, from: target)
            metrics[MetricKey.targetAgreement] = model.accuracy(on: study.split.test, labels: target.predictions(on: study.split.test))
        }
        if let solved = model as? any SolvedToleranceClassifier {
            metrics[MetricKey.undeterminedTestShare] = solved.undeterminedShare(on: study.split.test)
        }
        if let epoch = outcome.stoppingEpoch { metrics[MetricKey.stoppingEpoch] = Double(epoch) }
        // ε is infinite without noise, and above `MetricKey.largestUnboundedValue` (no guarantee at all,
        // and a square that overflows) with next to none; results.json holds only numbers in range, so
        // it is left out then, and so is the order that gave it.
        if let privacy = decision.training.privacy {
            let budget = privacy.budget(rows: trainingRows.count, settings: study.config.training)
            if MetricKey.validRange(of: MetricKey.privacyEpsilon).contains(budget.epsilon) {
                metrics[MetricKey.privacyEpsilon] = budget.epsilon
                metrics[MetricKey.privacyOrder] = budget.order
            }
        }
        metrics.merge(decision.metrics) { $1 }
        if decision.scores != nil {
            let detection = DetectionMetrics(decision: decision, poisonedRows: poisoned.poisonedRows, labels: poisoned.data.labels)
            metrics[MetricKey.removedFraction] = detection.removedFraction
            metrics[MetricKey.detectionPrecision] = detection.precision
            metrics[MetricKey.detectionRecall] = detection.recall
            metrics[MetricKey.detectionAUROC] = detection.auroc
            metrics[MetricKey.detectionTPRAt5FPR] = detection.tprAt5FPR
        }
        for measurement in study.design.measurements {
            metrics.merge(measurement.measure(model, test: study.split.test, poisoned: poisoned, seed: spec.seed,
                                              clean: { spec.fraction == 0 ? model : cleanModelOfTheRun() })) { $1 }
        }
        assert(Set(metrics.keys).isSubset(of: study.recordableMetrics(of: spec.series)),
               "a run records a metric its attack, defense or measurements do not declare")
        return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: poisonedCount,
                         realisedFraction: realisedFraction(poisonedCount, study: study), metrics: metrics, divergence: nil,
                         saturated: poisoned.saturated, targets: targets)
    }
}

/// The study's targets are measured (`measureTargets`), the attack poisons the run's training set
/// and the defense inspects it; stops early when the attack's or the defense's own model diverges.
func prepareRun(_ spec: RunSpec, study: Study) -> RunPreparation {
    let series = study.series[spec.series]
    let split = study.split
    let model = study.models[series.model].model(for: split.sizes)
    let trainer = ModelTrainer(model: model, settings: study.config.training, seed: spec.seed)
    let targets = measureTargets(study.targets, split: split, trainer: trainer, trained: study.design.trainedModels)
    guard let poisoned = study.attacks[series.attack].poison(split, fraction: spec.fraction, seed: spec.seed, trainer: trainer) else {
        if let failure = study.attacks[series.attack].failure(fraction: spec.fraction, seed: spec.seed) {
            return .finished(failedRun(spec, study: study, reason: failure, poisonedCount: 0, saturated: false, targets: targets))
        }
        return .finished(divergedRun(spec, study: study, what: "the training loss of the attack's model of the clean data", epoch: nil,
                                     poisonedCount: 0, targets: targets))
    }
    guard let decision = study.defenses[series.defense].inspect(poisoned, trainer: trainer) else {
        return .finished(divergedRun(spec, study: study, what: "the training loss of the defense's model", epoch: nil,
                                     poisonedCount: poisoned.poisonedRows.count, saturated: poisoned.saturated, targets: targets))
    }
    var defended = poisoned.data
    if let labels = decision.labels { defended.labels = labels }
    let keepsAll = decision.kept.count == defended.count
    return .prepared(PreparedRun(spec: spec, study: study, trainer: trainer, poisoned: poisoned, decision: decision,
                                 trainingRows: keepsAll ? defended : defended.rows(decision.kept),
                                 trueLabels: keepsAll ? poisoned.trueLabels : decision.kept.map { poisoned.trueLabels[$0] }, targets: targets))
}

/// The result of a run that diverged: `what` became non-finite (at `epoch`, when known).
private func divergedRun(_ spec: RunSpec, study: Study, what: String, epoch: Int?, poisonedCount: Int, saturated: Bool = false,
                         targets: [TargetMeasurement]?) -> RunResult {
    let label = study.series[spec.series].label
    let message = "run \(label), fraction \(spec.fraction), seed \(spec.seed) diverged: \(what) became non-finite"
        + (epoch.map { " at epoch \($0)" } ?? "") + " with learning rate \(study.config.training.learningRate)"
    return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: poisonedCount,
                     realisedFraction: realisedFraction(poisonedCount, study: study), metrics: nil, divergence: message, saturated: saturated,
                     targets: targets)
}

/// The result of a run that failed for `reason` (not a divergence): its attack, before it poisoned a
/// row, or its model's solver, after `poisonedCount` rows were poisoned.
private func failedRun(_ spec: RunSpec, study: Study, reason: String, poisonedCount: Int, saturated: Bool,
                       targets: [TargetMeasurement]?) -> RunResult {
    let label = study.series[spec.series].label
    return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: poisonedCount,
                     realisedFraction: realisedFraction(poisonedCount, study: study), metrics: nil,
                     divergence: RunResult.failureMessage(seriesLabel: label, fraction: spec.fraction, seed: spec.seed, reason: reason),
                     saturated: saturated, targets: targets, failure: reason)
}

/// The share of the study's training rows the attack poisoned.
private func realisedFraction(_ poisonedCount: Int, study: Study) -> Double {
    Double(poisonedCount) / Double(study.split.train.count)
}
