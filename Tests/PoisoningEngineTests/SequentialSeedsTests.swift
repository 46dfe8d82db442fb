import Foundation
import Testing
import PoisoningEngine

/// The adaptive study's `seeds` block: its defaults, its seed sequence, its document and its refusals.
struct SequentialSeedsTests {
    func adaptive(_ block: [ParameterEntry], models: [Int] = [32, 64, 128], attacks: Int = 1) throws -> StudyDesign {
        var config = StudyConfig(models: models.map(StudyConfig.mlp))
        if attacks == 2 { config.attacks = ["random-label-flip", "class-flip"].map { StudyConfig.component($0) } }
        config.sequential = nil
        let document = config.document.setting(.mapping(block), at: "seeds")
        return try StudyDesign(document: document)
    }

    @Test func theSequenceListsTheValuesThenCountsUpSkippingThem() {
        let seeds = SequentialSeeds(values: [42, 2, 7], start: 3)
        #expect(seeds.seeds(2) == [42, 2])
        #expect(seeds.seeds(8) == [42, 2, 7, 1, 3, 4, 5, 6])
    }

    @Test func defaultsAreTheListedSeedsThreeMoreAtATimeUpToFortyAndTheThresholdQuestions() throws {
        let design = try adaptive([])
        #expect(design.config.sequential == SequentialSeeds(values: [42, 123, 7], start: 3, step: 3, max: 40,
                                                            until: [.thresholdTrend, .thresholdPairs]))
        #expect(design.config.seeds == [42, 123, 7])
        #expect(design.runCount == 9 * 3 * 40)
        // The document holds the block, defaults filled in, and reads back to the same study.
        let again = try StudyDesign(document: design.config.document)
        #expect(again.config == design.config)
    }

    @Test(arguments: [
        ([ParameterEntry(key: "step", value: .int(0))], "seeds.step"),
        ([ParameterEntry(key: "start", value: .int(5)), ParameterEntry(key: "max", value: .int(4))], "seeds.max"),
        ([ParameterEntry(key: "until", value: .list([.string("threshold-pears")]))], "seeds.until"),
        ([ParameterEntry(key: "values", value: .list([.int(1), .int(1)]))], "seeds.values"),
        ([ParameterEntry(key: "values", value: .list((1...5).map { .int($0) })), ParameterEntry(key: "max", value: .int(4))], "seeds.max"),
    ])
    func nonsenseIsRefusedAtItsKey(block: [ParameterEntry], path: String) {
        #expect { try adaptive(block) } throws: { ($0 as? SpecificationError)?.path == path }
    }

    /// Listed values are never dropped: more than 40 raise the default budget to their count.
    @Test func listedValuesBeyondFortyRaiseTheDefaultBudget() throws {
        let design = try adaptive([ParameterEntry(key: "values", value: .list((1...45).map { .int($0) }))])
        #expect(design.config.sequential?.max == 45)
        #expect(design.config.sequential?.seeds(45) == (1...45).map { UInt64($0) })
    }

    @Test func aQuestionTheStudyCannotAskIsRefused() {
        let trend = [ParameterEntry(key: "until", value: .list([.string("threshold-trend")]))]
        #expect { try adaptive(trend, models: [32]) } throws: {
            ($0 as? SpecificationError)?.message == "threshold-trend needs at least two models, which this study has not: "
                + "it can ask none of the questions (threshold-trend, threshold-pairs, clean-pairs, gap-pairs)"
        }
        // A question it cannot ask, beside those it can (two attacks, one model), and the key blamed.
        let pairs = [ParameterEntry(key: "until", value: .list([.string("threshold-trend")]))]
        #expect { try adaptive(pairs, models: [32], attacks: 2) } throws: {
            let error = $0 as? SpecificationError
            return error?.path == "seeds.until" && error?.message == "threshold-trend needs at least two models, which this study has not: "
                + "the questions it can ask are threshold-pairs, clean-pairs, gap-pairs"
        }
        #expect { try adaptive([], models: [32]) } throws: { ($0 as? SpecificationError)?.path == "seeds" }
    }
}
