import Foundation
import Testing
import TestSupport
@testable import PoisoningAttacks
@testable import PoisoningEngine

/// docs/study-files.md says which models each capability-bound attack takes as the registry decides
/// (issue 24: it said gradient canceling took softmax regression only, after it had come to take
/// MLPs too).
struct StudyFilesDocumentationTests {
    /// The text of docs/study-files.md.
    static func studyFiles() throws -> String {
        let path = #filePath.replacingOccurrences(of: "Tests/PoisoningEngineTests/StudyFilesDocumentationTests.swift", with: "docs/study-files.md")
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// The model kinds a study may pair with `attack` (its study is read without a refusal), and those
    /// it refuses, in the registry's order.
    static func modelKinds(takenBy attack: (kind: String, value: ParameterValue)) -> (taken: [String], refused: [String]) {
        var taken = [String](), refused = [String]()
        for model in ConformanceStudies.models {
            let config = ConformanceStudies.config(model: model.value, attack: attack.value, defense: StudyConfig.component("none"))
            if (try? Study(config)) != nil { taken.append(model.kind) } else { refused.append(model.kind) }
        }
        return (taken, refused)
    }

    /// Gradient canceling's passage names every model kind a study may pair it with before "a study
    /// pairing it with", and every kind it refuses between those words and "is refused"; it says
    /// "only" of none.
    @Test func gradientCancelingsPassageNamesTheModelsTheRegistryTakes() throws {
        let attack = try #require(ConformanceStudies.attacks.first { $0.kind == GradientCanceling.kind })
        let (taken, refused) = Self.modelKinds(takenBy: attack)
        #expect(taken == ["mlp", "logistic"] && refused == ["kernel-ridge", "linear-svm"], "\(taken); \(refused)")
        let text = try Self.studyFiles()
        let start = try #require(text.range(of: "`gradient-canceling` (Lu, Kamath and Yu 2023"))
        let end = try #require(text.range(of: "`target:` names", range: start.upperBound..<text.endIndex))
        let passage = text[start.upperBound..<end.lowerBound].replacingOccurrences(of: "\n", with: " ")
        let pairing = try #require(passage.range(of: "a study pairing it with"))
        let refusal = try #require(passage.range(of: "is refused", range: pairing.upperBound..<passage.endIndex))
        let takes = passage[..<pairing.lowerBound], refuses = passage[pairing.upperBound..<refusal.lowerBound]
        for kind in taken { #expect(takes.contains("`\(kind)`") && !refuses.contains("`\(kind)`"), "\(kind): \(passage)") }
        for kind in refused { #expect(refuses.contains("`\(kind)`") && !takes.contains("`\(kind)`"), "\(kind): \(passage)") }
        #expect(!passage.contains(" only"), "\(passage)")
    }
}
