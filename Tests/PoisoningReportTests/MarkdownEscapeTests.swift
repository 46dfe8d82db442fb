import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// The Markdown report's one escaping function: every text a user wrote (a title, a label, a CSV
/// column, class or file name, a study name) renders as written, whatever Markdown it holds.
struct MarkdownEscapeTests {
    /// The texts of Golden/markdown-escapes.json, with the Markdown that
    /// scripts/markdown_escape_check.py checked renders each as written in every place a template
    /// puts text (its verdicts in Golden/markdown-escapes.out).
    @Test func escapesAreThoseAnIndependentRendererShowsAsWritten() throws {
        struct Cases: Decodable {
            struct Case: Decodable { let text: String, markdown: String, cell: String? }
            let cases: [Case]
        }
        let url = try #require(Bundle.module.url(forResource: "Golden/markdown-escapes.json", withExtension: nil))
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: url)).cases
        #expect(cases.count == 52 && cases.filter { $0.cell != nil }.count == 3)
        for entry in cases {
            #expect(ReportFormat.markdown.escape(entry.text) == entry.markdown, "\(entry.text.debugDescription)")
            // In a table's cell a bound keeps its leading ">"; any other text is escaped as anywhere.
            #expect(ReportFormat.markdown.definition.escapeCell(entry.text) == entry.cell ?? entry.markdown, "\(entry.text.debugDescription)")
        }
        let verdicts = try String(contentsOf: #require(Bundle.module.url(forResource: "Golden/markdown-escapes.out", withExtension: nil)),
                                  encoding: .utf8)
        #expect(verdicts.hasSuffix(": 0 failing\n") && !verdicts.contains("FAIL"))
        // Text with nothing to escape is the text itself.
        #expect(ReportFormat.markdown.escape("MLP 64, fraction 0.10") == "MLP 64, fraction 0.10")
    }

    /// Names shown as code (the studies `compare` compares): a span they cannot close, shown exactly.
    @Test func codeSpansHoldAnyName() {
        #expect(markdownCodeSpan("output/results.json") == "`output/results.json`")
        #expect(markdownCodeSpan("a`b``c|*_") == "```a`b``c|*_```")
        #expect(markdownCodeSpan("`tick") == "`` `tick ``" && markdownCodeSpan(" a ") == "`  a  `" && markdownCodeSpan("  ") == "`  `")
    }

    /// A title, CSV file, label column, class labels and claim source full of Markdown.
    static let hostile = "# *Title* _with_ `code`, [a link](http://example.com) <b>bold</b> | pipe ~~gone~~ \\ #"

    /// Results of a CSV study whose title, file name, label column, class labels and claim source are
    /// all Markdown-hostile, with made-up runs (the report's text does not depend on how they were trained).
    static func hostileResults() throws -> StudyResults {
        try hostileCSVStudyResults(title: hostile, folderName: "markdown-hostile", fileName: "*data* [x](y) `z`.csv",
                                   labelColumn: "- _label_ | column", labels: (even: "1. *first*", odd: "> [second](u)"))
    }

    /// The report of `results` in `format`, rendered from its shipped template.
    static func report(_ results: StudyResults, _ format: ReportFormat) throws -> String {
        try renderReport(template: format.definition.shippedTemplate.text, fileName: format.reportFileName,
                         context: reportContext(for: results, format: format, settings: ReportSettings(command: "make-report", figureExtension: "png")),
                         strict: true).text
    }

    /// Math, URLs, ligatures and backslashes in a study's title and data file's path: each format
    /// shows them as written (review r22b, finding 9): no `$...$` math and no link in report.md, no
    /// dash, quote or guillemet ligature in report.tex, and the path's backslash once everywhere (the
    /// study file's escape of it, a doubled backslash, used to be shown).
    @Test func mathURLsLigaturesAndBackslashesShowAsWritten() throws {
        let title = "$x$ of https://example.com and www.example.org -- ``q'' << >>"
        let results = try hostileCSVStudyResults(title: title, folderName: "math-url-hostile", fileName: #"a\b.csv"#, labelColumn: "y",
                                                 labels: (even: "0", odd: "1"))
        let markdown = try Self.report(results, .markdown)
        #expect(markdown.hasPrefix(#"# \$x\$ of https\://example.com and www\.example.org -- \`\`q'' &lt;< >>"# + "\n"),
                "\(markdown.prefix(120))")
        #expect(markdown.contains(#"a\\b.csv""#), "the path's one backslash, escaped once for Markdown")
        let latex = try Self.report(results, .latex)
        #expect(latex.contains(#"\title{\$x\$ of https://example.com and www.example.org -{}- \textasciigrave{}\textasciigrave{}q'{}' <{}< >{}>}"#))
        // A long path may break after its separators (`\allowbreak{}`, LaTeXCharacters): read without them.
        let unbroken = latex.replacingOccurrences(of: #"\allowbreak{}"#, with: "")
        #expect(unbroken.contains(#"a\textbackslash{}b.csv""#) && !unbroken.contains(#"\textbackslash{}\textbackslash{}"#))
        let html = try Self.report(results, ReportFormat(rawValue: "html")!)
        #expect(html.contains(#"a\b.csv&quot;"#) && !html.contains(#"a\\b"#))
    }

    @Test func hostileStringsRenderAsWrittenInEveryFormat() throws {
        let results = try Self.hostileResults()
        let markdown = try Self.report(results, .markdown)
        // The title is the heading's text, every special escaped, the closing '#' too (a renderer would drop it).
        #expect(markdown.hasPrefix("# \\# \\*Title\\* \\_with\\_ \\`code\\`, \\[a link\\](http\\://example.com) &lt;b>bold&lt;/b> \\| pipe "
            + "\\~\\~gone\\~\\~ \\\\ \\#\n"), "\(markdown.prefix(200))")
        // The file name and the claim source are escaped wherever they appear; no raw form is left.
        #expect(markdown.contains("\\*data\\* \\[x\\](y) \\`z\\`.csv"))
        #expect(markdown.contains("\\_label\\_ \\| column"), "the label column is named escaped")
        for raw in ["*Title*", "_with_", "`code`", "[a link](", "<b>", "~~gone~~", "*data*", "`z`", "_label_"] {
            #expect(!markdown.contains(raw), "report.md holds \(raw) unescaped")
        }
        // LaTeX and HTML hold the same strings escaped for their own languages.
        let latex = try Self.report(results, .latex)
        let title = ReportFormat.latex.escape(Self.hostile)
        #expect(latex.contains("\\title{\(title)}"))
        // Every LaTeX special of the title is escaped: none stands without its backslash.
        let withoutEscapes = title.replacingOccurrences(of: #"\\[#_&%$^~]"#, with: "", options: .regularExpression)
        #expect(!withoutEscapes.contains(where: "#_&%$^~".contains), "\(title)")
        #expect(title.hasPrefix(##"\# *Title* \_with\_"##))
        let html = try Self.report(results, ReportFormat(rawValue: "html")!)
        #expect(html.contains("<title># *Title* _with_ `code`, [a link](http://example.com) &lt;b&gt;bold&lt;/b&gt; | pipe ~~gone~~ \\ #"))
        #expect(!html.contains("<b>bold"))
    }
}
