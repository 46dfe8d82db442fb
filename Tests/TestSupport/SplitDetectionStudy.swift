import PoisoningEngine

/// `detectionStudy`'s design with four seeds, whose activation clustering scores the poisoned rows
/// in one orientation at 10% (AUROC 0.90, 0.95, 0.97, 0.98: every seed above 0.75, a mean to quote)
/// and in two at 30% (AUROC 0.02, 0.05, 0.95, 0.98: two seeds at most 0.25 and two at least 0.75,
/// whose mean, exactly 0.5, would read as a random score). TPR at 5% FPR follows each seed's
/// orientation (1 above, 0 below); the defense removes 5% of the rows at 10% and none at 30%.
public func splitDetectionStudy() -> (study: Study, runs: [RunResult]) {
    let study = try! Study(StudyConfig(models: [StudyConfig.mlp(8)], defenses: [StudyConfig.component(NoDefense.kind),
                                                                               StudyConfig.component(ActivationClustering.kind)],
                                       fractions: [0, 0.1, 0.3], seeds: [1, 2, 3, 4], training: TrainingSettings(epochs: 5)))
    let aurocs: [Double: [Double]] = [0.1: [0.90, 0.95, 0.97, 0.98], 0.3: [0.02, 0.05, 0.95, 0.98]]
    let runs = study.runSpecs.map { spec -> RunResult in
        var metrics = runMetrics(test: 0.9 - 0.5 * spec.fraction + (spec.seed % 2 == 1 ? 0.01 : -0.01), train: 0.95, trainClean: 0.95, loss: 0.3)
        if spec.series == 1 {
            metrics[MetricKey.removedFraction] = spec.fraction == 0.1 ? 0.05 : 0
            if let values = aurocs[spec.fraction] {
                let auroc = values[Int(spec.seed) - 1]
                metrics[MetricKey.detectionAUROC] = auroc
                metrics[MetricKey.detectionTPRAt5FPR] = auroc > 0.5 ? 1 : 0
                metrics[MetricKey.detectionRecall] = spec.fraction == 0.1 ? 0.5 : 0
                if spec.fraction == 0.1 { metrics[MetricKey.detectionPrecision] = 0.8 }
            }
        }
        return madeUpRun(spec, in: study, metrics: metrics)
    }
    return (study, runs)
}
