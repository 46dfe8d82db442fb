import Foundation

/// The "nice" tick step for a range: the smallest step of the form {1, 2, 2.5, 5} × 10^n that
/// divides `lower...upper` into at most `maxTicks - 1` intervals (Heckbert, "Nice numbers for graph
/// labels", Graphics Gems, 1990, with 2.5 added). When fewer than two multiples of that step fall
/// inside a narrow range, the next finer nice steps are taken until two do, so an axis always has
/// at least two ticks (and then possibly a few more than `maxTicks`).
public func niceTickStep(lower: Double, upper: Double, maxTicks: Int) -> Double {
    precondition(upper > lower && maxTicks >= 2, "a tick range needs upper > lower and at least 2 ticks")
    let rough = (upper - lower) / Double(maxTicks - 1)
    let magnitude = pow(10, floor(log10(rough)))
    var step = [1, 2, 2.5, 5, 10].first { $0 * magnitude >= rough * (1 - 1e-9) }! * magnitude
    while tickCount(lower: lower, upper: upper, step: step) < 2 {
        let decade = pow(10, floor(log10(step) + 1e-9))
        let mantissa = (step / decade * 10).rounded() / 10
        step = (mantissa == 5 ? 2.5 : mantissa == 2.5 ? 2 : mantissa == 2 ? 1 : 0.5) * decade
    }
    return step
}

/// How many multiples of `step` lie in `lower...upper` (to 1e-9 of a step).
private func tickCount(lower: Double, upper: Double, step: Double) -> Int {
    Int((upper / step + 1e-9).rounded(.down) - (lower / step - 1e-9).rounded(.up)) + 1
}

/// The multiples of the nice step that lie in `lower...upper` (ends included, to 1e-9 of a step),
/// with every value rounded to the step's decimals so that 0.30000000000000004 becomes 0.3.
public func niceTicks(lower: Double, upper: Double, maxTicks: Int) -> [Double] {
    let step = niceTickStep(lower: lower, upper: upper, maxTicks: maxTicks)
    let first = (lower / step - 1e-9).rounded(.up)
    let last = (upper / step + 1e-9).rounded(.down)
    let scale = pow(10, Double(tickDecimals(step: step)))
    return stride(from: first, through: last, by: 1).map { ($0 * step * scale).rounded() / scale }
}

/// The number of decimals that shows every multiple of `step` exactly: 0 for 10 or 1, 1 for 0.5,
/// 2 for 0.25 or 0.05.
public func tickDecimals(step: Double) -> Int {
    var decimals = 0
    var scaled = step
    while decimals < 12 && abs(scaled - scaled.rounded()) > 1e-9 * max(1, abs(scaled)) {
        scaled *= 10
        decimals += 1
    }
    return decimals
}

/// Maps data coordinates to device coordinates inside a plot area: x grows rightward and y upward
/// in data space, y downward in device space, each axis on its `AxisScale` (linear by default).
public struct Transform: Sendable, Equatable {
    /// The plot area in device space.
    public let area: Rect
    /// The data range shown along x.
    public let xRange: ClosedRange<Double>
    /// The data range shown along y.
    public let yRange: ClosedRange<Double>
    /// How x maps to position.
    public let xScale: AxisScale
    /// How y maps to position.
    public let yScale: AxisScale

    /// A transform from the data box `xRange` × `yRange` onto `area`; a range on a log scale is positive.
    public init(area: Rect, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, xScale: AxisScale = .linear,
                yScale: AxisScale = .linear) {
        precondition(xRange.upperBound > xRange.lowerBound && yRange.upperBound > yRange.lowerBound,
                     "data ranges must not be empty")
        precondition(xScale.shows(xRange.lowerBound) && yScale.shows(yRange.lowerBound), "a log axis's range is positive")
        self.area = area
        self.xRange = xRange
        self.yRange = yRange
        self.xScale = xScale
        self.yScale = yScale
    }

    /// Device x of data x: left + (s(x) - s(xmin)) / (s(xmax) - s(xmin)) · width, s the x scale
    /// (the identity, or log10). A value the scale cannot show (x ≤ 0 on a log scale) lies a whole
    /// width left of the area: finite, outside it.
    public func deviceX(_ x: Double) -> Double {
        area.x + xScale.fraction(x, of: xRange) * area.width
    }

    /// Device y of data y: bottom - (s(y) - s(ymin)) / (s(ymax) - s(ymin)) · height, s the y scale.
    /// A value the scale cannot show lies a whole height below the area.
    public func deviceY(_ y: Double) -> Double {
        area.maxY - yScale.fraction(y, of: yRange) * area.height
    }

    /// The device point of a data point.
    public func device(_ point: Point) -> Point { Point(deviceX(point.x), deviceY(point.y)) }

    /// The data point at a device point (the inverse map).
    public func data(_ point: Point) -> Point {
        Point(xScale.value(atFraction: (point.x - area.x) / area.width, of: xRange),
              yScale.value(atFraction: (area.maxY - point.y) / area.height, of: yRange))
    }
}
