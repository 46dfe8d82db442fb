import Foundation
import PoisoningData
import PoisoningUtilities

// Training up to eight runs of one network shape at once, run k in lane k of every SIMD8 value:
// parameter p of run k is `parameters[p][k]`, row r's unit j of run k is `activations[r · width + j][k]`.
// Every run keeps its own data, initialisation, shuffle and arithmetic; each lane performs exactly
// the scalar IEEE operations of the one-run kernels in `Kernels.swift`, in the same order (each
// sum from the same start, over the same index order, `dot`'s even/odd split included), so a run
// gives the same bits packed or alone, in any lane and beside any other runs. What packing saves:
// the one-run kernels vectorise along units, which leaves lanes idle and needs horizontal sums
// when a layer is narrow (the classifier's 5 outputs, widths below 64); packed, every operation
// fills all eight lanes whatever the width.

/// Eight Floats, one per packed run.
typealias Lanes = SIMD8<Float>

/// The number of runs `trainNetworksPacked` trains at once.
public let packedRunCount = Lanes.scalarCount

/// Trains one network of `shape` per data set, as `trainNetwork` does with `settings`, the seed of
/// the same position and no adjustment, up to `packedRunCount` at once; outcome k is bit for bit
/// `trainNetwork(shape, on: datasets[k], settings: settings, seed: seeds[k])`. The data sets must
/// have the same number of rows.
public func trainNetworksPacked(_ shape: NetworkShape, on datasets: [Dataset], settings: TrainingSettings,
                                seeds: [UInt64]) -> [TrainingOutcome] {
    precondition((1...packedRunCount).contains(datasets.count) && seeds.count == datasets.count, "1 to 8 runs at once")
    precondition(datasets.allSatisfy { $0.count == datasets[0].count && $0.count > 0 && $0.featureCount == shape.inputs },
                 "packed runs share their row count and the network's inputs")
    precondition(settings.epochs > 0 && settings.batchSize > 0, "epochs and batch size must be positive")
    let runs = datasets.count, rowCount = datasets[0].count, featureCount = shape.inputs
    // Idle lanes repeat run 0; their results are dropped.
    let laneData = (0..<packedRunCount).map { $0 < runs ? datasets[$0] : datasets[0] }
    let laneSeeds = (0..<packedRunCount).map { $0 < runs ? seeds[$0] : seeds[0] }
    var shuffleStreams = laneSeeds.map { Xoshiro256StarStar(seed: $0, purpose: "shuffle") }
    let batchCapacity = min(settings.batchSize, rowCount)
    let workspace = PackedWorkspace(shape: shape, capacity: batchCapacity)
    for lane in 0..<packedRunCount {
        var initStream = Xoshiro256StarStar(seed: laneSeeds[lane], purpose: "init")
        workspace.setParameterValues(NetworkParameters.pytorchDefault(shape: shape, random: &initStream).values, lane: lane)
    }
    let orders = UnsafeMutablePointer<Int>.allocate(capacity: packedRunCount * rowCount)
    defer { orders.deallocate() }
    for lane in 0..<packedRunCount {
        for row in 0..<rowCount { orders[lane * rowCount + row] = row }
    }
    var epochLosses = [[Double]](repeating: [], count: runs)
    var divergedEpochs = [Int?](repeating: nil, count: runs)
    var finalValues = [[Float]?](repeating: nil, count: runs)   // a diverged run's parameters where it stopped
    let negativeRate = Lanes(repeating: -Float(settings.learningRate))
    var batchLosses = [Double](repeating: 0, count: packedRunCount), epochSums = batchLosses

    let features = laneData.map(\.features), labels = laneData.map(\.labels), inputStride = paddedStride(featureCount)
    for epoch in 1...settings.epochs {
        for lane in 0..<packedRunCount {
            let order = orders + lane * rowCount
            for index in stride(from: rowCount - 1, to: 0, by: -1) {
                let other = shuffleStreams[lane].nextInt(below: index + 1)
                (order[index], order[other]) = (order[other], order[index])
            }
        }
        for lane in 0..<packedRunCount { epochSums[lane] = 0 }
        var start = 0
        while start < rowCount {
            let rows = min(batchCapacity, rowCount - start)
            for lane in 0..<packedRunCount {
                features[lane].withUnsafeBufferPointer { source in
                    let order = orders + lane * rowCount
                    for r in 0..<rows {
                        let row = source.baseAddress! + order[start + r] * featureCount
                        for i in 0..<featureCount { workspace.inputs[r * inputStride + i][lane] = row[i] }
                        workspace.labels[r * packedRunCount + lane] = labels[lane][order[start + r]]
                    }
                }
            }
            workspace.forward(rows: rows)
            workspace.backward(rows: rows, losses: &batchLosses)
            for lane in 0..<packedRunCount { epochSums[lane] += batchLosses[lane] }
            // SGD: θ ← θ + (-lr) · g, as `addScaled` computes it.
            for p in 0..<workspace.parameterCount { workspace.parameters[p] = workspace.parameters[p] + negativeRate * workspace.gradient[p] }
            start += rows
        }
        for run in 0..<runs where divergedEpochs[run] == nil {
            let meanLoss = epochSums[run] / Double(rowCount)
            epochLosses[run].append(meanLoss)
            if !meanLoss.isFinite {
                divergedEpochs[run] = epoch
                finalValues[run] = workspace.parameterValues(lane: run)
            }
        }
        if divergedEpochs.allSatisfy({ $0 != nil }) { break }
    }
    return (0..<runs).map { run in
        TrainingOutcome(parameters: NetworkParameters(shape: shape, values: finalValues[run] ?? workspace.parameterValues(lane: run)),
                        epochLosses: epochLosses[run], divergedEpoch: divergedEpochs[run], stoppingEpoch: nil, trimmedRows: nil)
    }
}

