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

    @Test func symbolicLinksAreResolvedAsTheKernelResolvesThem() throws {
        // base/lnk is a link to base/deep/x/y; base/B/data.csv the data (review r19e, finding 4).
        let base = URL(fileURLWithPath: try #require(realpath(NSTemporaryDirectory(), nil).map { String(cString: $0) }))
            .appendingPathComponent("study-paths-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base + "/deep/x/y", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/B", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: base + "/lnk", withDestinationPath: "deep/x/y")
        try FileManager.default.createSymbolicLink(atPath: base + "/B/link.csv", withDestinationPath: "data.csv")
        defer { try? FileManager.default.removeItem(atPath: base) }
        // `lnk/..` is the parent of the link's target; below it, the folders to be made are read as text.
        #expect(resolvedFileURL(base + "/lnk/../zz", isDirectory: true).path == base + "/deep/x/zz")
        #expect(resolvedFileURL(base + "/lnk/o/new/../p", isDirectory: true).path == base + "/deep/x/y/o/p")
        #expect(resolvedFileURL(base + "/lnk/./o", isDirectory: true).path == base + "/deep/x/y/o")
        // From the output folder lnk/o, which is deep/x/y/o, the data lies four folders up, not two.
        #expect(movingPath("B/data.csv", from: base, to: base + "/lnk/o") == "../../../../B/data.csv")
        #expect(movingPath("B/data.csv", from: base, to: base + "/lnk/../zz") == "../../../B/data.csv")
        #expect(movingPath("../../../../B/data.csv", from: base + "/lnk/o", to: base) == "B/data.csv")
        #expect(movingPath("../B/data.csv", from: base + "/lnk", to: base) == "deep/x/B/data.csv")
        // The file's own name is kept as written, even when it is a link.
        #expect(movingPath("B/link.csv", from: base, to: base + "/lnk") == "../../../B/link.csv")
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
