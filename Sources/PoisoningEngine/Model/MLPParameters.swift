/// The sizes of a Linear(inputs -> hidden) - ReLU - Linear(hidden -> classes) network and where
/// each tensor lives in its flat parameter vector, all row-major: W1ᵀ [inputs x hidden] (the first
/// layer's weights transposed, so that the kernels run along contiguous hidden units), b1 [hidden],
/// W2 [classes x hidden] (as PyTorch stores it), b2 [classes]. W1[j, i] is at `w1Offset + i * hidden + j`.
public struct MLPShape: Sendable, Codable, Equatable {
    /// Input features.
    public let inputs: Int
    /// Hidden units (the width).
    public let hidden: Int
    /// Output classes.
    public let classes: Int

    /// A shape with positive sizes.
    public init(inputs: Int, hidden: Int, classes: Int) {
        precondition(inputs > 0 && hidden > 0 && classes > 0, "MLP sizes must be positive")
        self.inputs = inputs
        self.hidden = hidden
        self.classes = classes
    }

    /// Offset of W1ᵀ in the parameter vector.
    public var w1Offset: Int { 0 }
    /// Offset of b1.
    public var b1Offset: Int { hidden * inputs }
    /// Offset of W2.
    public var w2Offset: Int { b1Offset + hidden }
    /// Offset of b2.
    public var b2Offset: Int { w2Offset + classes * hidden }
    /// Total number of parameters.
    public var parameterCount: Int { b2Offset + classes }
}

/// The parameters of a two-layer MLP as one contiguous Float vector laid out by `shape`.
public struct MLPParameters: Sendable, Equatable {
    /// Layer sizes and tensor offsets.
    public let shape: MLPShape
    /// W1, b1, W2, b2, concatenated.
    public var values: [Float]

    /// Parameters with the given values (values.count == shape.parameterCount).
    public init(shape: MLPShape, values: [Float]) {
        precondition(values.count == shape.parameterCount, "parameter count does not match the shape")
        self.shape = shape
        self.values = values
    }

    /// PyTorch's `nn.Linear` default initialisation: every weight and bias of a layer uniform in
    /// [-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn in the order W1 (row by row, as PyTorch stores it:
    /// W1[0, 0], W1[0, 1], ...), b1, W2, b2.
    public static func pytorchDefault(shape: MLPShape, random: inout Xoshiro256StarStar) -> MLPParameters {
        var values = [Float](repeating: 0, count: shape.parameterCount)
        let firstBound = 1 / Float(shape.inputs).squareRoot()
        let secondBound = 1 / Float(shape.hidden).squareRoot()
        for j in 0..<shape.hidden {
            for i in 0..<shape.inputs {
                values[shape.w1Offset + i * shape.hidden + j] = firstBound * (2 * random.nextUnitFloat() - 1)
            }
        }
        for index in shape.b1Offset..<shape.w2Offset {
            values[index] = firstBound * (2 * random.nextUnitFloat() - 1)
        }
        for index in shape.w2Offset..<shape.parameterCount {
            values[index] = secondBound * (2 * random.nextUnitFloat() - 1)
        }
        return MLPParameters(shape: shape, values: values)
    }
}
