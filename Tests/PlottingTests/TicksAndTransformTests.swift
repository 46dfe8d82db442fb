import Foundation
import Testing
@testable import Plotting

struct TickTests {
    @Test func niceStepsForKnownRanges() {
        #expect(niceTickStep(lower: 0, upper: 1, maxTicks: 6) == 0.2)
        #expect(niceTickStep(lower: 0, upper: 1, maxTicks: 11) == 0.1)
        #expect(niceTickStep(lower: 0, upper: 10, maxTicks: 5) == 2.5)
        #expect(niceTickStep(lower: 0, upper: 7, maxTicks: 5) == 2)
        #expect(niceTickStep(lower: -0.02, upper: 0.52, maxTicks: 11) == 0.1)
        #expect(niceTickStep(lower: 0, upper: 2048, maxTicks: 6) == 500)
        // No multiple of 0.05 lies in [0.11, 0.14]: the step becomes finer until two do.
        #expect(niceTicks(lower: 0.11, upper: 0.14, maxTicks: 2) == [0.12, 0.14])
    }

    @Test func ticksAreRoundedMultiplesInsideTheRange() {
        #expect(niceTicks(lower: 0, upper: 1, maxTicks: 6) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(niceTicks(lower: -0.02, upper: 0.52, maxTicks: 11) == [0, 0.1, 0.2, 0.3, 0.4, 0.5])
        #expect(niceTicks(lower: 0, upper: 10, maxTicks: 5) == [0, 2.5, 5, 7.5, 10])
        #expect(niceTicks(lower: -0.13, upper: 0.07, maxTicks: 5) == [-0.1, -0.05, 0, 0.05])
    }

    @Test func tickDecimalsShowEveryMultipleExactly() {
        #expect(tickDecimals(step: 10) == 0)
        #expect(tickDecimals(step: 1) == 0)
        #expect(tickDecimals(step: 0.5) == 1)
        #expect(tickDecimals(step: 0.25) == 2)
        #expect(tickDecimals(step: 0.05) == 2)
        #expect(tickDecimals(step: 2.5) == 1)
    }

    @Test func ticksHaveNiceEvenSpacingForManyRanges() {
        var state: UInt64 = 12345
        func uniform() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        for _ in 0..<2000 {
            let lower = (uniform() - 0.5) * pow(10, Double(Int(uniform() * 8) - 4))
            let upper = lower + uniform() * pow(10, Double(Int(uniform() * 8) - 4)) + 1e-6
            let maxTicks = 2 + Int(uniform() * 10)
            let step = niceTickStep(lower: lower, upper: upper, maxTicks: maxTicks)
            let ticks = niceTicks(lower: lower, upper: upper, maxTicks: maxTicks)
            // At most maxTicks, except that a narrow range gets a finer step to show at least two.
            #expect(ticks.count >= 2 && ticks.count <= max(maxTicks, 5), "\(lower)...\(upper) max \(maxTicks): \(ticks)")
            let slack = 1e-9 * step
            #expect(ticks.allSatisfy { tick in tick >= lower - slack && tick <= upper + slack })
            let mantissa = step / pow(10, floor(log10(step)))
            #expect([1, 2, 2.5, 5].contains { abs($0 - mantissa) < 1e-9 }, "step \(step)")
            for (a, b) in zip(ticks, ticks.dropFirst()) { #expect(abs(b - a - step) < 1e-6 * step) }
        }
    }
}

struct TransformTests {
    let transform = Transform(area: Rect(x: 50, y: 20, width: 400, height: 300), xRange: 0...0.5, yRange: 0...1)

    @Test func mapsTheDataBoxOntoThePlotAreaWithYUp() {
        #expect(transform.device(Point(0, 0)) == Point(50, 320))
        #expect(transform.device(Point(0.5, 1)) == Point(450, 20))
        #expect(transform.device(Point(0.25, 0.5)) == Point(250, 170))
    }

    @Test func inverseRecoversDataPoints() {
        for point in [Point(0.1, 0.9), Point(0.33, 0.12), Point(-0.1, 1.3)] {
            let back = transform.data(transform.device(point))
            #expect(abs(back.x - point.x) < 1e-12 && abs(back.y - point.y) < 1e-12)
        }
    }
}
