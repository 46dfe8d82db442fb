import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// Targets of linear SVMs (label-flip, GradPC) and every run's measurement of its study's targets
/// (`RunResult.targets`), whatever the attack; a study without targets is unchanged.
struct TargetMeasurementTests {
    /// The linear SVM's mean hinge-loss gradient (`meanLossGradient`, what GradPC ascends) is the
    /// central difference of its mean row loss (step 1e-6; the loss is piecewise linear and no
    /// reference row's hinge lies within 1e-6 of its kink at these weights) to 1e-9, for every weight.
    @Test func theLinearSVMsLossGradientIsItsFiniteDifference() {
        let rows = PoisonabilityTests.referenceRows(classes: 3)
        let svm = PoisonabilityTests.referenceSVM(classes: 3, scale: 1, regularization: 0.5)
        let gradient = svm.meanLossGradient(on: rows)
        #expect(gradient.map(abs).max()! > 0.1)
        func loss(_ weights: [Double]) -> Double {
            svm.withParameterValues(weights).rowLosses(on: rows).reduce(0, +) / Double(rows.count)
        }
        for i in svm.weights.indices {
            var up = svm.weights, down = svm.weights
            up[i] += 1e-6
            down[i] -= 1e-6
            #expect(abs((loss(up) - loss(down)) / 2e-6 - gradient[i]) <= 1e-9, "weight \(i)")
        }
    }

    /// Both targets of a binary linear SVM (two overlapping classes of Gaussian rows, so that validation
    /// rows lie inside the margin and the hinge loss has a gradient): still one binary problem
    /// (the two hyperplanes mirror images, bit for bit), the label-flip target the SVM solved on the
    /// flipped rows, GradPC's within ε_w of the clean model and at its edge, with a larger validation
    /// hinge loss than the clean model's and a lower test accuracy.
    @Test func linearSVMTargetsAreBinaryMarginModels() throws {
        let split = GaussianClusters(samples: 200, features: 4, classes: 2, clusterStd: 4, centerScale: 2, seed: 7).makeSplit()
        // A generous pass limit: a solve still above its tolerance at its limit gives no target.
        let model = LinearSVM(c: 1, tolerance: 1e-8, maxPasses: 200_000).model(for: split.sizes)
        let trainer = ModelTrainer(model: model, settings: TrainingSettings(), seed: 3)
        let clean = try #require(trainer.train(split.train).model as? LinearSVMClassifier)
        let flip = try #require(LabelFlipTarget(fraction: 0.3).target(clean: clean, train: split.train, trainer: trainer, seed: 3))
        let gradpc = try #require(GradPCTarget(epsW: 0.5).target(clean: clean, train: split.train, trainer: trainer, seed: 3))
        for svm in [flip, gradpc] {
            #expect((0..<5).allSatisfy { svm.weights[$0] == -svm.weights[5 + $0] } && svm.c == 1)
        }
        let distance = relativeParameterDistance(gradpc, from: clean)
        #expect(abs(distance - 0.5) <= 1e-12, "\(distance)")
        #expect(relativeParameterDistance(flip, from: clean) > 0.01)
        #expect(gradpc.rowLosses(on: split.train).reduce(0, +) > 1.1 * clean.rowLosses(on: split.train).reduce(0, +))
        #expect(gradpc.accuracy(on: split.test) < clean.accuracy(on: split.test))
        for target in [flip, gradpc] {
            #expect(target.poisonabilityThreshold(on: split.train) == linearSVMPoisonabilityThreshold(of: target, on: split.train))
        }
    }

