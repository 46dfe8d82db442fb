import PoisoningData
import PoisoningUtilities

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

/// How a robust-training defense changes the way the run's model learns; the defaults are plain SGD.
public struct TrainingAdjustment: Sendable, Equatable {
    /// ε: the targets become (1 - ε) on the label and ε / classes on every class (Szegedy et al. 2016).
    public var labelSmoothing: Double
    /// λ: SGD on the loss plus λ/2 ||θ||² (every weight and bias), θ ← θ - lr (g + λ θ).
    public var weightDecay: Double
    /// Stop when the validation loss has not improved for `patience` epochs and keep the best epoch's
    /// parameters; nil to train every epoch.
    public var earlyStopping: EarlyStopping?
    /// ε of trimmed-loss training (TRIM, Jagielski et al. 2018): before every epoch the loss of every
    /// row is measured and the round(ε · n) rows with the highest loss sit the epoch out; 0 for none.
    public var trimmedShare: Double
    /// DP-SGD: per-example clipping and Gaussian noise on every batch's gradient; nil for plain SGD.
    public var privacy: DifferentialPrivacy?
    /// λ of the input-gradient penalty: the loss of every example gains λ ||∂ℓ/∂x||²; 0 for none.
    public var inputGradientPenalty: Double

    /// An adjustment; the defaults change nothing.
    public init(labelSmoothing: Double = 0, weightDecay: Double = 0, earlyStopping: EarlyStopping? = nil, trimmedShare: Double = 0,
                privacy: DifferentialPrivacy? = nil, inputGradientPenalty: Double = 0) {
        self.labelSmoothing = labelSmoothing
        self.weightDecay = weightDecay
        self.earlyStopping = earlyStopping
        self.trimmedShare = trimmedShare
        self.privacy = privacy
        self.inputGradientPenalty = inputGradientPenalty
    }
}

/// Early stopping on a validation set: after every epoch the mean cross-entropy on `validation`
/// (with its labels) is measured; training stops once it has not fallen below its best for
/// `patience` epochs, and the parameters of the best epoch are the result.
public struct EarlyStopping: Sendable, Equatable {
    /// The validation rows and the labels they are judged by.
    public let validation: Dataset
    /// Epochs without improvement before stopping.
    public let patience: Int

    /// Early stopping on `validation` with `patience` (>= 1).
    public init(validation: Dataset, patience: Int) {
        precondition(patience >= 1 && validation.count > 0)
        self.validation = validation
        self.patience = patience
    }
}

/// The stopping rule of early stopping, epoch by epoch: remember the best (lowest) validation loss
/// and its epoch; stop once `patience` epochs have passed without a lower one.
struct StoppingRule {
    let patience: Int
    private(set) var bestLoss = Double.infinity
    private(set) var bestEpoch = 0

    init(patience: Int) { self.patience = patience }

