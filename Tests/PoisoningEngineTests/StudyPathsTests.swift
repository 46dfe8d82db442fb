import Foundation
import Testing
import PoisoningEngine

/// Paths in a study move with the file that names them (`movingPath`, `movingStudyPaths`).
struct StudyPathsTests {
    let cwd = FileManager.default.currentDirectoryPath

    @Test func aRelativePathIsNamedFromTheOtherFolder() {
        #expect(movingPath("digits.csv", from: "examples/digits", to: ".") == "examples/digits/digits.csv")
        #expect(movingPath("examples/digits/digits.csv", from: ".", to: "examples/digits/output") == "../digits.csv")
        #expect(movingPath("../digits.csv", from: "examples/digits/output", to: ".") == "examples/digits/digits.csv")
        #expect(movingPath("./a/../b.csv", from: "x/./y/", to: "x") == "y/b.csv")
        #expect(movingPath("b.csv", from: "x", to: "x") == "b.csv")
        // Outside the working directory: ".." steps, not an absolute path, so that published files never name one.
        let parent = (cwd as NSString).deletingLastPathComponent
        #expect(movingPath("d.csv", from: parent + "/data", to: ".") == "../data/d.csv")
        #expect(movingPath("d.csv", from: "/data", to: "/out/deep") == "../../data/d.csv")
    }

    @Test func absoluteAndEmptyPathsAreKeptAsWritten() {
        #expect(movingPath("/srv/data/d.csv", from: "examples", to: "output") == "/srv/data/d.csv")
        #expect(movingPath("", from: "examples", to: "output") == "")
    }

    @Test func movingThereAndBackGivesThePathBack() {
        for (path, folder) in [("d.csv", "examples/digits"), ("../d.csv", "a/b"), ("x/y/d.csv", "/tmp/z"), ("d.csv", ".")] {
            let inMemory = movingPath(path, from: folder, to: ".")
            let back = movingPath(inMemory, from: ".", to: folder)
            #expect(movingPath(back, from: folder, to: ".") == inMemory, "\(path) from \(folder)")
        }
        #expect(containingFolder(of: "study.yaml") == "." && containingFolder(of: "a/b/study.yaml") == "a/b"
            && containingFolder(of: "/study.yaml") == "/")
    }

    @Test func aStudyDocumentMovesOnlyThePathsOfItsComponents() throws {
        let document = ParameterValue.mapping([
            ParameterEntry(key: "title", value: .string("rows.csv")),
            ParameterEntry(key: "data", value: .mapping([ParameterEntry(key: "kind", value: .string("csv")),
                                                         ParameterEntry(key: "path", value: .string("rows.csv")),
                                                         ParameterEntry(key: "label-column", value: .string("rows.csv"))])),
            ParameterEntry(key: "models", value: .list([.mapping([ParameterEntry(key: "kind", value: .string("mlp")),
                                                                  ParameterEntry(key: "hidden", value: .list([.int(8)]))])])),
        ])
        let moved = document.movingStudyPaths(from: "studies", to: ".")
        #expect(moved.value(at: "data.path") == .string("studies/rows.csv"))
        #expect(moved.value(at: "data.label-column") == .string("rows.csv") && moved.value(at: "title") == .string("rows.csv"))
        #expect(moved.value(at: "models") == document.value(at: "models"))
        // Gaussian clusters name no file; a document without data is left as it is.
        #expect(StudyConfig.reference.document.movingStudyPaths(from: "a", to: "b") == StudyConfig.reference.document)
        var config = StudyConfig.reference
        config.data = document.value(at: "data")!
        #expect(config.movingPaths(from: ".", to: "studies").dataFilePath == "../rows.csv")
        #expect(config.movingPaths(from: ".", to: "studies").movingPaths(from: "studies", to: ".") == config)
    }
}