    /// A study of a linear SVM and kernel ridge under random label flips, with a GradPC and a
    /// label-flip target that no attack names: every linear-SVM run records both targets, the same at
    /// every fraction of a seed (τ, accuracy, distance recomputed here from the seed's clean model),
    /// the kernel-ridge runs none (it cannot have targets).
    @Test func everyRunOfAStudyWithTargetsMeasuresThem() throws {
        let targets = [StudyConfig.component(GradPCTarget.kind, ["eps-w": .double(0.5)]), StudyConfig.component(LabelFlipTarget.kind)]
        let config = StudyConfig(data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(120), "features": .int(3), "classes": .int(2)]),
                                 models: [StudyConfig.component(LinearSVM.kind), StudyConfig.component(KernelRidge.kind)],
                                 attacks: [StudyConfig.component(RandomLabelFlip.kind)], fractions: [0, 0.2], seeds: [1, 2],
                                 training: TrainingSettings(epochs: 2, batchSize: 16), targets: targets)
        let study = try Study(config)
        let runs = runStudy(study, threads: 1).results
        let svmRuns = runs.filter { $0.series == 0 }, ridgeRuns = runs.filter { $0.series == 1 }
        #expect(svmRuns.count == 4 && ridgeRuns.count == 4 && ridgeRuns.allSatisfy { $0.targets == nil })
        for seed: UInt64 in [1, 2] {
            let trainer = ModelTrainer(model: study.models[0].model(for: study.split.sizes), settings: study.config.training, seed: seed)
            let clean = try #require(trainer.train(study.split.train).model as? LinearSVMClassifier)
            let expected = try study.targets.map { target in
                let aim = try #require(target.target(clean: clean, train: study.split.train, trainer: trainer, seed: seed))
                return TargetMeasurement(target: target.label, tau: linearSVMPoisonabilityThreshold(of: aim, on: study.split.train).tau,
                                         accuracy: aim.accuracy(on: study.split.test), distance: relativeParameterDistance(aim, from: clean))
            }
            #expect(expected.map(\.target) == ["gradpc 0.5", "label-flip 0.5"] && expected.allSatisfy { $0.accuracy != nil && $0.distance != nil })
            #expect((expected[0].distance ?? 1) <= 0.5 + 1e-12)
            for run in svmRuns where run.seed == seed { #expect(run.targets == expected, "fraction \(run.fraction)") }
        }
    }

    /// Issue 24 review: the clean model and every target are trained once per model and seed, shared
    /// by the runs' target measurements and gradient canceling. A study of softmax regression with a
    /// GradPC and a label-flip target, gradient canceling aimed at each and random label flips, 3
    /// fractions and 2 seeds (18 runs, each measuring both targets): the study's cache ends with
    /// exactly 1 model x 2 seeds x (clean + 2 targets) = 6 models, its capacity. Each GC run's target is
    /// the one its run measured (the same accuracy and distance from clean), and every run is the same,
    /// bit for bit, as that run alone in a fresh study (nothing cached) and on one thread.
    @Test func theCleanModelAndEachTargetAreTrainedOncePerModelAndSeed() throws {
        let targets = [StudyConfig.component(GradPCTarget.kind, ["eps-w": .double(0.5)]),
                       StudyConfig.component(LabelFlipTarget.kind, ["fraction": .double(0.3)])]
        let attacks = [StudyConfig.component(GradientCanceling.kind, ["target": .string("gradpc 0.5"), "steps": .int(5)]),
                       StudyConfig.component(GradientCanceling.kind, ["target": .string("label-flip 0.3"), "steps": .int(5)]),
                       StudyConfig.component(RandomLabelFlip.kind)]
        let config = StudyConfig(data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(120), "features": .int(3), "classes": .int(3)]),
                                 models: [StudyConfig.component(LogisticRegression.kind)], attacks: attacks, fractions: [0, 0.2, 0.5],
                                 seeds: [1, 2], training: TrainingSettings(epochs: 5, batchSize: 16), targets: targets)
        let study = try Study(config)
        #expect(study.design.trainedModels.capacity == 6 && study.design.trainedModels.count == 0)
        let runs = runStudy(study, threads: 2).results
        #expect(runs.count == 18 && study.design.trainedModels.count == 6)
        for run in runs where study.series[run.series].attack < 2 {
            let metrics = try #require(run.metrics), measured = try #require(run.targets?[study.series[run.series].attack])
            #expect(metrics[MetricKey.targetAccuracy] == measured.accuracy && metrics[MetricKey.targetShift] == measured.distance)
        }
        for (index, spec) in study.runSpecs.enumerated() {
            let alone = try Study(config)
            #expect(executeRuns([spec], study: alone) == [runs[index]], "run \(index)")
            #expect(alone.design.trainedModels.count == 3)
        }
    }

    /// Cached models are matched on every setting: the same target, seed, trainer and rows give the
    /// same models, taken from the cache (its count unchanged), and each is exactly what training
    /// gives; a target with the same label but another setting (GradPC's steps), another target
    /// seed, another run seed, other training settings or other rows each give their own models.
    /// Beyond its capacity the oldest entry goes.
    @Test func trainedModelsAreMatchedOnEverySetting() throws {
        let split = GaussianClusters(samples: 120, features: 3, classes: 3, seed: 5).makeSplit()
        let shape = NetworkShape(inputs: 3, hidden: [], classes: 3)
        let trainer = ModelTrainer(model: shape, settings: TrainingSettings(epochs: 5, batchSize: 16), seed: 3)
        let cache = TrainedModelCache(capacity: 20)
        /// The clean model and the target `target` makes for `seed`, from the cache and computed here.
        func check(_ target: any TargetModel, seed: UInt64, trainer: ModelTrainer, rows: Dataset, count: Int) throws -> NetworkParameters {
            let made = try #require(cache.target(target, seed: seed, trainer: trainer, on: rows))
            let clean = try #require(trainer.train(rows).model as? NetworkParameters)
            #expect(made.clean as? NetworkParameters == clean)
            let aim = try #require(made.target as? NetworkParameters)
            #expect(aim == target.target(clean: clean, train: rows, trainer: trainer, seed: seed))
            #expect(cache.count == count)
            return aim
        }
        let gradpc = try check(GradPCTarget(epsW: 0.5), seed: 3, trainer: trainer, rows: split.train, count: 2)
        #expect(try check(GradPCTarget(epsW: 0.5), seed: 3, trainer: trainer, rows: split.train, count: 2) == gradpc)
        let fewerSteps = GradPCTarget(epsW: 0.5, steps: 7)
        #expect(fewerSteps.label == GradPCTarget(epsW: 0.5).label)
        #expect(try check(fewerSteps, seed: 3, trainer: trainer, rows: split.train, count: 3) != gradpc)
        #expect(try check(GradPCTarget(epsW: 0.5), seed: 4, trainer: trainer, rows: split.train, count: 4) != gradpc)
        _ = try check(LabelFlipTarget(fraction: 0.3), seed: 3, trainer: trainer, rows: split.train, count: 5)
        let otherSeed = ModelTrainer(model: shape, settings: trainer.settings, seed: 4)
        #expect(try check(GradPCTarget(epsW: 0.5), seed: 3, trainer: otherSeed, rows: split.train, count: 7) != gradpc)
        let longer = ModelTrainer(model: shape, settings: TrainingSettings(epochs: 6, batchSize: 16), seed: 3)
        #expect(try check(GradPCTarget(epsW: 0.5), seed: 3, trainer: longer, rows: split.train, count: 9) != gradpc)
        let fewerRows = split.train.rows(Array(0..<60))
        #expect(try check(GradPCTarget(epsW: 0.5), seed: 3, trainer: trainer, rows: fewerRows, count: 11) != gradpc)
        // The clean model's own entry is the plain fit.
        #expect(cache.fit(trainer, on: split.train).model as? NetworkParameters == trainer.train(split.train).model as? NetworkParameters)
        #expect(cache.count == 11)
        let small = TrainedModelCache(capacity: 2)
        for seed: UInt64 in 1...3 { _ = small.fit(ModelTrainer(model: shape, settings: trainer.settings, seed: seed), on: split.train) }
        #expect(small.count == 2)
    }

    /// A study whose only model cannot have targets (kernel ridge) is refused in one line at
    /// `targets`, since its runs would measure none.
    @Test func targetsWithoutAModelThatCanHaveThemAreRefused() {
        let config = StudyConfig(data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(80), "features": .int(3), "classes": .int(2)]),
                                 models: [StudyConfig.component(KernelRidge.kind)], attacks: [StudyConfig.component(RandomLabelFlip.kind)],
                                 fractions: [0, 0.2], seeds: [1], targets: [StudyConfig.component(LabelFlipTarget.kind)])
        #expect(GradientCancelingTests.refusal(config) == "targets: no model of the study can have targets (kernel-ridge has no τ; softmax "
            + "regression, MLPs and linear SVMs do): its runs would measure none (remove targets, or add such a model)")
    }
}
