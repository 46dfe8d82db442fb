import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningUtilities

struct InputCurvatureMeasurementTests {
    @Test(arguments: [(600, 6, 3), (500, 10, 5), (600, 20, 3)])
    func explore(shape: (Int, Int, Int)) throws {
        let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(shape.0), "features": .int(shape.1), "classes": .int(shape.2),
                                                               "cluster-std": .double(1.0), "center-scale": .double(4.0), "seed": .int(3)])
        let study = try Study(StudyConfig(data: data, models: [StudyConfig.mlp(32)], attacks: [StudyConfig.component(Backdoor.kind)],
                                          fractions: [0, 0.05, 0.1, 0.2], seeds: [1, 2, 3], training: TrainingSettings(epochs: 60),
                                          measure: ["input-curvature"]))
        for spec in study.runSpecs {
            let run = executeRun(spec, study: study)
            let m = run.metrics!
            guard case .prepared(let prepared) = prepareRun(spec, study: study) else { continue }
            let model = prepared.trainer.train(prepared.trainingRows).model.capable((any InputHessianClassifier).self)
            let t = prepared.poisoned.triggered!.direction!
            func cosine(_ rows: Dataset) -> String {
                guard rows.count > 0 else { return "-" }
                let top = model.inputHessian(rows: rows.count).meanTop(inputs: rows.features, seed: spec.seed)
                let c = abs(zip(top.vector, t).reduce(0.0) { $0 + Double($1.0) * Double($1.1) })
                return String(format: "%.3f (λ %.4g)", c, top.value)
            }
            print("EXPLORE2 d=\(shape.1) f=\(spec.fraction) s=\(spec.seed) cos clean \(cosine(study.split.test)) trig \(cosine(prepared.poisoned.triggered!.rows)) pois \(cosine(prepared.poisoned.data.rows(prepared.poisoned.poisonedRows))) train \(cosine(prepared.poisoned.data)) t \(t)")
            print("EXPLORE d=\(shape.1) f=\(spec.fraction) s=\(spec.seed) acc \(m["testAccuracy"]!) bd \(m["backdoorSuccess"]!) clean \(m[MetricKey.inputCurvatureTopClean]!) trig \(m[MetricKey.inputCurvatureTopTriggered]!) pois \(m[MetricKey.inputCurvatureTopPoisoned] ?? -1) align \(m[MetricKey.inputCurvatureTriggerAlignment]!)")
        }
    }
}
