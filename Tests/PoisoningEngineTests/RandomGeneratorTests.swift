import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// Published test vectors of the generators, and values from NumPy recorded by
/// `scripts/reference_values.py` (section numpy_random).
struct RandomGeneratorTests {
    @Test func splitMix64MatchesPublishedVectorForSeed1234567() {
        var generator = SplitMix64(seed: 1_234_567)
        let expected: [UInt64] = [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                                  4_593_380_528_125_082_431, 16_408_922_859_458_223_821]
        #expect(expected.map { _ in generator.next() } == expected)
    }

    @Test func xoshiro256StarStarMatchesReferenceOutputForState1234() {
        var generator = Xoshiro256StarStar(state: (1, 2, 3, 4))
        let expected: [UInt64] = [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360,
                                  607_988_272_756_665_600, 16_172_922_978_634_559_625, 8_476_171_486_693_032_832,
                                  10_595_114_339_597_558_777, 2_904_607_092_377_533_576]
        #expect(expected.map { _ in generator.next() } == expected)
    }

    @Test func fnv1aMatchesPublishedValues() {
        #expect(Xoshiro256StarStar.fnv1a64("") == 0xCBF2_9CE4_8422_2325)
        #expect(Xoshiro256StarStar.fnv1a64("a") == 0xAF63_DC4C_8601_EC8C)
        #expect(Xoshiro256StarStar.fnv1a64("foobar") == 0x8594_4171_F739_67E8)
    }

    @Test func derivedStreamMatchesIndependentPythonImplementation() {
        var stream = Xoshiro256StarStar(seed: 42, purpose: "init")
        #expect([stream.next(), stream.next(), stream.next()]
            == [3_119_888_025_082_367_609, 15_701_146_790_222_189_748, 10_409_750_383_466_758_954])
    }

    @Test func streamsDifferByPurposeAndSeed() {
        var a = Xoshiro256StarStar(seed: 42, purpose: "init")
        var b = Xoshiro256StarStar(seed: 42, purpose: "shuffle")
        var c = Xoshiro256StarStar(seed: 43, purpose: "init")
        let first = a.next()
        #expect(first != b.next())
        #expect(first != c.next())
    }

    @Test func boundedIntegersAreInRangeAndCoverIt() {
        var generator = Xoshiro256StarStar(seed: 1, purpose: "test")
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[generator.nextInt(below: 7)] += 1 }
        // Each bucket expects 10000 with sd ~93; 6 sd either side.
        #expect(counts.allSatisfy { abs($0 - 10_000) < 560 }, "counts \(counts)")
        #expect(generator.nextInt(below: 1) == 0)
    }

    @Test func unitFloatsLieInTheHalfOpenInterval() {
        var generator = Xoshiro256StarStar(seed: 9, purpose: "test")
        var sum = 0.0
        for _ in 0..<100_000 {
            let value = generator.nextUnitFloat()
            #expect(value >= 0 && value < 1)
            sum += Double(value)
        }
        #expect(abs(sum / 100_000 - 0.5) < 0.005)
    }

    @Test func mersenneTwisterMatchesReferenceForSeed5489AndNumPyForSeed42() {
        var reference = NumPyRandomState(seed: 5489)
        #expect((0..<5).map { _ in reference.nextUInt32() } == [3_499_211_612, 581_869_302, 3_890_346_734, 3_586_334_585, 545_404_204])
        var numpy = NumPyRandomState(seed: 42)
        #expect((0..<3).map { _ in numpy.nextUInt32() } == [1_608_637_542, 3_421_126_067, 4_083_286_876])
    }

    @Test func randomSampleAndRandnMatchNumPyBitForBit() {
        var uniform = NumPyRandomState(seed: 42)
        #expect([uniform.nextDouble(), uniform.nextDouble(), uniform.nextDouble()]
            == [0.3745401188473625, 0.9507143064099162, 0.7319939418114051])
        var normal = NumPyRandomState(seed: 42)
        let expected = [0.4967141530112327, -0.13826430117118466, 0.6476885381006925, 1.5230298564080254,
                        -0.23415337472333597, -0.23413695694918055, 1.5792128155073915]
        #expect(expected.map { _ in normal.standardNormal() } == expected)
    }

    @Test func permutationMatchesNumPy() {
        var small = NumPyRandomState(seed: 42)
        #expect(small.permutation(10) == [8, 1, 5, 0, 7, 2, 9, 4, 3, 6])
        var large = NumPyRandomState(seed: 7)
        let permutation = large.permutation(1000)
        #expect(Array(permutation.prefix(10)) == [778, 334, 271, 802, 216, 408, 812, 94, 487, 170])
        #expect(permutation.enumerated().reduce(0) { $0 + $1.offset * $1.element } == 246_202_311)
        #expect(permutation.sorted() == Array(0..<1000))
    }
}
