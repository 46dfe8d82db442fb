import PoisoningData
import PoisoningUtilities

/// One dense layer's sizes and where its tensors live in the network's flat parameter vector.
public struct DenseLayer: Sendable, Equatable {
    /// Inputs (fan-in).
    public let inputs: Int
    /// Outputs.
    public let outputs: Int
    /// Offset of the weights: Wᵀ [inputs x outputs] for a hidden layer, W [outputs x inputs] for the
    /// output layer (see `Linear`).
    public let weightOffset: Int
    /// Offset of the bias [outputs].
    public let biasOffset: Int
    /// True for a hidden layer (input-major weights, followed by a ReLU); false for the output layer.
    public let isHidden: Bool

    /// The flat index of W[o, i].
    public func weightIndex(output o: Int, input i: Int) -> Int {
        weightOffset + (isHidden ? i * outputs + o : o * inputs + i)
    }
}

/// A feed-forward classifier: Linear-ReLU blocks of the given hidden widths, then a Linear layer to
/// the classes, trained with softmax cross-entropy. No hidden layers is softmax (multinomial
/// logistic) regression. The parameters are one contiguous Float vector: each layer's weights, then
/// its bias, layer after layer.
public struct NetworkShape: Sendable, Codable, Equatable, Hashable {
    /// Input features.
    public let inputs: Int
    /// Hidden widths, first layer first; empty for logistic regression.
    public let hidden: [Int]
    /// Output classes.
    public let classes: Int

    /// A shape with positive sizes.
    public init(inputs: Int, hidden: [Int], classes: Int) {
        precondition(inputs > 0 && classes > 0 && hidden.allSatisfy { $0 > 0 }, "network sizes must be positive")
        self.inputs = inputs
        self.hidden = hidden
        self.classes = classes
    }

    /// The dense layers in order, with their offsets.
    public var layers: [DenseLayer] {
        var result = [DenseLayer]()
        var offset = 0
        let sizes = [inputs] + hidden + [classes]
        for index in 0..<(sizes.count - 1) {
            let (fanIn, fanOut) = (sizes[index], sizes[index + 1])
            result.append(DenseLayer(inputs: fanIn, outputs: fanOut, weightOffset: offset, biasOffset: offset + fanIn * fanOut,
                                     isHidden: index < hidden.count))
            offset += fanIn * fanOut + fanOut
        }
        return result
    }

    /// Total number of parameters.
    public var parameterCount: Int {
        let sizes = [inputs] + hidden + [classes]
        return zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
    }

    /// Multiply-adds of one forward pass of one row: Σ over layers of inputs · outputs.
    public var multiplyAddsPerRow: Int {
        let sizes = [inputs] + hidden + [classes]
        return zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
    }
}

/// The parameters of a network as one contiguous Float vector laid out by `shape`.
public struct NetworkParameters: Sendable, Equatable {
    /// Layer sizes and tensor offsets.
    public let shape: NetworkShape
    /// Every layer's weights and bias, concatenated.
    public var values: [Float]

    /// Parameters with the given values (values.count == shape.parameterCount).
    public init(shape: NetworkShape, values: [Float]) {
        precondition(values.count == shape.parameterCount, "parameter count does not match the shape")
        self.shape = shape
        self.values = values
    }

    /// PyTorch's `nn.Linear` default initialisation: every weight and bias of a layer uniform in
    /// [-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn layer by layer in PyTorch's order: W row by row
    /// (W[0, 0], W[0, 1], ...), then b.
    public static func pytorchDefault(shape: NetworkShape, random: inout Xoshiro256StarStar) -> NetworkParameters {
        var values = [Float](repeating: 0, count: shape.parameterCount)
        for layer in shape.layers {
            let bound = 1 / Float(layer.inputs).squareRoot()
            for o in 0..<layer.outputs {
                for i in 0..<layer.inputs {
                    values[layer.weightIndex(output: o, input: i)] = bound * (2 * random.nextUnitFloat() - 1)
                }
            }
            for index in layer.biasOffset..<(layer.biasOffset + layer.outputs) {
                values[index] = bound * (2 * random.nextUnitFloat() - 1)
            }
        }
        return NetworkParameters(shape: shape, values: values)
    }
}
