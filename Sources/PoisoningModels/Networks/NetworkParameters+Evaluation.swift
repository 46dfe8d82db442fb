import PoisoningData
import PoisoningUtilities

extension NetworkParameters {
    /// The predicted class (arg-max logit, the first on ties) of every row of `inputs`.
    public func predictions(on inputs: Dataset) -> [Int] {
        var predicted = [Int](repeating: 0, count: inputs.count)
        let classes = shape.classes
        withForwardPasses(on: inputs) { workspace, start, count in
            for r in 0..<count {
                let z = workspace.logits + r * classes
                var best = 0
                for k in 1..<classes where z[k] > z[best] { best = k }
                predicted[start + r] = best
            }
        }
        return predicted
    }

    /// The softmax cross-entropy of every row of `inputs` against its label.
    public func rowLosses(on inputs: Dataset) -> [Double] {
        var losses = [Double](repeating: 0, count: inputs.count)
        inputs.labels.withUnsafeBufferPointer { labels in
            losses.withUnsafeMutableBufferPointer { output in
                withForwardPasses(on: inputs) { workspace, start, count in
                    SoftmaxCrossEntropy.forward(logits: workspace.logits, labels: labels.baseAddress! + start,
                                                losses: output.baseAddress! + start, rows: count, classes: shape.classes)
                }
            }
        }
        return losses
    }

    /// The batch-mean softmax cross-entropy on `inputs` (with their labels) and its gradient with
    /// respect to every parameter, in the layout of `values`: the quantity one SGD step descends.
    package func lossAndGradient(on inputs: Dataset) -> (loss: Double, gradient: [Float]) {
        lossAndGradient(on: inputs, kernels: .fast)
    }

    /// `lossAndGradient(on:)` with the fast kernels or, in tests, the naive ones of `ReferenceKernels.swift`.
    func lossAndGradient(on inputs: Dataset, kernels: KernelSet) -> (loss: Double, gradient: [Float]) {
        precondition(inputs.count > 0 && inputs.featureCount == shape.inputs, "inputs do not fit the model")
        let workspace = NetworkWorkspace(shape: shape, capacity: inputs.count, kernels: kernels)
        let lossSum = values.withUnsafeBufferPointer { parameters in
            inputs.features.withUnsafeBufferPointer { features in
                inputs.labels.withUnsafeBufferPointer { labels in
                    workspace.forward(parameters: parameters.baseAddress!, inputs: features.baseAddress!, rows: inputs.count)
                    return workspace.backward(parameters: parameters.baseAddress!, inputs: features.baseAddress!,
                                              labels: labels.baseAddress!, rows: inputs.count)
                }
            }
        }
        return (lossSum / Double(inputs.count), Array(UnsafeBufferPointer(start: workspace.gradient, count: shape.parameterCount)))
    }

    /// Runs the forward pass over `inputs` in chunks of up to 1024 rows, calling `body` with the
    /// workspace (whose `logits` hold the chunk's), the chunk's first row and its row count.
    private func withForwardPasses(on inputs: Dataset, _ body: (NetworkWorkspace, Int, Int) -> Void) {
        precondition(inputs.featureCount == shape.inputs, "inputs do not fit the model")
        guard inputs.count > 0 else { return }
        let workspace = NetworkWorkspace(shape: shape, capacity: min(inputs.count, 1024))
        values.withUnsafeBufferPointer { parameters in
            inputs.features.withUnsafeBufferPointer { features in
                workspace.forwardInChunks(parameters: parameters.baseAddress!, inputs: features.baseAddress!, rows: inputs.count) {
                    body(workspace, $0, $1)
                }
            }
        }
    }
}
