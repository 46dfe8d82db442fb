import Testing
import TestSupport
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// Every (model, attack, defense) triple of the registry, on tiny data (`ConformanceStudies`): a
/// triple whose component needs a capability the model lacks is refused in one line, exactly as the
/// table below (written by hand, not derived from the declarations) says; every other one runs the
/// same bits on one thread and on two, changes nothing at fraction 0, and records exactly the
/// metrics its series declares. (The round trip through study.yaml is in StudyFileTests.)
@Suite struct ModelConformanceTests {
    /// The model kinds solved exactly, whose capabilities are the input gradient (and for kernel
    /// ridge input Hessian-vector products).
    static let inputGradientOnly = [KernelRidge.kind, LinearSVM.kind]

    /// What those kinds lack, by the component that needs it.
    static let inputGradientOnlyLacks = [
        FeatureCollision.kind: "a representation", GradientCanceling.kind: "a parameter vector with its gradient",
        SpectralSignature.kind: "a representation", ActivationClustering.kind: "a representation",
        LabelSmoothing.kind: "a parameter vector with its gradient", WeightDecay.kind: "a parameter vector with its gradient",
        EarlyStoppingDefense.kind: "a parameter vector with its gradient", TrimmedLoss.kind: "a parameter vector with its gradient",
        InputGradientPenaltyDefense.kind: "a parameter vector with its gradient", DPSGD.kind: "per-example gradients",
        InputCurvatureFilter.kind: "input Hessian-vector products",
    ]

    /// The refusal of `triple`, or nil when it must run: dense networks take every component; a kind
    /// with the input gradient only is refused for its attack first, then for its defense; kernel
    /// ridge, which also has input Hessian-vector products, takes the input-curvature filter.
    static func expectedRefusal(_ triple: ConformanceStudies.Triple) -> String? {
        guard inputGradientOnly.contains(triple.model) else { return nil }
        var lacks = inputGradientOnlyLacks
        if triple.model == KernelRidge.kind { lacks[InputCurvatureFilter.kind] = nil }
        if let missing = lacks[triple.attack] {
            return "attacks[0]: \(triple.attack) needs a model with \(missing); \(triple.model) has none"
        }
        return lacks[triple.defense].map { "defenses[0]: \(triple.defense) needs a model with \($0); \(triple.model) has none" }
    }

    /// The declared metrics any run may lack: precision (undefined when nothing is flagged), τ (absent
    /// when the target has no threshold) and the target's own gradient (absent when the target is not
    /// trained on rows, as the conformance studies' GradPC target is not).
    static let sometimesUndefined: Set<String> = [MetricKey.detectionPrecision, MetricKey.poisonabilityThreshold, MetricKey.targetGradientNorm]

    /// The declared metrics of the poisoned rows, undefined in a run that poisoned none (every run at
    /// fraction 0), which must then lack them: a defense's detection recall, AUROC and true-positive
    /// rate at 5% false positives (no poisoned row to find), and feature collision's share of its
    /// poisons in their base class (no poison).
    static let undefinedWithoutPoisons: Set<String> = [MetricKey.detectionRecall, MetricKey.detectionAUROC, MetricKey.detectionTPRAt5FPR,
                                                       "poisonsInBaseClass"]

    /// The indices, ascending, of the rows of `all` that `subset` holds, row for row, in order (each
    /// row of `subset` the first unused row of `all` with its features and label); nil when some row of
    /// `subset` is none of them.
    static func rowsInOrder(of subset: Dataset, in all: Dataset) -> [Int]? {
        let d = all.featureCount
        var rows = [Int](), next = 0
        for row in 0..<subset.count {
            let features = subset.features[(row * d)..<((row + 1) * d)]
            while next < all.count && (all.labels[next] != subset.labels[row] || all.features[(next * d)..<((next + 1) * d)] != features) {
                next += 1
            }
            guard next < all.count else { return nil }
            rows.append(next)
            next += 1
        }
        return rows
    }

    /// `rowsInOrder` finds a subset's rows and refuses rows out of order or changed.
    @Test func aSubsetOfTheTrainingRowsIsFoundInOrder() {
        let all = Dataset(features: [0, 1, 2, 3, 4, 5], labels: [0, 1, 0], featureCount: 2, classCount: 2)
        #expect(Self.rowsInOrder(of: all.rows([0, 2]), in: all) == [0, 2])
        #expect(Self.rowsInOrder(of: all, in: all) == [0, 1, 2])
        #expect(Self.rowsInOrder(of: all.rows([2, 0]), in: all) == nil)
        var relabelled = all.rows([1])
        relabelled.labels[0] = 0
        #expect(Self.rowsInOrder(of: relabelled, in: all) == nil)
    }

