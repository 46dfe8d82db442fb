import Foundation
import Testing

/// Every number an example's README quotes is a number of that example's results. The READMEs are
/// prose written by hand; `output/report.md` is rendered from `output/results.json`, and CI checks
/// that both regenerate byte for byte from the study file. So a README number must appear, as the
/// report formats it, in the report: a decimal (0.73, +22.4), a percentage (35.8%) or a
/// percentage-point shift (+22.4 pp). Integers (counts of runs, seeds, cores) and timings ("4 s")
/// are not results and are not checked. A README table row must match one line of the report that
/// holds all of its numbers in the same order, so that a number cannot be borrowed from another
/// series' row; a table the report splits into column groups (0.0% to 7.5%, then 10.0% to 20.0%)
/// counts as one row per series (`tableRows(in:)`). A README may also quote the recorded output of
/// a committed script (a paired test the report does not compute): a number, or a table row, may
/// then be found in a `scripts/*.out` file that the README names by its path instead of the report.
/// Every phrase a README puts in double quotation marks must be the report's word for word
/// (`quotedPhrases(in:)`).
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
            // The minus sign (U+2212) of the prose and the hyphen-minus of the report are one sign.
            if ["+", "-", "−"].contains(before) { token = (before == "−" ? "-" : String(before)) + token }
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
        #expect(Self.resultNumbers(inLine: "a gap of −0.133 (−0.158 to +0.2)") == ["-0.133", "-0.158", "+0.2"])
    }

    /// The committed script outputs (`scripts/NAME.out`) that `readme` names by path, in order of
    /// first mention.
    static func namedScriptOutputs(in readme: String) -> [String] {
        var names = [String]()
        var rest = readme[...]
        while let start = rest.range(of: "scripts/") {
            var name = rest[start.upperBound...].prefix { $0.isLetter || $0.isNumber || "_.-".contains($0) }
            while name.hasSuffix(".") { name = name.dropLast() }  // a sentence's full stop
            if name.hasSuffix(".out"), !names.contains("scripts/" + name) { names.append("scripts/" + name) }
            rest = rest[start.upperBound...]
        }
        return names
    }

    /// Every number cell of a points.csv `text` with three decimals, as the report prints a mean or a
    /// standard deviation, one per line.
    static func pointsAsPrinted(_ text: String) -> String {
        text.split(separator: "\n").dropFirst().flatMap { $0.split(separator: ",") }
            .compactMap { Double($0) }.map { String(format: "%.3f", $0) }.joined(separator: "\n")
    }

    @Test func aReadmeMayQuotePointsCSVAsTheReportPrintsIt() {
        let points = "series,label,detectionAUROC_mean,detectionAUROC_std\n3,\"MLP 64\",0.05836,0.00491\n"
        let outputs = [(path: "output/points.csv", text: Self.pointsAsPrinted(points))]
        #expect(Self.unsupportedNumbers(readme: "AUROC 0.058 ± 0.005", report: "", outputs: outputs).isEmpty)
        #expect(Self.unsupportedNumbers(readme: "AUROC 0.059 ± 0.005", report: "", outputs: outputs).count == 1)
    }

    @Test func theScriptOutputsAReadmeNamesAreFound() {
        #expect(Self.namedScriptOutputs(in: "see `scripts/a_b.out`; scripts/a_b.py, and scripts/c.out.")
            == ["scripts/a_b.out", "scripts/c.out"])
    }

    /// The result numbers of each table row of `text`, with the rows of one section (up to the next
    /// "## " heading) that share their first cell joined in order: a wide table that the report
    /// splits into column groups is read back as one row per series.
    static func tableRows(in text: String) -> [[String]] {
        var rows = [[String]](), section = [String: Int]()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("## ") { section = [:]; continue }
            guard line.hasPrefix("|") else { continue }
            let firstCell = String(line.dropFirst().prefix { $0 != "|" })
            if let index = section[firstCell] {
                rows[index] += resultNumbers(inLine: String(line))
            } else {
                section[firstCell] = rows.count
                rows.append(resultNumbers(inLine: String(line)))
            }
        }
        return rows
    }

    @Test func aTableSplitIntoColumnGroupsIsReadAsOneRowPerSeries() {
        let text = "## A\n| Series | 0.0% | 2.5% |\n| a | 0.1 | 0.2 |\n| b | 0.5 | 0.6 |\n\n| Series | 5.0% |\n| a | 0.3 |\n| b | 0.7 |\n"
            + "## B\n| a | 0.4 |\n"
        #expect(Self.tableRows(in: text) == [["0.0%", "2.5%", "5.0%"], ["0.1", "0.2", "0.3"], ["0.5", "0.6", "0.7"], ["0.4"]])
    }

    /// The issues that `everyNumberInTheReadmeIsInTheReport` records for `readme`, checked against
    /// `report` and the named script outputs `outputs` (path and text).
    static func unsupportedNumbers(readme: String, report: String, outputs: [(path: String, text: String)]) -> [String] {
        let sources = [(path: "output/report.md", text: report)] + outputs
        let tokens = Set(sources.flatMap { resultNumbers(in: $0.text) })
        var issues = [String]()
        for number in resultNumbers(in: readme) where !tokens.contains(number) {
            issues.append("quotes \(number), which neither \(sources.map(\.path).joined(separator: " nor ")) shows")
        }
        let lines = sources.flatMap { $0.text.split(separator: "\n").map { resultNumbers(inLine: String($0)) } + tableRows(in: $0.text) }
        for line in readme.split(separator: "\n") where line.hasPrefix("|") {
            let numbers = resultNumbers(inLine: String(line))
            guard !numbers.isEmpty else { continue }
            if !lines.contains(where: { isSubsequence(numbers, of: $0) }) {
                issues.append("no line of \(sources.map(\.path).joined(separator: " or ")) holds the numbers of the row \(line)")
            }
        }
        return issues
    }

    @Test func aNumberMustBeInTheReportOrANamedScriptOutput() {
        let report = "| a | 0.50 |\n", output = "| 2.5% | +0.065 (-0.001 to +0.095) |\n"
        let outputs = [(path: "scripts/x.out", text: output)]
        #expect(Self.unsupportedNumbers(readme: "| 2.5% | +0.065 (−0.001 to +0.095) |\nand 0.50", report: report, outputs: outputs).isEmpty)
        // A made-up number, in prose or in a row, is caught; so is a number of the output that the README does not name.
        #expect(Self.unsupportedNumbers(readme: "and 0.51", report: report, outputs: outputs)
            == ["quotes 0.51, which neither output/report.md nor scripts/x.out shows"])
        #expect(Self.unsupportedNumbers(readme: "| 2.5% | +0.066 |", report: report, outputs: outputs).count == 2)
        #expect(Self.unsupportedNumbers(readme: "+0.065", report: report, outputs: []).count == 1)
        // Numbers of one row must come from one line (or one series' split row), in order.
        #expect(Self.unsupportedNumbers(readme: "| +0.065 | 0.50 |", report: report, outputs: outputs)
            == ["no line of output/report.md or scripts/x.out holds the numbers of the row | +0.065 | 0.50 |"])
        let split = "## S\n| a | 0.1 |\n| b | 0.2 |\n\n| a | 0.3 |\n"
        #expect(Self.unsupportedNumbers(readme: "| a | 0.1 | 0.3 |", report: split, outputs: []).isEmpty)
        #expect(Self.unsupportedNumbers(readme: "| a | 0.1 | 0.2 |", report: split, outputs: []).count == 1)
    }

    @Test(arguments: documented)
    func everyNumberInTheReadmeIsInTheReport(example: String) throws {
        let folder = Self.examples.appendingPathComponent(example)
        let readme = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
        let report = try String(contentsOf: folder.appendingPathComponent("output/report.md"), encoding: .utf8)
        let root = Self.examples.deletingLastPathComponent()
        var outputs = [(path: String, text: String)]()
        for path in Self.namedScriptOutputs(in: readme) {
            guard let text = try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8) else {
                Issue.record("examples/\(example)/README.md names \(path), which is not committed")
                continue
            }
            outputs.append((path, text))
        }
        // A large study's report leaves its tables by fraction to points.csv: a README that names it
        // may quote that file's means and standard deviations, each as the report would print it.
        if readme.contains("points.csv"),
           let points = try? String(contentsOf: folder.appendingPathComponent("output/points.csv"), encoding: .utf8) {
            outputs.append(("output/points.csv", Self.pointsAsPrinted(points)))
        }
        for issue in Self.unsupportedNumbers(readme: readme, report: report, outputs: outputs) {
            Issue.record("examples/\(example)/README.md \(issue)")
        }
    }

    /// The phrases `readme` quotes from its report: text in double quotation marks ("…" or “…”),
    /// outside fenced code blocks and inline code spans, in a sentence that names the report before
    /// the quote and says it is its words ("the report says", "the report's opening reads", "in the
    /// report's words": the word "report", then says, reads, calls, states, opens or
    /// words). A quote that leaves words out marks the gap with an ellipsis ("...", "…"), and each
    /// part is a phrase of its own. Quotes of the paper, the issue or a title are not the report's.
    static func quotedPhrases(in readme: String) -> [String] {
        var phrases = [String](), inCode = false, paragraph = ""
        let saying = ["says", "reads", "calls", "states", "opens", "words"]
        /// Whether the sentence that ends in `before` (from its last ". ") names the report, then a verb of saying.
        func claimsReport(_ before: String) -> Bool {
            let sentence = before.components(separatedBy: ". ").last ?? before
            guard let report = sentence.range(of: "report", options: .caseInsensitive) else { return false }
            let words = sentence[report.upperBound...].split { !$0.isLetter }.map { $0.lowercased() }
            return words.contains { saying.contains($0) }
        }
        /// The quoted phrases of one paragraph (a quote may run across its lines).
        func flush() {
            var text = paragraph.replacingOccurrences(of: "“", with: "\"").replacingOccurrences(of: "”", with: "\"")
            // Inline code spans hold study-file text and commands, not the report's words.
            while let open = text.range(of: "`"), let close = text.range(of: "`", range: open.upperBound..<text.endIndex) {
                text.replaceSubrange(open.lowerBound..<close.upperBound, with: " ")
            }
            let parts = text.components(separatedBy: "\"")
            var before = ""
            for (index, part) in parts.enumerated() {
                defer { before += part }
                guard index % 2 == 1, index < parts.count - 1, claimsReport(before) else { continue }
                for piece in part.replacingOccurrences(of: "…", with: "...").components(separatedBy: "...") {
                    let phrase = piece.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                    if !phrase.isEmpty { phrases.append(phrase) }
                }
            }
            paragraph = ""
        }
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { flush(); inCode.toggle(); continue }
            guard !inCode else { continue }
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("- ") || line.hasPrefix("|") || line.hasPrefix("#") { flush() }
            paragraph += " " + line
        }
        flush()
        return phrases
    }

    /// The phrases of `readme` that `report` does not hold word for word (whitespace collapsed; the
    /// first letter's case free, as a quote may start a sentence).
    static func unsupportedPhrases(readme: String, report: String) -> [String] {
        let text = report.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return quotedPhrases(in: readme).filter { phrase in
            let rest = phrase.dropFirst()
            return !text.contains(phrase) && !text.contains(phrase.prefix(1).lowercased() + rest) && !text.contains(phrase.prefix(1).uppercased() + rest)
        }
    }

    @Test func aQuotedPhraseMustBeTheReportsWordForWord() {
        let report = "- Outside the paper's setting: a network, and a spike at chance\nmay be confidence; what these runs show: at no swept d."
        #expect(Self.quotedPhrases(in: "The report says \"outside the paper's\nsetting\" and `--title \"x\"`.\n```\n\"code\"\n```\n"
            + "Its opening, the report's words: “what these runs show: … no swept d”")
            == ["outside the paper's setting", "what these runs show:", "no swept d"])
        #expect(Self.unsupportedPhrases(readme: "The report says \"Outside the paper's setting\", then \"a spike at chance may be confidence\".",
                                        report: report).isEmpty)
        #expect(Self.unsupportedPhrases(readme: "The report says \"these runs contradict the claim\".", report: report)
            == ["these runs contradict the claim"])
        #expect(Self.unsupportedPhrases(readme: "In the report's words, \"at no swept\nd\".", report: report).isEmpty)
        // Quotes the README does not attribute to the report (the paper's words, a title, a verdict's name) are not checked.
        #expect(Self.quotedPhrases(in: "The paper says \"the spike vanishes\". The report lists it. Read it as \"above 12.6%\".").isEmpty)
    }

    @Test(arguments: documented)
    func everyQuotedPhraseInTheReadmeIsInTheReport(example: String) throws {
        let folder = Self.examples.appendingPathComponent(example)
        let readme = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
        let report = try String(contentsOf: folder.appendingPathComponent("output/report.md"), encoding: .utf8)
        for phrase in Self.unsupportedPhrases(readme: readme, report: report) {
            Issue.record("examples/\(example)/README.md quotes \"\(phrase)\", which output/report.md does not say")
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
