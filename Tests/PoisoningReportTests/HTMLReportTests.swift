import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// The HTML report: every user string escaped, in text and in attributes, so that no study title,
/// data file, class label or claim source can add markup to the page.
struct HTMLReportTests {
    static let hostile = #"<script>alert('x')</script> "quoted" & 'single' </style> ]]> javascript:alert(1) <img src=x onerror=alert(2)>"#
    static let html = ReportFormat(rawValue: "html")!

    /// Results of a CSV study whose title, file name, class labels, claim source and label column are
    /// all hostile, with made-up runs (the report's text does not depend on how they were trained).
    static func hostileResults() throws -> StudyResults {
        // A file name cannot hold "/", so the hostile name closes its tag with a backslash.
        try hostileCSVStudyResults(title: hostile, folderName: "html-hostile", fileName: #"<script>alert("file")<\script> & 'x'.csv"#,
                                   labelColumn: "<b onclick=alert(3)>class</b>",
                                   labels: (even: "<script>alert(1)</script>", odd: "</td><img src=x onerror=alert(2)>"))
    }

    /// The names of the tags that open elements in `html`, in order: `<name` where a tag can start.
    static func openingTags(_ html: String) -> [String] {
        let pattern = try! Regex(#"<([A-Za-z][A-Za-z0-9-]*)"#)
        return html.matches(of: pattern).map { String(html[$0.range].dropFirst()).lowercased() }
    }

    /// Markdown renderers (pandoc, GitHub) pass raw HTML through, so the Markdown report escapes
    /// `<` and `&` in every user string too: the hostile strings open no tag there either.
    @Test func hostileStringsAddNoMarkupToTheMarkdownReport() throws {
        let results = try Self.hostileResults()
        let report = try renderReport(template: ShippedTemplate.markdown.text, fileName: "report.md",
                                      context: reportContext(for: results, format: .markdown, settings: ReportSettings(command: "make-report", figureExtension: "png")),
                                      strict: true).text
        #expect(report.hasPrefix(#"# &lt;script>alert('x')&lt;/script> "quoted" &amp; 'single' &lt;/style> \]\]> javascript:alert(1) "#
            + "&lt;img src=x onerror=alert(2)>\n"))
        #expect(report.contains(#"&lt;script>alert("file")&lt;\\script> &amp; 'x'.csv"#))
        #expect(Self.openingTags(report).isEmpty, "\(Self.openingTags(report))")
    }

    @Test func hostileStringsAddNoMarkup() throws {
        let results = try Self.hostileResults()
        let command = "make-report --study '\(Self.hostile)'"
        let shipped = ShippedTemplate.html.text
        let report = try renderReport(template: shipped, fileName: "report.html",
                                      context: reportContext(for: results, format: Self.html, settings: ReportSettings(command: command, figureExtension: "png")),
                                      strict: true).text
        // The strings are in the page, as text.
        #expect(report.contains("<title>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;quoted&quot; &amp; &#39;single&#39; &lt;/style&gt; ]]&gt; javascript:alert(1)"))
        #expect(report.contains("&lt;script&gt;alert(&quot;file&quot;)&lt;\\script&gt; &amp; &#39;x&#39;.csv"))
        #expect(report.contains("<pre><code>make-report --study &#39;&lt;script&gt;"))
        // Parse level: the page opens exactly the elements the template opens, in the same number
        // (one script, one style), and no attribute of an element holds an event handler or a
        // javascript: URL.
        let expected = Self.openingTags(shipped.replacingOccurrences(of: #"\{\{[^}]*\}\}"#, with: "", options: .regularExpression))
        let tags = Self.openingTags(report)
        #expect(Set(tags).isSubset(of: Set(expected)), "\(Set(tags).subtracting(expected))")
        #expect(tags.filter { $0 == "script" }.count == 1 && tags.filter { $0 == "style" }.count == 1)
        #expect(report.components(separatedBy: "</script").count == 2 && report.components(separatedBy: "</style").count == 2)
        let attributes = try Regex(#"<[a-z][^>]*\s(on[a-z]+|href|src)\s*=\s*"?\s*(javascript:)?"#)
        for match in report.matches(of: attributes) {
            let tag = String(report[match.range])
            #expect(!tag.contains(" on") && !tag.hasSuffix("javascript:"), "\(tag)")
        }
    }

    @Test func escapingCoversTextAndAttributes() {
        #expect(Self.html.escape(#"<a href="x" title='y'>&amp;</a>"#)
            == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;")
        // Verbatim values are escaped too in HTML, where nothing is read verbatim.
        #expect(Self.html.definition.escapeVerbatim("</code><script>") == "&lt;/code&gt;&lt;script&gt;")
        #expect(ReportFormat.markdown.definition.escapeVerbatim("a|b`c") == "a|b`c")
    }

    @Test func figuresAreEmbeddedWithTheirCaptionsAndEverySectionHasAContentsEntry() throws {
        let report = try renderReport(template: ShippedTemplate.html.text, fileName: "report.html",
                                      context: templateContext(ReportModel(fixedResults(), command: "make-report"), format: Self.html) {
                                          "data:image/png;base64,\($0.name)"
                                      }, strict: true).text
        #expect(report.contains(#"<figure id="fig:accuracy-vs-poison">"# + "\n" + #"<img src="data:image/png;base64,accuracy_vs_poison" alt="Clean test accuracy"#))
        #expect(report.components(separatedBy: "<figcaption>").count == 4)
        // Every section heading has an id that the table of contents links to, and the other way round.
        let ids = report.matches(of: try Regex(#"<h2 id="([a-z0-9-]+)">"#)).map { String(report[$0.range].dropFirst(8).dropLast(2)) }
        let links = report.matches(of: try Regex(##"<li><a href="#([a-z0-9-]+)">"##)).map { String(report[$0.range].dropFirst(14).dropLast(2)) }
        #expect(ids.count >= 9 && ids == links)
        // The sections are the Markdown report's, in its order.
        let markdown = try renderReport(template: ShippedTemplate.markdown.text, fileName: "report.md",
                                        context: reportContext(for: fixedResults(), format: .markdown,
                                                               settings: ReportSettings(command: "make-report", figureExtension: "png")),
                                        strict: true).text
        let markdownSections = markdown.split(separator: "\n").filter { $0.hasPrefix("## ") }.map { String($0.dropFirst(3)) }
        let htmlSections = report.matches(of: try Regex(#"<h2 id="[a-z0-9-]+">([^<]*)</h2>"#)).map {
            String(report[$0.range].split(separator: ">")[1].dropLast(4))
        }
        #expect(htmlSections == markdownSections)
    }
}