    @Test func everyTripleRunsAlikeOnAnyThreadCountOrIsRefusedInOneLine() throws {
        let triples = ConformanceStudies.all
        #expect(triples.count == Registry.models.count * (Registry.attacks.count + 1) * Registry.defenses.count)
        var refused = 0
        for triple in triples {
            let name = "\(triple.model) × \(triple.attack) × \(triple.defense)"
            let study: Study
            do {
                study = try Study(triple.config)
            } catch let error as SpecificationError {
                #expect("\(error)" == Self.expectedRefusal(triple), "\(name)")
                refused += 1
                continue
            }
            #expect(Self.expectedRefusal(triple) == nil, "\(name) was not refused")
            // A fresh Study for two threads, so that nothing the one-thread run cached in its Study
            // (`trainedModels`, the models the attacks aim at) is reused: each thread count computes all.
            let one = runStudy(study, threads: 1).results, two = runStudy(try Study(triple.config), threads: 2).results
            #expect(one == two, "\(name): the runs differ between one thread and two")
            // Every real run's shares are of whole rows, as a stored run's must be (`RunResult.countProblem`).
            for run in one {
                #expect(run.countProblem(trainingRows: study.split.train.count, testRows: study.split.test.count) == nil, "\(name)")
            }
            let runs = study.withCleanBaselines(one)
            let recordable = study.recordableMetrics(of: 0)
            for run in runs {
                let metrics = try #require(run.metrics, "\(name) diverged: \(run.divergence ?? "")")
                #expect(Set(metrics.keys).isSubset(of: recordable), "\(name) records an undeclared metric")
                // Every declared metric is produced, at every fraction, 0 included, but those undefined for
                // the run (`sometimesUndefined`, and `undefinedWithoutPoisons` in a run without poisons,
                // which must lack them).
                // An agreement excess pairs the run's victim with its clean model's (the run of the same series and seed
                // at fraction 0): it and the clean agreement are absent when that clean victim did not converge
                // (`Study.withCleanBaselines`).
                let cleanUnconverged = runs.contains { $0.fraction == 0 && $0.series == run.series && $0.seed == run.seed && !$0.victimConverged }
                let mayLack = (run.poisonedCount == 0 ? Self.sometimesUndefined.union(Self.undefinedWithoutPoisons) : Self.sometimesUndefined)
                    .union(cleanUnconverged ? [MetricKey.targetAgreement + MetricKey.excessSuffix, MetricKey.cleanTargetAgreement] : [])
                #expect(recordable.subtracting(metrics.keys).isSubset(of: mayLack),
                        "\(name) lacks \(recordable.subtracting(metrics.keys).sorted()) at \(run.fraction)")
                if run.poisonedCount == 0 {
                    #expect(Set(metrics.keys).isDisjoint(with: Self.undefinedWithoutPoisons), "\(name) measures poisons it has not")
                }
                if run.fraction == 0 { #expect(run.poisonedCount == 0, "\(name) poisons at fraction 0") }
            }
            // Fraction 0 changes nothing: the attack gives back the clean training rows, all of them, or,
            // for an attack that declares its victims train on a subset (`victimRowSubset`: svm-gradient with
            // `victim-sees-validation: false`, its default), fewer of them, in their order and unchanged.
            let model = study.models[0].model(for: study.split.sizes)
            let trainer = ModelTrainer(model: model, settings: study.config.training, seed: 3)
            let clean = try #require(study.attacks[0].poison(study.split, fraction: 0, seed: 3, trainer: trainer))
            #expect(clean.poisonedRows.isEmpty && clean.trueLabels == clean.data.labels, "\(name)")
            if study.attacks[0].victimRowSubset == nil {
                #expect(clean.data == study.split.train, "\(name)")
            } else {
                let rows = try #require(Self.rowsInOrder(of: clean.data, in: study.split.train), "\(name): not clean training rows in order")
                #expect(rows.count < study.split.train.count, "\(name) declares a subset but trains on every row")
            }
        }
        // Kernel ridge and the linear SVM: feature collision and gradient canceling with each of the 15
        // defenses, each of the 7 other attacks with the 8 (kernel ridge) or 9 (the SVM) defenses they
        // lack something for.
        #expect(refused == 2 * (15 + 15) + 7 * 8 + 7 * 9)
    }

