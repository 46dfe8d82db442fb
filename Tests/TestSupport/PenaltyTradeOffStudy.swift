import PoisoningEngine

/// A made-up sweep of the input-gradient penalty's λ for the trade-off's tests: MLP 16 under random
/// label flips (or the models of `models` under the attacks of `attacks`), one `input-gradient-penalty` defense per λ of `lambdas` (after the defenses of
/// `before`), fractions 0, 0.1 and 0.2, seeds 1, 2 and 3, on the default Gaussian clusters (150 test
/// and 350 training rows). Every run's test accuracy and accuracy on the true labels of its training
/// rows are `accuracies(defense, fraction, seed index)`; its train accuracy is the latter.
public func penaltySweep(lambdas: [Double], before: [ParameterValue] = [], models: [ParameterValue] = [StudyConfig.mlp(16)],
                         attacks: [ParameterValue] = [StudyConfig.component(RandomLabelFlip.kind)],
                         accuracies: (_ defense: Int, _ fraction: Double, _ seed: Int) -> (test: Double, trainClean: Double))
    throws -> (study: Study, runs: [RunResult]) {
    let defenses = before + lambdas.map { StudyConfig.component(InputGradientPenaltyDefense.kind, ["lambda": .double($0)]) }
    let study = try Study(StudyConfig(models: models, attacks: attacks, defenses: defenses, fractions: [0, 0.1, 0.2], seeds: [1, 2, 3],
                                      training: TrainingSettings(epochs: 5)))
    let runs = study.runSpecs.map { spec in
        let (test, trainClean) = accuracies(study.series[spec.series].defense, spec.fraction, Int(spec.seed) - 1)
        return madeUpRun(spec, in: study, metrics: runMetrics(test: test, train: trainClean, trainClean: trainClean, loss: 0.3))
    }
    return (study, runs)
}
