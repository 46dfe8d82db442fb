import Foundation
import Testing

/// Every number an example's README quotes is a number of that example's results. The READMEs are
/// prose written by hand; `output/report.md` is rendered from `output/results.json`, and CI checks
/// that both regenerate byte for byte from the study file. So a README number must appear, as the
/// report formats it, in the report: a decimal (0.73, +22.4), a percentage (35.8%) or a
/// percentage-point shift (+22.4 pp). Integers (counts of runs, seeds, cores) and timings ("4 s")
/// are not results and are not checked. A README table row must match one line of the report that
/// holds all of its numbers in the same order, so that a number cannot be borrowed from another
/// series' row.
struct ExampleReadmeTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")

    /// The examples with a README and a committed report.
    static var documented: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []
        return names.sorted().filter { name in
            ["README.md", "output/report.md"].allSatisfy {
                FileManager.default.fileExists(atPath: examples.appendingPathComponent(name).appendingPathComponent($0).path)
            }
        }
    }

    /// The result numbers of `text` in order: decimals and percentages, signed or not, with their
    /// unit ("%", " pp"), outside fenced code blocks; numbers followed by " s" (timings) are skipped.
    static func resultNumbers(in text: String) -> [String] {
        var numbers = [String](), inCode = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle(); continue }
            guard !inCode else { continue }
            numbers += resultNumbers(inLine: String(line))
        }
        return numbers
    }

    /// The result numbers of one line (see `resultNumbers(in:)`): a run of digits with at most one
    /// inner decimal point, not preceded by a letter, digit or point, with its sign and its unit.
    static func resultNumbers(inLine line: String) -> [String] {
        let characters = Array(line)
        var numbers = [String](), index = 0
        while index < characters.count {
            let before = index > 0 ? characters[index - 1] : " "
            // A sign after a letter joins an identifier ("CC-BY-4.0", "SHA-256"), not a number.
            let inIdentifier = ["+", "-"].contains(before) && index > 1 && characters[index - 2].isLetter
            guard characters[index].isNumber, !(before.isLetter || before.isNumber || before == "." || before == "_" || inIdentifier) else {
                index += 1
                continue
            }
            var end = index
            while end < characters.count, characters[end].isNumber { end += 1 }
            if end + 1 < characters.count, characters[end] == ".", characters[end + 1].isNumber {
                end += 1
                while end < characters.count, characters[end].isNumber { end += 1 }
            }
            var token = String(characters[index..<end])
            if ["+", "-", "−"].contains(before) { token = String(before) + token }
            let rest = String(characters[end...])
            if rest.hasPrefix("%") { token += "%" } else if rest.hasPrefix(" pp") { token += " pp" }
            let isTiming = rest.hasPrefix(" s") && (rest.count == 2 || !rest.dropFirst(2).first!.isLetter)
            let followedByWord = rest.first.map { $0.isLetter || $0 == "_" } ?? false
            if !isTiming, !followedByWord, token.contains(".") || token.hasSuffix("%") || token.hasSuffix(" pp") {
                numbers.append(token)
            }
            index = end
        }
        return numbers
    }

    @Test func theTokenizerFindsResultNumbersOnly() {
        #expect(Self.resultNumbers(inLine: "shift +22.4 pp [+20.2, +27.5], 0.73 and 35.8%; 378 runs, about 4.1 s, 2 cores")
            == ["+22.4 pp", "+20.2", "+27.5", "0.73", "35.8%"])
        #expect(Self.resultNumbers(in: "a 0.5\n```sh\nmake-report --x 0.9\n```\nb 1.00") == ["0.5", "1.00"])
        #expect(Self.resultNumbers(inLine: "licensed CC-BY-4.0, a shift of -0.5") == ["-0.5"])
    }

    @Test(arguments: documented)
    func everyNumberInTheReadmeIsInTheReport(example: String) throws {
        let folder = Self.examples.appendingPathComponent(example)
        let readme = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
        let report = try String(contentsOf: folder.appendingPathComponent("output/report.md"), encoding: .utf8)
        let reportTokens = Set(Self.resultNumbers(in: report))
        for number in Self.resultNumbers(in: readme) where !reportTokens.contains(number) {
            Issue.record("examples/\(example)/README.md quotes \(number), which its output/report.md does not show")
        }
        let reportLines = report.split(separator: "\n").map { Self.resultNumbers(inLine: String($0)) }
        for line in readme.split(separator: "\n") where line.hasPrefix("|") {
            let numbers = Self.resultNumbers(inLine: String(line))
            guard !numbers.isEmpty else { continue }
            if !reportLines.contains(where: { isSubsequence(numbers, of: $0) }) {
                Issue.record("examples/\(example)/README.md: no line of output/report.md holds the numbers of the row \(line)")
            }
        }
    }

    @Test func theExamplesThatQuoteNumbersAreChecked() {
        #expect(Self.documented.contains("attacks") && Self.documented.contains("defenses"))
    }
}

/// Whether `needle` occurs in `haystack` in order (not necessarily adjacent).
private func isSubsequence(_ needle: [String], of haystack: [String]) -> Bool {
    var remaining = needle[...]
    for token in haystack where token == remaining.first { remaining = remaining.dropFirst() }
    return remaining.isEmpty
}
