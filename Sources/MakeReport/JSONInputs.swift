import ArgumentParser
import Foundation
import PoisoningAnalysis
import PoisoningEngine
import StudyPipeline

/// The JSON files a command reads whole (`compare`'s results, `merge`'s parts), read before any work:
/// regular files only (`readUserFile`), refused when holding them, or decoding them all, would not fit in memory.
struct JSONInputs {
    /// Each file's path and bytes, in the order given.
    let files: [(name: String, data: Data)]
    /// The memory that decoding every file holds at once (`jsonDecodingBytes`), in bytes.
    let decodingBytes: Double

    /// Reads `paths`; a file that cannot be read, or decoding that would not fit in memory, throws one
    /// line beginning with `command`.
    init(_ paths: [String], command: String) throws {
        var read = [(name: String, data: Data)](), held = 0
        for path in paths {
            do {
                let data = try readUserFile(path, maximumBytes: maximumResultsFileBytes, held: Double(held))
                read.append((name: path, data: data))
                held += data.count
            } catch {
                throw ValidationError("\(command): \(error)")
            }
        }
        files = read
        let decoding = files.map { (name: $0.name, decodingBytes: jsonDecodingBytes($0.data)) }
        if let problem = jsonFilesMemoryProblem(decoding) { throw ValidationError("\(command): \(problem)") }
        decodingBytes = decoding.reduce(0) { $0 + $1.decodingBytes }
    }
}
