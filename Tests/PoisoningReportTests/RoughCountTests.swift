import Testing
@testable import PoisoningReport

/// `roughCount`, the refits `fitPrecisionNote` says would place every undetermined parameter end.
struct RoughCountTests {
    @Test func roundsUpToTheThousandOrTheTenthOfAMillion() {
        #expect(roughCount(333_000.4) == "334,000")
        #expect(roughCount(999) == "1,000")
        #expect(roughCount(12) == "1,000")
        #expect(roughCount(1_765_000) == "1.8 million")
        #expect(roughCount(7_900_000) == "7.9 million")
        #expect(roughCount(999_999) == "1.0 million")
    }
}
