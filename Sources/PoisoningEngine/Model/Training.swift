/// Hyper-parameters of plain mini-batch SGD on softmax cross-entropy.
public struct TrainingSettings: Sendable, Codable, Equatable {
    /// Passes over the training set.
    public var epochs: Int
    /// Rows per SGD step; the last partial batch of an epoch is kept.
    public var batchSize: Int
    /// SGD step size (no momentum, no weight decay).
    public var learningRate: Double

    /// Settings; the defaults are the reference study's.
    public init(epochs: Int = 200, batchSize: Int = 64, learningRate: Double = 0.05) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
    }
}

/// What training produced.
public struct TrainingOutcome: Sendable {
    /// The parameters after the last completed step.
    public let parameters: NetworkParameters
    /// Mean per-row training loss of each epoch (Σ row losses / rows), in order.
    public let epochLosses: [Double]
    /// The 1-based epoch whose loss was NaN or infinite, if training diverged (training stops there).
    public let divergedEpoch: Int?
}

/// Trains a network of `shape` on the rows and labels of `data` by SGD.
///
/// Initialisation comes from the stream (seed, "init") and the per-epoch reshuffle (a full
/// Fisher-Yates pass over the previous order) from (seed, "shuffle"). Each step gathers its rows
/// into a contiguous batch, runs forward and backward, and applies θ ← θ - lr · dL/dθ. All memory
/// is allocated before the first epoch.
public func trainNetwork(_ shape: NetworkShape, on data: Dataset, settings: TrainingSettings, seed: UInt64) -> TrainingOutcome {
    precondition(data.count > 0 && data.featureCount == shape.inputs, "training data do not fit the network")
    precondition(settings.epochs > 0 && settings.batchSize > 0, "epochs and batch size must be positive")
    let rowCount = data.count, featureCount = data.featureCount
    var initStream = Xoshiro256StarStar(seed: seed, purpose: "init")
    var shuffleStream = Xoshiro256StarStar(seed: seed, purpose: "shuffle")
    let initial = NetworkParameters.pytorchDefault(shape: shape, random: &initStream)

    let batchCapacity = min(settings.batchSize, rowCount)
    let workspace = NetworkWorkspace(shape: shape, capacity: batchCapacity)
    let parameters = UnsafeMutablePointer<Float>.allocate(capacity: shape.parameterCount)
    let order = UnsafeMutablePointer<Int>.allocate(capacity: rowCount)
    let batchInputs = UnsafeMutablePointer<Float>.allocate(capacity: batchCapacity * featureCount)
    let batchLabels = UnsafeMutablePointer<Int>.allocate(capacity: batchCapacity)
    defer {
        parameters.deallocate()
        order.deallocate()
        batchInputs.deallocate()
        batchLabels.deallocate()
    }
    parameters.initialize(from: initial.values, count: shape.parameterCount)
    for row in 0..<rowCount { order[row] = row }
    var epochLosses = [Double]()
    epochLosses.reserveCapacity(settings.epochs)
    var divergedEpoch: Int?
    let learningRate = Float(settings.learningRate)

    data.features.withUnsafeBufferPointer { features in
        data.labels.withUnsafeBufferPointer { targets in
            for epoch in 1...settings.epochs {
                for index in stride(from: rowCount - 1, to: 0, by: -1) {
                    let other = shuffleStream.nextInt(below: index + 1)
                    (order[index], order[other]) = (order[other], order[index])
                }
                var lossSum = 0.0
                var start = 0
                while start < rowCount {
                    let rows = min(batchCapacity, rowCount - start)
                    for r in 0..<rows {
                        let source = order[start + r]
                        (batchInputs + r * featureCount).update(
                            from: features.baseAddress! + source * featureCount, count: featureCount)
                        batchLabels[r] = targets[source]
                    }
                    workspace.forward(parameters: parameters, inputs: batchInputs, rows: rows)
                    lossSum += workspace.backward(parameters: parameters, inputs: batchInputs, labels: batchLabels, rows: rows)
                    // SGD: θ ← θ - lr · g  (θ + (-lr) · g, the same IEEE result)
                    addScaled(parameters, -learningRate, workspace.gradient, count: shape.parameterCount)
                    start += rows
                }
                let meanLoss = lossSum / Double(rowCount)
                epochLosses.append(meanLoss)
                if !meanLoss.isFinite {
                    divergedEpoch = epoch
                    break
                }
            }
        }
    }
    let trained = NetworkParameters(shape: shape, values: Array(UnsafeBufferPointer(start: parameters, count: shape.parameterCount)))
    return TrainingOutcome(parameters: trained, epochLosses: epochLosses, divergedEpoch: divergedEpoch)
}
