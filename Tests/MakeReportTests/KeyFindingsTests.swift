import Testing
@testable import MakeReport

/// What `run` and `merge` print of the findings: all of them while they fit in
/// `keyFindingsCharacterLimit` characters, else the opening summary and where the rest are.
struct KeyFindingsTests {
    let header = "Key findings (640 runs, 1.00 s):"

    /// The characters `lines` take printed one per line, line ends included.
    func printed(_ lines: [String]) -> Int { lines.reduce(0) { $0 + $1.count + 1 } }

    @Test func fewFindingsArePrintedWhole() {
        let lines = keyFindingsLines(header: header, sequentialSummary: "Stopped after 4 seeds.", findings: ["A.", "B."],
                                     openingSummary: "Summary.", reportPath: "output/report.md")
        #expect(lines == [header, "  - Stopped after 4 seeds.", "  - A.", "  - B."])
    }

    /// The limit is inclusive: lines that take exactly `limit` characters are printed whole, one more
    /// character and the summary replaces them.
    @Test func theLimitCountsEveryCharacterAndLineEnd() {
        let limit = 200
        // header + 1, then "  - " + finding + 1 per finding.
        let room = limit - (header.count + 1) - 2 * ("  - ".count + 1)
        let exact = [String(repeating: "é", count: room / 2), String(repeating: "x", count: room - room / 2)]
        let whole = keyFindingsLines(header: header, sequentialSummary: nil, findings: exact, openingSummary: "S.",
                                     reportPath: "out/report.md", limit: limit)
        #expect(printed(whole) == limit)
        #expect(whole == [header] + exact.map { "  - " + $0 })
        let over = keyFindingsLines(header: header, sequentialSummary: nil, findings: [exact[0], exact[1] + "y"], openingSummary: "S.",
                                    reportPath: "out/report.md", limit: limit)
        #expect(over == [header, "  - S.", "  2 more findings in out/report.md"])
    }

    /// A 64-series study's findings (about 870 characters each, 55,000 in all) print as the header,
    /// the summary and one line, under the limit; every finding and the sequential summary are counted.
    @Test func manyFindingsPrintTheSummaryAndWhereTheRestAre() {
        let findings = (0..<64).map { "Series \($0): " + String(repeating: "the threshold and its interval; ", count: 27) }
        #expect(printed([header] + findings.map { "  - " + $0 }) > 55_000)
        let summary = String(repeating: "An opening of about 120 words. ", count: 24)
        let lines = keyFindingsLines(header: header, sequentialSummary: "Stopped at look 3.", findings: findings, openingSummary: summary,
                                     reportPath: "/tmp/study/report.md")
        #expect(lines == [header, "  - " + summary, "  65 more findings in /tmp/study/report.md"])
        #expect(printed(lines) <= keyFindingsCharacterLimit)
        let one = keyFindingsLines(header: header, sequentialSummary: nil, findings: [String(repeating: "z", count: 6_000)],
                                   openingSummary: "S.", reportPath: "r.md")
        #expect(one.last == "  1 more finding in r.md")
    }

    /// Review of issue 22, finding 5: examples/digits printed about 1,000 characters per model. A long
    /// finding is cut after its last whole sentence within the item limit, and the last line says where
    /// the full text is; a short one is printed as it is.
    @Test func aLongFindingIsCutAfterItsLastWholeSentence() {
        let first = "The runs do not decide whether the transition is sharp.", second = " MLP 32: k = 4.45 (95% CI 2.1 to 9.0); "
        let long = first + second + String(repeating: "these seven fractions cannot tell ", count: 20) + "apart."
        #expect(shortenedFinding(long, limit: 100) == first + " …")
        #expect(shortenedFinding("Short. Finding.", limit: 100) == "Short. Finding.")
        // No sentence ends within the limit: cut at the last space, never inside a word.
        let words = String(repeating: "word ", count: 40)
        let cut = shortenedFinding(words, limit: 23)
        #expect(cut == "word word word word…" && cut.count <= 23)
        let lines = keyFindingsLines(header: header, sequentialSummary: nil, findings: [long, "B."], openingSummary: "S.",
                                     reportPath: "out/report.md", itemLimit: 100)
        #expect(lines == [header, "  - " + first + " …", "  - B.", "  (shortened; every finding in full in out/report.md)"])
        #expect(lines.allSatisfy { $0.count <= 100 + 4 })
    }

    @Test func theReaderIsSentToTheMarkdownReportElseTheFirstWritten() {
        #expect(keyFindingsReportPath(folder: "/a/output", reports: ["report.tex", "report.md", "report.html"]) == "/a/output/report.md")
        #expect(keyFindingsReportPath(folder: "/a/output/", reports: ["report.html"]) == "/a/output/report.html")
        #expect(keyFindingsReportPath(folder: "/a/output", reports: []) == "/a/output")
    }
}
