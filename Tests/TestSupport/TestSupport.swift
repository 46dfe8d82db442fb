import PoisoningEngine

// Fixtures shared by the test targets: studies of one-hidden-layer MLPs by width, and run results
// with given metrics.

/// A study of one-hidden-layer MLPs of `widths` under random label flips, on the reference data.
public func widthStudy(_ widths: [Int], fractions: [Double], seeds: [UInt64], epochs: Int = 200) -> Study {
    try! Study(StudyConfig(models: widths.map(StudyConfig.mlp), fractions: fractions, seeds: seeds,
                           training: TrainingSettings(epochs: epochs)))
}

extension Study {
    /// The hidden width of the MLP of a run's series (every model of a `widthStudy` is a one-layer MLP).
    public func width(of spec: RunSpec) -> Int { (models[series[spec.series].model] as! MLP).hidden[0] }

    /// The index of the series of the MLP of `width`.
    public func seriesIndex(width: Int) -> Int {
        series.indices.first { (models[series[$0].model] as! MLP).hidden == [width] }!
    }
}

/// The metrics of a run with the given accuracies and loss (gap = train - test).
public func runMetrics(test: Double, train: Double, trainClean: Double, loss: Double) -> [String: Double] {
    [MetricKey.testAccuracy: test, MetricKey.trainAccuracy: train, MetricKey.trainCleanAccuracy: trainClean,
     MetricKey.generalizationGap: train - test, MetricKey.finalLoss: loss]
}
