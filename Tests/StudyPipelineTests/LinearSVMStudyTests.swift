import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningEngine
import StudyPipeline
import TestSupport

/// The linear SVM's shipped solver settings in whole studies: they converge on the default data,
/// and its row orders, from a fixed stream, give the same results whatever the thread count.
@Suite struct LinearSVMStudyTests {
    /// The default data (500 rows of 5 unstandardised Gaussian clusters, 350 of them training rows)
    /// under random label flips, fractions 0 to 0.4, seeds 1 and 2, with the linear SVM at its
    /// defaults (c 1, tolerance 1e-8, max-passes 1,000,000): every one of the 10 runs converges and
    /// is measured. The fixed-order solver with 10,000 passes failed 7 of them, both clean runs
    /// among them.
    @Test func theDefaultsConvergeOnTheDefaultData() throws {
        let config = StudyConfig(data: StudyConfig.component(GaussianClusters.kind), models: [StudyConfig.component(LinearSVM.kind)],
                                 attacks: [StudyConfig.component(RandomLabelFlip.kind)], fractions: [0, 0.1, 0.2, 0.3, 0.4], seeds: [1, 2])
        let runs = runStudy(try Study(config), threads: 2).results
        #expect(runs.count == 10)
        for run in runs {
            #expect(run.metrics != nil && !run.hasFailed, "fraction \(run.fraction), seed \(run.seed): \(run.divergence ?? "")")
        }
    }

    /// A linear SVM's row orders come from a fixed stream, never from the thread that runs it: a study
    /// of two seeds and three fractions on 120 rows of 3 unstandardised clusters gives equal results
    /// on 1, 2 and 4 threads, and its two clean runs (seeds 1 and 2, the same rows) the same model:
    /// equal test accuracy.
    @Test func resultsAreTheSameOnAnyNumberOfThreads() throws {
        let config = StudyConfig(data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(120), "features": .int(4), "classes": .int(3)]),
                                 models: [StudyConfig.component(LinearSVM.kind)], attacks: [StudyConfig.component(RandomLabelFlip.kind)],
                                 fractions: [0, 0.1, 0.3], seeds: [1, 2])
        let study = try Study(config)
        let one = runStudy(study, threads: 1).results
        #expect(one.count == 6 && one.allSatisfy { $0.metrics != nil })
        for threads in [2, 4] { #expect(runStudy(study, threads: threads).results == one, "\(threads) threads") }
        let clean = one.filter { $0.fraction == 0 }.compactMap { $0.metrics?[MetricKey.testAccuracy] }
        #expect(clean.count == 2 && clean[0] == clean[1])
    }
}