    /// The clean runs (fraction 0) of every attack under one model and defense are the same bits as
    /// random label flips' at fraction 0: an attack that poisons nothing changes nothing downstream.
    /// An attack whose victims train on a subset of the rows (`victimRowSubset`) is left out: its
    /// clean run trains on fewer rows (the test above checks them); with the registry's defaults, that
    /// is svm-gradient alone (with `victim-sees-validation: false`, its default). Gradient canceling's victim is
    /// trained on to convergence after SGD (`PreparedRun.victim`), at fraction 0 too, so its clean run
    /// is the converged clean model: its gradient norm is within the tolerance instead.
    @Test func atFractionZeroEveryAttackTrainsTheCleanModel() throws {
        for model in ConformanceStudies.models {
            let defense = StudyConfig.component(LossFilter.kind)
            let reference = try Study(ConformanceStudies.config(model: model.value, attack: StudyConfig.component(RandomLabelFlip.kind),
                                                                defense: defense))
            let expected = try #require(executeRun(reference.runSpecs[0], study: reference).metrics)
            var onSubsets = [String]()
            for attack in ConformanceStudies.attacks where (Self.inputGradientOnlyLacks[attack.kind] == nil || !Self.inputGradientOnly.contains(model.kind))
                && (attack.kind != GradientCanceling.kind || model.kind == LogisticRegression.kind) {
                let study = try Study(ConformanceStudies.config(model: model.value, attack: attack.value, defense: defense))
                guard study.attacks[0].victimRowSubset == nil else {
                    onSubsets.append(attack.kind)
                    continue
                }
                #expect(study.runSpecs[0].fraction == 0)
                let metrics = try #require(executeRun(study.runSpecs[0], study: study).metrics)
                if attack.kind == GradientCanceling.kind {
                    #expect((metrics[MetricKey.victimGradientNorm] ?? .infinity) <= MetricKey.victimGradientTolerance, "\(model.kind)")
                    continue
                }
                for key in MetricKey.recordedByEveryRun + MetricKey.detection where expected[key] != nil {
                    #expect(metrics[key]?.bitPattern == expected[key]?.bitPattern, "\(model.kind), \(attack.kind): \(key)")
                }
            }
            #expect(onSubsets == [SVMGradient.kind], "\(model.kind)")
        }
    }

