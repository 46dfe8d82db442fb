import Testing
import PoisoningEngine
import PoisoningUtilities

/// The design published claims were made for, against a run's: every setting that differs is named;
/// seeds, analysis and planning are not design (r21 #1).
struct PublishedDesignTests {
    /// The settings in which the reference study, changed by `change`, differs from the reference design.
    func differences(_ change: (inout StudyConfig) -> Void) throws -> [String] {
        var config = StudyConfig.reference
        change(&config)
        return PublishedDesign.reference.differences(from: try StudyDesign(document: config.document).config).map(\.text)
    }

    @Test func theReferenceStudyRunsTheReferenceDesignWhateverItsSeedsAndAnalysis() throws {
        #expect(try differences { _ in } == [])
        #expect(try differences {
            $0.seeds = [1, 2, 3, 4, 5, 6]
            $0.analysis = AnalysisSettings(confidence: 0.9, replicates: 200, bootstrapSeed: 7)
            $0.planning.effect = 0.05
            $0.title = "Another title"
        } == [])
    }

    @Test func eachDifferingSettingIsNamedWithBothValues() throws {
        #expect(try differences { $0.training.epochs = 30 } == ["epochs 30 (paper 200)"])
        #expect(try differences { $0.training.epochs = 30; $0.training.learningRate = 0.1 }
                    == ["epochs 30 (paper 200)", "learning-rate 0.1 (paper 0.05)"])
        #expect(try differences { $0.models = [32, 64].map(StudyConfig.mlp) } == ["widths 32, 64 (paper 32, 64, 128)"])
        #expect(try differences { $0.models = [StudyConfig.component("logistic")] }
                    == ["models logistic (paper mlp 32, mlp 64, mlp 128)"])
        #expect(try differences { $0.fractions = [0, 0.25, 0.5] }
                    == ["fractions 0.0, 0.25, 0.5 (paper 0.0, 0.01, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5)"])
        #expect(try differences { $0.attacks = [StudyConfig.component("margin-flip")] } == ["attacks margin-flip (paper random-label-flip)"])
        #expect(try differences { $0.defenses = [StudyConfig.component("loss-filter")] } == ["defenses loss-filter (paper none)"])
        #expect(try differences { $0.data = $0.data.setting(.int(2000), at: "samples") } == ["samples 2000 (paper 500)"])
        #expect(try differences { $0.data = StudyConfig.component("make-classification") } == ["data make-classification (paper gaussian-clusters)"])
    }

    /// A command-line option applied to the reference study (`make-report --epochs 30`) changes the
    /// study's value, never the claims' design.
    @Test func anOptionOnTheReferenceStudyKeepsTheClaimsDesign() throws {
        let document = try StudyDesign(document: StudyConfig.reference.document).config.document.setting(.int(30), at: "training.epochs")
        let config = try StudyDesign(document: document).config
        #expect(config.claims?.design == .reference)
        #expect(config.claims?.design?.differences(from: config).map(\.text) == ["epochs 30 (paper 200)"])
    }
}