    /// Records the loss of `epoch` (1-based, ascending); returns whether it is the best so far
    /// (`improved`) and whether training should stop.
    mutating func record(_ loss: Double, epoch: Int) -> (improved: Bool, stop: Bool) {
        if loss < bestLoss {
            (bestLoss, bestEpoch) = (loss, epoch)
            return (true, false)
        }
        return (false, epoch - bestEpoch >= patience)
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
    /// With early stopping: the epoch whose parameters were kept (the best validation loss).
    public let stoppingEpoch: Int?
    /// With trimmed-loss training: the rows that sat out the last epoch, ascending.
    public let trimmedRows: [Int]?
}

/// Trains a network of `shape` on the rows and labels of `data` by SGD.
///
/// Initialisation comes from the stream (seed, "init") and the per-epoch reshuffle (a full
/// Fisher-Yates pass over the previous order) from (seed, "shuffle"). Each step gathers its rows
/// into a contiguous batch, runs forward and backward, and applies θ ← θ - lr · dL/dθ (with
/// `adjustment`'s label smoothing, weight decay and early stopping). All memory is allocated before
/// the first epoch.
public func trainNetwork(_ shape: NetworkShape, on data: Dataset, settings: TrainingSettings, seed: UInt64,
                         adjustment: TrainingAdjustment = TrainingAdjustment()) -> TrainingOutcome {
    precondition(data.count > 0 && data.featureCount == shape.inputs, "training data do not fit the network")
    precondition(settings.epochs > 0 && settings.batchSize > 0, "epochs and batch size must be positive")
    precondition(adjustment.privacy == nil || adjustment.inputGradientPenalty == 0, "DP-SGD and the input-gradient penalty do not combine")
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
    let smoothing = Float(adjustment.labelSmoothing), decay = Float(adjustment.weightDecay)
    // Early stopping: a second workspace for the validation losses, and the best epoch's parameters.
    let stopping = adjustment.earlyStopping
    let validationWorkspace = stopping.map { NetworkWorkspace(shape: shape, capacity: min($0.validation.count, 1024)) }
    let validationLosses = UnsafeMutablePointer<Double>.allocate(capacity: stopping?.validation.count ?? 0)
    let best = UnsafeMutablePointer<Float>.allocate(capacity: stopping == nil ? 0 : shape.parameterCount)
    defer {
        validationLosses.deallocate()
        best.deallocate()
    }
    var rule = StoppingRule(patience: stopping?.patience ?? 1)
    // Trimmed loss: every row's loss before each epoch, the rows ranked by it, who sits out, and the
    // epoch's order of the rows that train.
    let trimmed = adjustment.trimmedShare > 0 ? poisonCount(fraction: adjustment.trimmedShare, of: rowCount) : 0
    let lossWorkspace = trimmed > 0 ? NetworkWorkspace(shape: shape, capacity: min(rowCount, 1024)) : nil
    let rowLosses = UnsafeMutablePointer<Double>.allocate(capacity: trimmed > 0 ? rowCount : 0)
    var ranking = Array(0..<(trimmed > 0 ? rowCount : 0))
    let sitsOut = UnsafeMutablePointer<Bool>.allocate(capacity: rowCount)
    let active = UnsafeMutablePointer<Int>.allocate(capacity: trimmed > 0 ? rowCount : 0)
    sitsOut.initialize(repeating: false, count: rowCount)
    // DP-SGD: the noise stream (the clipped gradient is the workspace's).
    let privacy = adjustment.privacy
    var noiseStream = Xoshiro256StarStar(seed: seed, purpose: "dp-noise")
    let penalty = adjustment.inputGradientPenalty > 0
        ? InputGradientPenalty(shape: shape, lambda: adjustment.inputGradientPenalty, capacity: batchCapacity) : nil
    defer {
        rowLosses.deallocate()
        sitsOut.deallocate()
        active.deallocate()
    }

    data.features.withUnsafeBufferPointer { features in
        data.labels.withUnsafeBufferPointer { targets in
            for epoch in 1...settings.epochs {
                for index in stride(from: rowCount - 1, to: 0, by: -1) {
                    let other = shuffleStream.nextInt(below: index + 1)
                    (order[index], order[other]) = (order[other], order[index])
                }
                // The rows this epoch trains on, in shuffled order: all, or those not trimmed.
                var epochOrder = UnsafePointer(order), epochRows = rowCount
                if let lossWorkspace {
                    rowLossesUnder(parameters: parameters, data: data, workspace: lossWorkspace, into: rowLosses)
                    // One sort per epoch: highest loss first, ties by row.
                    ranking.sort { rowLosses[$0] != rowLosses[$1] ? rowLosses[$0] > rowLosses[$1] : $0 < $1 }
                    sitsOut.update(repeating: false, count: rowCount)
                    for position in 0..<trimmed { sitsOut[ranking[position]] = true }
                    epochRows = 0
                    for position in 0..<rowCount where !sitsOut[order[position]] {
                        active[epochRows] = order[position]
                        epochRows += 1
                    }
                    epochOrder = UnsafePointer(active)
                }
                var lossSum = 0.0
                var start = 0
                while start < epochRows {
                    let rows = min(batchCapacity, epochRows - start)
                    for r in 0..<rows {
                        let source = epochOrder[start + r]
                        (batchInputs + r * featureCount).update(
                            from: features.baseAddress! + source * featureCount, count: featureCount)
                        batchLabels[r] = targets[source]
                    }
                    if let privacy {
                        // ĝ = (Σ_i g_i min(1, C / ||g_i||) + σ C z) / rows, z standard normal per parameter.
                        workspace.forward(parameters: parameters, inputs: batchInputs, rows: rows)
                        lossSum += workspace.clippedBackward(parameters: parameters, inputs: batchInputs, labels: batchLabels, rows: rows,
                                                             labelSmoothing: smoothing, bound: Float(privacy.clip))
                        let deviation = Float(privacy.noise * privacy.clip) / Float(rows)
                        for j in 0..<shape.parameterCount {
                            workspace.gradient[j] += deviation * Float(noiseStream.nextStandardNormal())
                        }
                    } else {
                        workspace.forward(parameters: parameters, inputs: batchInputs, rows: rows)
                        // Input-gradient penalty: g ← g + (1/rows) Σ_i ∂(λ ||∂ℓ_i/∂x_i||²)/∂θ, its ∂R/∂z
                        // joining the backward pass and its weight terms added after it.
                        let penaltySum = penalty?.prepare(workspace: workspace, parameters: parameters, labels: batchLabels, rows: rows)
                        lossSum += workspace.backward(parameters: parameters, inputs: batchInputs, labels: batchLabels, rows: rows,
                                                      labelSmoothing: smoothing, extraLogitGradient: penalty?.logitGradient)
                        if let penalty, let penaltySum {
                            penalty.addWeightTerms(to: workspace.gradient, rows: rows)
                            lossSum += penaltySum
                        }
                    }
                    // Weight decay: g ← g + λ θ.
                    if decay > 0 { addScaled(workspace.gradient, decay, parameters, count: shape.parameterCount) }
                    // SGD: θ ← θ - lr · g  (θ + (-lr) · g, the same IEEE result)
                    addScaled(parameters, -learningRate, workspace.gradient, count: shape.parameterCount)
                    start += rows
                }
                let meanLoss = lossSum / Double(epochRows)
                epochLosses.append(meanLoss)
                if !meanLoss.isFinite {
                    divergedEpoch = epoch
                    break
                }
                if let stopping, let validationWorkspace {
                    let loss = validationLoss(on: stopping.validation, parameters: parameters, workspace: validationWorkspace,
                                        losses: validationLosses)
                    let (improved, stop) = rule.record(loss, epoch: epoch)
                    if improved { best.update(from: parameters, count: shape.parameterCount) }
                    if stop { break }
                }
            }
        }
    }
    if stopping != nil && rule.bestEpoch > 0 { parameters.update(from: best, count: shape.parameterCount) }
    let trained = NetworkParameters(shape: shape, values: Array(UnsafeBufferPointer(start: parameters, count: shape.parameterCount)))
    return TrainingOutcome(parameters: trained, epochLosses: epochLosses, divergedEpoch: divergedEpoch,
                           stoppingEpoch: stopping == nil ? nil : rule.bestEpoch,
                           trimmedRows: trimmed > 0 ? (0..<rowCount).filter { sitsOut[$0] } : nil)
}

/// The most memory `trainNetwork` holds at once on `rows` rows (their data excluded): the initial,
/// the trained and the returned parameters, the batch workspace, the row order, the batch's inputs
/// and labels, each row's trimming flag and the epochs' losses; with `validationRows`, early
/// stopping's workspace, losses and best parameters; with `trimmed`, trimmed-loss training's
/// workspace, every row's loss, ranking and place in the epoch, and the rows left out; with
/// `inputGradientPenalty`, the penalty's buffers.
public func trainingBytes(_ shape: NetworkShape, rows: Int, settings: TrainingSettings, validationRows: Int = 0,
                          trimmed: Bool = false, inputGradientPenalty: Bool = false) -> Double {
    let parameters = 4 * Double(shape.parameterCount), batch = min(settings.batchSize, rows), n = Double(rows)
    var bytes = 3 * parameters + NetworkWorkspace.bytes(shape, capacity: batch) + 8 * n + n
        + Double(batch) * (4 * Double(shape.inputs) + 8) + 8 * Double(settings.epochs)
    if validationRows > 0 {
        bytes += NetworkWorkspace.bytes(shape, capacity: min(validationRows, 1024)) + 8 * Double(validationRows) + parameters
    }
    if trimmed { bytes += NetworkWorkspace.bytes(shape, capacity: min(rows, 1024)) + 4 * 8 * n }
    if inputGradientPenalty { bytes += InputGradientPenalty.bytes(shape, capacity: batch) }
    return bytes
}

/// The most memory measuring a trained model on `rows` rows holds at once (the rows excluded): one
/// prediction per row and a workspace of up to 1024 rows (`predictions`, `rowLosses`).
public func evaluationBytes(_ shape: NetworkShape, rows: Int) -> Double {
    8 * Double(rows) + NetworkWorkspace.bytes(shape, capacity: min(rows, 1024))
}

/// The softmax cross-entropy of every row of `data` against its label under `parameters`, through
/// `workspace` in chunks, into `losses` (no allocation).
private func rowLossesUnder(parameters: UnsafePointer<Float>, data: Dataset, workspace: NetworkWorkspace,
                            into losses: UnsafeMutablePointer<Double>) {
    data.features.withUnsafeBufferPointer { features in
        data.labels.withUnsafeBufferPointer { labels in
            workspace.forwardInChunks(parameters: parameters, inputs: features.baseAddress!, rows: data.count) { start, count in
                SoftmaxCrossEntropy.forward(logits: workspace.logits, labels: labels.baseAddress! + start, losses: losses + start,
                                            rows: count, classes: workspace.shape.classes)
            }
        }
    }
}

/// The mean softmax cross-entropy of `data` against its labels under `parameters`, through
/// `workspace` in chunks, the per-row losses into `losses` (no allocation).
private func validationLoss(on data: Dataset, parameters: UnsafePointer<Float>, workspace: NetworkWorkspace,
                            losses: UnsafeMutablePointer<Double>) -> Double {
    rowLossesUnder(parameters: parameters, data: data, workspace: workspace, into: losses)
    var sum = 0.0
    for row in 0..<data.count { sum += losses[row] }
    return sum / Double(data.count)
}