/// The most memory `trainNetworksPacked` holds at once for `runs` runs of `rows` rows each (their
/// data excluded): its workspace, every lane's row order (eight Int arrays), one run's initial
/// parameters, every run's returned parameters and losses.
package func packedTrainingBytes(_ shape: NetworkShape, rows: Int, settings: TrainingSettings, runs: Int) -> Double {
    let parameters = 4 * Double(shape.parameterCount)
    return PackedWorkspace.bytes(shape, capacity: min(settings.batchSize, rows)) + 8 * Double(packedRunCount * rows)
        + parameters * Double(runs + 1) + 8 * Double(runs * settings.epochs)
}

/// The packed counterpart of `NetworkWorkspace` plus the runs' parameters and gradients: every
/// buffer holds one `Lanes` per scalar of a run, allocated once; every matrix has the row stride
/// `paddedStride` of its width, the weights included, so the packed parameter layout has gaps.
final class PackedWorkspace {
    let shape: NetworkShape
    let layers: [DenseLayer]
    /// Where each layer's weights and bias start in the packed parameter layout.
    private let offsets: [(weights: Int, bias: Int)]
    /// Entries of the packed parameter layout, gaps included (they stay zero).
    let parameterCount: Int
    /// θ and dL/dθ in the packed parameter layout [parameterCount].
    let parameters: UnsafeMutablePointer<Lanes>, gradient: UnsafeMutablePointer<Lanes>
    /// The batch [capacity x inputs] and its labels, row r's label of lane k at r · 8 + k.
    let inputs: UnsafeMutablePointer<Lanes>, labels: UnsafeMutablePointer<Int>
    /// Post-ReLU activations and their gradients per hidden layer [capacity x width].
    private let activations: [UnsafeMutablePointer<Lanes>], activationGradients: [UnsafeMutablePointer<Lanes>]
    /// Logits, overwritten by dL/dz [capacity x classes].
    private let logits: UnsafeMutablePointer<Lanes>