    /// A model kind's trained classifier conforms to the protocol of every capability it declares
    /// (and is a `TargetableClassifier` exactly when it declares `target`).
    /// The kinds with input Hessians are those whose products and power iteration
    /// `InputCurvatureTests` checks (`InputCurvatureTests.HessianModel`).
    @Test func everyModelsClassifierHasTheCapabilitiesItDeclares() throws {
        let split = GaussianClusters(samples: 60, features: 4, classes: 3, seed: 2).makeSplit()
        var withInputHessians = [String](), withTargets = [String]()
        for type in Registry.models {
            let value = type.kind == MLP.kind ? StudyConfig.mlp(4) : StudyConfig.component(type.kind)
            let design = try StudyDesign(document: ConformanceStudies.config(model: value, attack: StudyConfig.component(RandomLabelFlip.kind),
                                                                              defense: StudyConfig.component(NoDefense.kind)).document)
            let kind = design.models[0]
            let fit = kind.model(for: split.sizes).train(split.train, settings: TrainingSettings(epochs: 2), seed: 1,
                                                       adjustment: TrainingAdjustment())
            let model = fit.model
            #expect(model.featureCount == 4 && model.classCount == 3 && model.predictions(on: split.test).count == split.test.count)
            let capabilities = kind.capabilities
            #expect(!capabilities.contains(.representation) || model is any RepresentationClassifier, "\(type.kind)")
            #expect(!capabilities.contains(.inputGradient) || model is any InputGradientClassifier, "\(type.kind)")
            #expect(!capabilities.contains(.inputHessian) || model is any InputHessianClassifier, "\(type.kind)")
            // Targets are made of exactly the kinds that declare it (a study with targets needs one of them).
            #expect(capabilities.contains(.target) == (model is any TargetableClassifier), "\(type.kind)")
            if capabilities.contains(.target) { withTargets.append(type.kind) }
            if capabilities.contains(.inputHessian) { withInputHessians.append(type.kind) }
            #expect(!(capabilities.contains(.representation) && capabilities.contains(.inputGradient))
                    || model is any RepresentationGradientClassifier, "\(type.kind)")
        }
        #expect(withInputHessians == [MLP.kind, LogisticRegression.kind, KernelRidge.kind])
        #expect(withTargets == [MLP.kind, LogisticRegression.kind, LinearSVM.kind])
    }

    /// A defense's declared requirements cover those of the training it asks for.
    @Test func everyDefenseDeclaresWhatItsTrainingNeeds() throws {
        let split = GaussianClusters(samples: 60, features: 4, classes: 3, seed: 2).makeSplit()
        let poisoned = RandomLabelFlip().poison(split, fraction: 0.2, seed: 1)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 4, hidden: [4], classes: 3), settings: TrainingSettings(epochs: 2), seed: 1)
        let design = try StudyDesign(document: StudyConfig(data: ConformanceStudies.data, models: [StudyConfig.mlp(4)],
                                                           defenses: ConformanceStudies.defenses.map(\.value)).document)
        for defense in design.defenses {
            let decision = try #require(defense.inspect(poisoned, trainer: trainer), "\(defense.label)")
            #expect(decision.training.requirements.isSubset(of: defense.requirements), "\(defense.label)")
        }
        #expect(TrainingAdjustment().requirements.isEmpty)
    }

    /// The check names the first missing capability of the first component that needs one, in one line.
    @Test func theCapabilityCheckNamesTheComponentTheCapabilityAndTheModel() throws {
        let design = try StudyDesign(document: StudyConfig(data: ConformanceStudies.data,
                                                           models: [StudyConfig.mlp(4), StudyConfig.component(KernelRidge.kind)],
                                                           attacks: [StudyConfig.component(RandomLabelFlip.kind)]).document)
        let problem = StudyDesign.capabilityProblem(models: design.models, attacks: design.attacks,
                                                    defenses: [try component(SpectralSignature.self), NoDefense()])
        #expect(problem?.path == "defenses[0]")
        #expect(problem?.message == "spectral-signature needs a model with a representation; kernel-ridge has none")
        #expect(StudyDesign.capabilityProblem(models: [design.models[0]], attacks: design.attacks,
                                              defenses: [try component(SpectralSignature.self)]) == nil)
        #expect(ModelCapability.firstMissing([.parameterGradient, .representation], in: [.inputGradient]) == .representation)
        #expect(ModelCapability.firstMissing([.inputGradient], in: [.inputGradient]) == nil)
    }

    /// `trainingDependsOnSeed` is honest: two seeds train different models exactly when a kind says
    /// its training depends on the seed (kernel ridge and the linear SVM do not).
    @Test func aModelTrainsAlikeWithAnySeedExactlyWhenItSaysItsTrainingIgnoresTheSeed() throws {
        let split = GaussianClusters(samples: 60, features: 4, classes: 3, seed: 2).makeSplit()
        var ignoring = [String]()
        for type in Registry.models {
            let value = type.kind == MLP.kind ? StudyConfig.mlp(4) : StudyConfig.component(type.kind)
            let design = try StudyDesign(document: ConformanceStudies.config(model: value, attack: StudyConfig.component(RandomLabelFlip.kind),
                                                                              defense: StudyConfig.component(NoDefense.kind)).document)
            let model = design.models[0].model(for: split.sizes)
            let logits = [UInt64(1), 2].map {
                model.train(split.train, settings: TrainingSettings(epochs: 2, batchSize: 16), seed: $0, adjustment: TrainingAdjustment())
                    .model.logits(on: split.test)
            }
            #expect((logits[0] != logits[1]) == model.trainingDependsOnSeed, "\(type.kind)")
            if !model.trainingDependsOnSeed { ignoring.append(type.kind) }
        }
        #expect(ignoring.sorted() == Self.inputGradientOnly.sorted())
    }

    /// A transfer attacker of a model that trains alike with any seed has the white box: its
    /// surrogate trains exactly as the victim, and the series records (and the report says) so.
    @Test func aTransferSurrogateOfAModelSolvedExactlyIsTheWhiteBox() throws {
        let study = try Study(StudyConfig(data: ConformanceStudies.data, models: [StudyConfig.mlp(4), StudyConfig.component(KernelRidge.kind)],
                                          attacks: [StudyConfig.component(MarginFlip.kind)], fractions: [0, 0.2], seeds: [3],
                                          training: TrainingSettings(epochs: 2, batchSize: 16)))
        #expect(study.series.map(\.attackerKnowledge) == [.transfer, .whiteBox])
        for (index, expectedSame) in [(0, false), (1, true)] {
            let trainer = ModelTrainer(model: study.models[index].model(for: study.split.sizes), settings: study.config.training, seed: 3)
            #expect(trainer.surrogate(.transfer).trainsLike(trainer) == expectedSame)
            #expect(trainer.surrogate(.whiteBox).trainsLike(trainer))
        }
    }
}
