import Testing
import PoisoningEngine
import TestSupport

/// A sweep of the input-gradient penalty's λ is one defense entry per λ: each its own series, with a
/// label naming its λ, and λ = 0 trains exactly as no defense does.
struct PenaltySweepTests {
    /// MLP 16 under a backdoor and random flips, without a defense and with λ 0 and 0.5, at fractions
    /// 0 and 0.2 over two seeds (runs packed and alone on two threads): every λ 0 run has the
    /// metrics of its undefended twin bit for bit, and λ 0.5 changes them.
    @Test func lambdaZeroIsTheUndefendedRunBitForBit() throws {
        let penalty = { (lambda: Double) in StudyConfig.component(InputGradientPenaltyDefense.kind, ["lambda": .double(lambda)]) }
        let study = try Study(StudyConfig(
            models: [StudyConfig.mlp(16)],
            attacks: [StudyConfig.component(Backdoor.kind, ["target": .int(0)]), StudyConfig.component(RandomLabelFlip.kind)],
            defenses: [StudyConfig.component(NoDefense.kind), penalty(0), penalty(0.5)],
            fractions: [0, 0.2], seeds: [1, 2], training: TrainingSettings(epochs: 5)))
        #expect(study.series.map(\.defenseLabel) == ["no defense", "input-gradient penalty 0.0", "input-gradient penalty 0.5",
                                                    "no defense", "input-gradient penalty 0.0", "input-gradient penalty 0.5"])
        let runs = runStudy(study, threads: 2).results
        /// The run of the series with `defense` and the attack of `run`'s series, at `run`'s fraction and seed.
        func twin(of run: RunResult, defense: Int) throws -> RunResult {
            let attack = study.series[run.series].attack
            let series = try #require(study.series.firstIndex { $0.attack == attack && $0.defense == defense })
            return try #require(runs.first { $0.series == series && $0.fraction == run.fraction && $0.seed == run.seed })
        }
        let zero = runs.filter { study.series[$0.series].defense == 1 }
        #expect(zero.count == 8)
        for run in zero {
            let undefended = try twin(of: run, defense: 0)
            #expect(run.metrics != nil && run.metrics == undefended.metrics, "fraction \(run.fraction), seed \(run.seed)")
            #expect(run.poisonedCount == undefended.poisonedCount)
        }
        let penalised = try zero.map { try twin(of: $0, defense: 2) }
        #expect(zip(zero, penalised).allSatisfy { $0.metrics?[MetricKey.finalLoss] != $1.metrics?[MetricKey.finalLoss] })
    }
}