    init(shape: NetworkShape, capacity: Int) {
        self.shape = shape
        self.layers = shape.layers
        func buffer(_ count: Int) -> UnsafeMutablePointer<Lanes> {
            let pointer = UnsafeMutablePointer<Lanes>.allocate(capacity: count)
            pointer.initialize(repeating: Lanes(), count: count)
            return pointer
        }
        var offsets = [(weights: Int, bias: Int)](), next = 0
        for layer in layers {
            // Hidden layers hold Wᵀ [inputs x outputs], the classifier W [outputs x inputs].
            let weights = layer.isHidden ? layer.inputs * paddedStride(layer.outputs) : layer.outputs * paddedStride(layer.inputs)
            offsets.append((weights: next, bias: next + weights))
            next += weights + layer.outputs
        }
        self.offsets = offsets
        parameterCount = next
        parameters = buffer(next)
        gradient = buffer(next)
        inputs = buffer(capacity * paddedStride(shape.inputs))
        labels = .allocate(capacity: capacity * packedRunCount)
        labels.initialize(repeating: 0, count: capacity * packedRunCount)
        activations = shape.hidden.map { buffer(capacity * paddedStride($0)) }
        activationGradients = shape.hidden.map { buffer(capacity * paddedStride($0)) }
        logits = buffer(capacity * paddedStride(shape.classes))
    }

    /// The bytes a packed workspace of `shape` for `capacity` rows allocates: eight Floats for every
    /// entry of θ and dL/dθ in the padded layout, of the batch, of every hidden layer's activations
    /// and their gradients and of the logits (rows padded by `paddedStride`), and eight Int labels per row.
    static func bytes(_ shape: NetworkShape, capacity: Int) -> Double {
        let parameters = shape.layers.reduce(0) { total, layer in
            total + (layer.isHidden ? layer.inputs * paddedStride(layer.outputs) : layer.outputs * paddedStride(layer.inputs)) + layer.outputs
        }
        let rowEntries = paddedStride(shape.inputs) + 2 * shape.hidden.reduce(0) { $0 + paddedStride($1) } + paddedStride(shape.classes)
        let lanes = Double(MemoryLayout<Lanes>.size)
        return lanes * (2 * Double(parameters) + Double(capacity * rowEntries)) + 8 * Double(capacity * packedRunCount)
    }

    deinit {
        for pointer in [parameters, gradient, inputs, logits] + activations + activationGradients { pointer.deallocate() }
        labels.deallocate()
    }

    /// Calls `body(index, packedIndex)` for every parameter: its index in the network's layout and
    /// in the packed one.
    private func forEachParameter(_ body: (Int, Int) -> Void) {
        for (layer, offset) in zip(layers, offsets) {
            let (rowCount, rowLength) = layer.isHidden ? (layer.inputs, layer.outputs) : (layer.outputs, layer.inputs)
            for row in 0..<rowCount {
                for column in 0..<rowLength {
                    body(layer.weightOffset + row * rowLength + column, offset.weights + row * paddedStride(rowLength) + column)
                }
            }
            for o in 0..<layer.outputs { body(layer.biasOffset + o, offset.bias + o) }
        }
    }

    /// Lane `lane`'s parameters, in the network's layout.
    func parameterValues(lane: Int) -> [Float] {
        var values = [Float](repeating: 0, count: shape.parameterCount)
        forEachParameter { index, packed in values[index] = parameters[packed][lane] }
        return values
    }

    /// Sets lane `lane`'s parameters from `values` in the network's layout.
    func setParameterValues(_ values: [Float], lane: Int) {
        forEachParameter { index, packed in parameters[packed][lane] = values[index] }
    }

    private func layerInput(_ index: Int) -> UnsafeMutablePointer<Lanes> { index == 0 ? inputs : activations[index - 1] }

    /// Forward pass of the batch's `rows` rows, as `NetworkWorkspace.forward` with the fast kernels.
    func forward(rows: Int) {
        for (index, layer) in layers.enumerated() {
            let (w, b) = (parameters + offsets[index].weights, parameters + offsets[index].bias)
            if layer.isHidden {
                PackedLinear.forwardInputMajor(weights: w, bias: b, input: layerInput(index), output: activations[index], rows: rows,
                                               inputs: layer.inputs, outputs: layer.outputs)
                let values = activations[index], stride = paddedStride(layer.outputs)
                for r in 0..<rows {
                    for j in 0..<layer.outputs { values[r * stride + j] = relu(values[r * stride + j]) }
                }
            } else {
                PackedLinear.forwardOutputMajor(weights: w, bias: b, input: layerInput(index), output: logits, rows: rows,
                                                inputs: layer.inputs, outputs: layer.outputs)
            }
        }
    }

    /// After `forward`: the gradient of each lane's batch-mean softmax cross-entropy into `gradient`,
    /// and each lane's sum of the rows' losses into `losses`, as `NetworkWorkspace.backward`.
    func backward(rows: Int, losses: inout [Double]) {
        packedSoftmaxCrossEntropy(logits: logits, labels: labels, rows: rows, classes: shape.classes, losses: &losses)
        for index in layers.indices.reversed() {
            let layer = layers[index]
            let outputGradient = layer.isHidden ? activationGradients[index] : logits
            if layer.isHidden {
                let h = activations[index], stride = paddedStride(layer.outputs)
                for r in 0..<rows {
                    for j in (r * stride)..<(r * stride + layer.outputs) {
                        outputGradient[j] = outputGradient[j].replacing(with: 0, where: .!(h[j] .> 0))
                    }
                }
            }
            let inputGradient = index == 0 ? nil : activationGradients[index - 1]
            let (w, gW, gB) = (parameters + offsets[index].weights, gradient + offsets[index].weights, gradient + offsets[index].bias)
            if layer.isHidden {
                PackedLinear.backwardInputMajor(weights: w, input: layerInput(index), outputGradient: outputGradient, weightGradient: gW,
                                                biasGradient: gB, inputGradient: inputGradient, rows: rows,
                                                inputs: layer.inputs, outputs: layer.outputs)
            } else {
                PackedLinear.backwardOutputMajor(weights: w, input: layerInput(index), outputGradient: outputGradient, weightGradient: gW,
                                                 biasGradient: gB, inputGradient: inputGradient, rows: rows,
                                                 inputs: layer.inputs, outputs: layer.outputs)
            }
        }
    }
}

/// `SoftmaxCrossEntropy.forwardBackward` (no smoothing) lane by lane: the logits become
/// dL/dz = (softmax(z) - onehot(y)) / rows, and `losses[k]` the sum of lane k's row losses.
private func packedSoftmaxCrossEntropy(logits: UnsafeMutablePointer<Lanes>, labels: UnsafePointer<Int>, rows: Int, classes c: Int,
                                       losses: inout [Double]) {
    let scale = 1 / Float(rows)
    for lane in 0..<packedRunCount { losses[lane] = 0 }
    for r in 0..<rows {
        let z = logits + r * paddedStride(c), label = labels + r * packedRunCount
        var maximum = z[0]
        for k in 1..<c { maximum = maximum.replacing(with: z[k], where: z[k] .> maximum) }
        var shiftedTarget = Lanes()
        for lane in 0..<packedRunCount { shiftedTarget[lane] = z[label[lane]][lane] - maximum[lane] }
        var total = Lanes()
        for k in 0..<c {
            var exponential = z[k] - maximum
            for lane in 0..<packedRunCount { exponential[lane] = expf(exponential[lane]) }
            z[k] = exponential   // z now holds exp(z - m)
            total += exponential
        }
        for lane in 0..<packedRunCount { losses[lane] += Double(logf(total[lane]) - shiftedTarget[lane]) }
        let inverseTotal = 1 / total
        for k in 0..<c { z[k] = z[k] * inverseTotal * scale }
        for lane in 0..<packedRunCount { z[label[lane]][lane] -= scale }
    }
}
