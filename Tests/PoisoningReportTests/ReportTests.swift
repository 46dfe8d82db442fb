import Foundation
import Mustache
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
import PoisoningFigures
@testable import PoisoningReport

/// A fixed study: two widths whose accuracy follows known sigmoids, one diverged run, a name with
/// LaTeX specials in the command line, and made-up published claims that this run supports (MLP 16's
/// threshold, larger models more sensitive), contradicts (MLP 64's) and leaves unresolved (a sharp
/// transition, which 6 fractions cannot decide).
func fixedResults() -> StudyResults {
    let claims = PublishedClaims(source: "a made-up paper & co.", thresholds: [ClaimedThreshold(series: "MLP 16", fraction: 0.36),
                                                                              ClaimedThreshold(series: "MLP 64", fraction: 0.35)],
                                 sharpTransition: true, largerModelsMoreSensitive: true)
    let study = try! Study(StudyConfig(models: [16, 64].map(StudyConfig.mlp), fractions: [0, 0.1, 0.2, 0.3, 0.4, 0.5], seeds: [1, 2],
                                       training: TrainingSettings(epochs: 50), claims: claims))
    let runs = study.runSpecs.map { spec -> RunResult in
        if spec.series == 1 && spec.fraction == 0.5 && spec.seed == 2 {
            return RunResult(fraction: 0.5, series: 1, seed: 2, poisonedCount: 175, realisedFraction: 0.5, metrics: nil,
                             divergence: "run MLP 64, fraction 0.5, seed 2 diverged: training loss became non-finite at epoch 7 with learning rate 0.05")
        }
        let midpoint = spec.series == 0 ? 0.35 : 0.25
        let curve = SigmoidParameters(amplitude: 0.7, steepness: 10, midpoint: midpoint, floor: 0.2)
        let test = curve.value(at: spec.fraction) + (spec.seed == 1 ? 0.01 : -0.01)
        let train = 1 - 0.4 * spec.fraction
        return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed,
                         poisonedCount: poisonCount(fraction: spec.fraction, of: 350),
                         realisedFraction: spec.fraction,
                         metrics: runMetrics(test: test, train: train, trainClean: 0.95, loss: 0.3), divergence: nil)
    }
    return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
}

extension ShippedTemplate {
    /// The shipped Markdown template.
    static var markdown: ShippedTemplate { ReportFormat.markdown.definition.shippedTemplate }
    /// The shipped HTML template.
    static var html: ShippedTemplate { ReportFormat(rawValue: "html")!.definition.shippedTemplate }
}

/// The engine's SplitMix64 as a `RandomNumberGenerator`, for reproducible random templates.
struct SeededGenerator: RandomNumberGenerator {
    var generator: SplitMix64
    init(_ generator: SplitMix64) { self.generator = generator }
    mutating func next() -> UInt64 { generator.next() }
}

struct ShippedTemplateTests {
    @Test(arguments: ShippedTemplate.allCases)
    func rendersTheGoldenReport(template: ShippedTemplate) throws {
        let format = try #require(ReportFormat(fileName: template.fileName))
        let context = reportContext(for: fixedResults(), format: format, settings: ReportSettings(
            command: "make-report --widths 16,64 --output out_dir", figureExtension: format == .latex ? "pdf" : "png"))
        let report = try renderReport(template: template.text, fileName: template.fileName, context: context,
                                      strict: true)
        #expect(report.unknownVariables.isEmpty)
        let goldenName = "report.\(format.rawValue)"
        let golden = try String(contentsOf: #require(Bundle.module.url(forResource: "Golden/\(goldenName)", withExtension: nil)),
                                encoding: .utf8)
        if report.text != golden {
            let actual = FileManager.default.temporaryDirectory.appendingPathComponent(goldenName)
            try report.text.write(to: actual, atomically: true, encoding: .utf8)
            Issue.record("\(goldenName) differs from Tests/PoisoningReportTests/Golden/\(goldenName); rendered: \(actual.path)")
        }
    }

    @Test func everyContextNameIsDocumentedInTheTemplatesReadme() throws {
        let readme = try String(contentsOfFile: #filePath.replacingOccurrences(
            of: "Tests/PoisoningReportTests/ReportTests.swift", with: "Sources/PoisoningReport/templates/README.md"), encoding: .utf8)
        let context = reportContext(for: fixedResults(), format: .markdown,
                                    settings: ReportSettings(command: "make-report", figureExtension: "png"))
        guard case let .object(names) = context else { Issue.record("the context is not an object"); return }
        for (name, value) in names {
            #expect(readme.contains("`\(name)`"), "templates/README.md does not document \(name)")
            for case let .object(item) in value.list ?? [] {
                for key in item.keys { #expect(readme.contains("`\(key)`"), "templates/README.md does not document \(name).\(key)") }
            }
        }
    }
}

struct EscapingTests {
    @Test func latexSpecialsAreEscaped() {
        #expect(ReportFormat.latex.escape(##"50% of $x_1 & {a} #2 ~^\"##)
            == ##"50\% of \$x\_1 \& \{a\} \#2 \textasciitilde{}\textasciicircum{}\textbackslash{}"##)
    }

    @Test func unicodeSymbolsBecomeLatexCommands() {
        #expect(ReportFormat.latex.escape("0.185 ± 0.053, R² — −0.1")
            == #"0.185 \ensuremath{\pm} 0.053, R\textsuperscript{2} --- \ensuremath{-}0.1"#)
    }

    @Test func metricNamesKeepTheirAcronymsInRunningText() {
        #expect(inRunningText("Attacker's SVM validation error") == "attacker's SVM validation error")
        #expect(inRunningText("Attack success (excess over clean)") == "attack success (excess over clean)")
        #expect(inRunningText("A") == "a")
    }

    @Test func markdownEscapesTableBarsBackslashesAndHTML() {
        #expect(ReportFormat.markdown.escape(#"a | b \ c"#) == #"a \| b \\ c"#)
        #expect(ReportFormat.markdown.escape(#"<script>alert("x")</script> & &amp; p < 0.05"#)
            == #"&lt;script>alert("x")&lt;/script> &amp; &amp;amp; p < 0.05"#, "a < before a blank opens no tag")
    }

    @Test(arguments: ReportFormat.allCases) func textWithNothingToEscapeIsReturnedUnchanged(format: ReportFormat) {
        // LaTeX writes what pdflatex cannot typeset (日本語, a lone combining accent) as [U+XXXX]
        // (`LaTeXEscapeTests`), so its plain Unicode is the Latin-1 letters only; it braces brackets and
        // lets a word longer than 20 characters break after "/", "_", "." and "-".
        let plainUnicode = format == .latex ? "naïve café, façade" : "naïve café, 日本語, x\u{301}"
        for text in ["", format == .latex ? "MLP 16, random flips: 35.6 (31.2 to 40.0) at 0.5" : "MLP 16, random flips: 35.6 [31.2, 40.0] at 0.5", plainUnicode, format == .latex ? "data:image/png" : "data:image/png;base64,iVBORw0KGgo="] {
            #expect(format.escape(text) == text)
            #expect(format.definition.escapeVerbatim(text) == text)
        }
    }

    @Test func specialsAtEitherEndAndBesidePlainUnicodeAreEscaped() {
        #expect(ReportFormat.markdown.escape("|naïve<") == #"\|naïve&lt;"#)
        #expect(ReportFormat.latex.escape("_naïve ≤") == #"\_naïve \ensuremath{\leq}"#)
        #expect(ReportFormat.latex.escape("±") == #"\ensuremath{\pm}"#)
        #expect(ReportFormat(rawValue: "html")!.escape("'naïve&") == "&#39;naïve&amp;")
    }

    @Test func contextStringsAreEscapedForLatex() throws {
        let context = reportContext(for: fixedResults(), format: .latex,
                                    settings: ReportSettings(command: "make-report --output my_dir", figureExtension: "pdf"))
        // The command's "--" parted, so that no custom template's font makes it an en dash.
        #expect(context["command"]?.text == #"make-report -{}-output my\_dir"#)
        let fits = try #require(context["fits"]?.list)
        #expect((fits[0]["threshold"]?.text)?.hasPrefix("35.6\\%") == true)
        let figures = try #require(context["figures"]?.list)
        #expect(figures[0]["file"]?.text == "figures/accuracy_vs_poison.pdf", "file names stay verbatim")
    }
}

struct TemplateCheckTests {
    let context: TemplateValue = reportContext(for: fixedResults(), format: .markdown,
                                               settings: ReportSettings(command: "make-report", figureExtension: "png"))

    @Test func parseErrorsGiveFileLineAndColumn() {
        // Column 10 is the lone "}" where "}}" should close the tag.
        #expect(throws: TemplateError.parse(file: "mine.md", line: 3, column: 10, reason: "a tag is not closed, or its name holds a character a name cannot have")) {
            try renderReport(template: "# {{title}}\n\nA {{title} broken\n", fileName: "mine.md", context: context, strict: false)
        }
        // The unclosed section is noticed at the end of the template: line 2, column 1.
        #expect(throws: TemplateError.parse(file: "mine.md", line: 2, column: 1, reason: "a section is opened but never closed")) {
            try renderReport(template: "{{#fits}}{{series}} x\n", fileName: "mine.md", context: context, strict: false)
        }
    }

    @Test func deepNestingPartialsInheritanceAndPragmasAreRefusedBeforeParsing() {
        // 3,000 nested sections overflowed the parser's stack; the limit is checked first.
        let deep = String(repeating: "{{#fits}}", count: 3_000) + String(repeating: "{{/fits}}", count: 3_000)
        #expect(throws: TemplateError.parse(file: "t.md", line: 1, column: 1 + 9 * maximumSectionDepth,
                                            reason: "sections nest deeper than \(maximumSectionDepth) levels")) {
            try parseTemplate(deep, fileName: "t.md")
        }
        let atLimit = String(repeating: "{{#fits}}", count: maximumSectionDepth) + String(repeating: "{{/fits}}", count: maximumSectionDepth)
        #expect(throws: Never.self) { try parseTemplate(atLimit, fileName: "t.md") }
        #expect(throws: TemplateError.parse(file: "t.md", line: 2, column: 3,
                                            reason: "partials ({{> name}}) are not supported: a report template is one file")) {
            try parseTemplate("x\n  {{> /etc/passwd}}", fileName: "t.md")
        }
        #expect(throws: TemplateError.parse(file: "t.md", line: 1, column: 1,
                                            reason: "template inheritance ({{< name}}, {{$ name}}) is not supported")) {
            try parseTemplate("{{<base}}{{/base}}", fileName: "t.md")
        }
        #expect(throws: TemplateError.parse(file: "t.md", line: 1, column: 1, reason: "pragmas ({{% ...}}) are not supported")) {
            try parseTemplate("{{% CONTENT_TYPE: HTML }}", fileName: "t.md")
        }
    }

    @Test func piecesRenderAsTheWholeTemplateDoes() throws {
        // Long templates are parsed in pieces; the text must be what the Mustache parser makes of
        // the whole, whatever the sections and delimiters.
        let filler = String(repeating: "{{title}} and {{runCount}} runs\n", count: 200)
        let templates = ShippedTemplate.allCases.map(\.text) + [
            filler + "{{=<% %>=}}\n" + filler.replacingOccurrences(of: "{{", with: "<%").replacingOccurrences(of: "}}", with: "%>")
                + "<%={{ }}=%>\n" + filler,
            filler + "{{#fits}}\n" + filler + "{{series}}\n{{/fits}}\n" + filler + "{{^nothing}}x{{/nothing}}\n  {{! note }}\n" + filler,
            "{{#fits}}  {{#first()}}\n" + filler + "  {{/first()}}{{=<% %>=}}<%series%>\n  <%! c %>  x<%/fits%>{{#fits}}{{.}}{{/fits}}\n",
        ]
        for template in templates {
            let whole = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}\n" + template).render(context.mustacheValue)
            let parsed = try parseTemplate(template, fileName: "t.md")
            #expect(template.utf8.count < 4 * templatePieceLength || parsed.pieces.count > 1)
            #expect(parsed.render(context) == whole)
        }
    }

    @Test func piecesWithoutTagsAreTheTextTheParserMakesOfThem() throws {
        // A piece of the top level without a tag is not parsed: its text is what the Mustache parser
        // makes of it (blanks that end it on a line of their own dropped), for the shipped templates
        // (the HTML template's style sheet and script) and for random text of blanks, line breaks,
        // marks, lone delimiter characters and the Kelvin sign (which the parser reads as the
        // delimiter "K"), cut anywhere a piece may end.
        let fragments = [" ", "  ", "\t", "\n", "\n", "\r\n", "\r", "x", "yz", "{", "}", "<", "%", "é", "e\u{301}", "\u{301}",
                         "\u{2028}", "\u{85}", "\u{0B}", "{{x}}", "\n  {{#c}}\n", "{{/c}}", "{{=<% %>=}}", "<%x%>", "{{=K L=}}", "KxL",
                         "\u{212A}", "(", "k"]
        var random = SeededGenerator(SplitMix64(seed: 22))
        var templates = ShippedTemplate.allCases.map { ($0.text, templatePieceLength) }
        for _ in 0..<4_000 {
            let template = (0..<Int.random(in: 1...30, using: &random)).map { _ in fragments.randomElement(using: &random)! }.joined()
            templates.append((template, Int.random(in: 1...24, using: &random)))
        }
        var verbatim = (shipped: 0, all: 0, trimmed: 0)
        for (index, (template, pieceLength)) in templates.enumerated() {
            guard let scanned = try? scanTemplate(template, pieceLength: pieceLength) else { continue }
            for piece in scanned.pieces.topLevel {
                guard let text = piece.verbatimText(of: template) else { continue }
                let parsed = try MustacheTemplate(string: piece.text(of: template))
                #expect(parsed.render([String: Any]()) == text, "\(piece.text(of: template).debugDescription)")
                verbatim.all += 1
                if index < ShippedTemplate.allCases.count { verbatim.shipped += 1 }
                if text.utf8.count < template.utf8.distance(from: piece.range.lowerBound, to: piece.range.upperBound) { verbatim.trimmed += 1 }
            }
        }
        #expect(verbatim.shipped > 20 && verbatim.all > 3_000 && verbatim.trimmed > 20, "\(verbatim)")
    }

    @Test func theScanReadsTemplatesAsTheParserDoes() throws {
        // Random templates of tricky fragments, cut wherever a piece may end: each is accepted or
        // refused as the Mustache parser accepts or refuses it whole (at the same position when
        // lines end in "\n" only), and renders the same; the scan's own refusals are the only exceptions.
        let fragments = ["{{", "}}", "{{{", "}}}", "{", "}", "#", "^", "/", "!", "&", "=", "a", "b", "c", " ", "  ", "\t", "\n", "\n",
                         "\r\n", "\r", "x", "(", ")", "()", ".", "<%", "%>", "%", "{{=<% %>=}}", "<%={{ }}=%>", "{{=| |=}}", "{{=a b=}}",
                         "{{#a}}", "{{/a}}", "{{^b}}", "{{/b}}", "{{#c}}", "{{/c}}", "{{a}}", "{{x}}", "{{! c }}", "{{{x}}}", "{{&x}}",
                         "<%#a%>", "<%/a%>", "<%x%>", "|x|", "|#c|", "|/c|", "é", "e\u{301}", "\u{301}", "\u{2028}", "{{#first()}}",
                         "{{/first()}}", "{{.}}", "{{x.y}}", "{{=<%\t%>=}}", "{{=K L=}}", "K#cL", "K/cL", "KxL", "\u{212A}#cL",
                         "\u{212A}/cL", "\u{212A}", "\u{0B}", "\u{85}", "\u{1F600}", "\u{1F1FA}\u{1F1F8}", "\u{200D}", "\u{0915}\u{094D}"]
        let context: TemplateValue = ["a": .list([["x": "1"], ["x": "2", "y": "Y"]]), "b": false, "c": true, "x": "X"]
        var random = SeededGenerator(SplitMix64(seed: 19))
        var compared = (accepted: 0, refused: 0)
        for _ in 0..<6_000 {
            let template = (0..<Int.random(in: 1...40, using: &random)).map { _ in fragments.randomElement(using: &random)! }.joined()
            let pieceLength = Int.random(in: 1...24, using: &random)
            let ours = Result { try parseTemplate(template, fileName: "t.md", pieceLength: pieceLength) }
            // What the scan refuses of its own accord the parser may accept, or trap on.
            if case let .failure(TemplateError.parse(_, _, _, reason)) = ours,
               ["nest deeper", "not supported", "printable ASCII", "empty section"].contains(where: reason.contains) { continue }
            let whole = Result { try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}\n" + template) }
            switch (whole, ours) {
            case let (.success(expected), .success(parsed)):
                #expect(parsed.render(context) == expected.render(context.mustacheValue), "\(template.debugDescription)")
                compared.accepted += 1
            case let (.failure(failure), .failure(TemplateError.parse(_, line, column, reason))):
                let error = try #require(failure as? MustacheTemplate.ParserError)
                #expect(reason == parserReason(error.error as? MustacheTemplate.Error), "\(template.debugDescription)")
                if !template.contains(where: { $0.isNewline && $0 != "\n" }) {
                    #expect(line == error.context.lineNumber - 1 && column == error.context.columnNumber, "\(template.debugDescription)")
                }
                compared.refused += 1
            default:
                Issue.record("\(template.debugDescription): the parser \(whole), the scan \(ours)")
            }
        }
        #expect(compared.accepted > 1_000 && compared.refused > 1_000, "\(compared)")
    }

    @Test func setDelimiterTagsAreFollowedAsTheParserFollowsThem() {
        // Blanks the parser skips around delimiters (a tab, a line break) once hid 20,000 nested
        // sections and a partial from the nesting check; so did a delimiter change inside a section,
        // which the parser undoes when the section closes.
        for blank in ["\t", "\n", " \t "] {
            let deep = "{{=<%\(blank)%>=}}" + String(repeating: "<%#fits%>", count: 20_000) + String(repeating: "<%/fits%>", count: 20_000)
            let opening = "{{=<%\(blank)%>=}}".utf8.count
            #expect(throws: TemplateError.parse(file: "t.md", line: blank == "\n" ? 2 : 1,
                                                column: (blank == "\n" ? 6 : 1 + opening) + 9 * maximumSectionDepth,
                                                reason: "sections nest deeper than \(maximumSectionDepth) levels")) {
                try parseTemplate(deep, fileName: "t.md")
            }
            let partial = "{{=<%\(blank.replacingOccurrences(of: "\n", with: " "))%>=}}"
            #expect(throws: TemplateError.parse(file: "t.md", line: 1, column: 1 + partial.utf8.count,
                                                reason: "partials ({{> name}}) are not supported: a report template is one file")) {
                try parseTemplate(partial + "<%> /etc/passwd%>", fileName: "t.md")
            }
        }
        let undone = "{{#fits}}{{=<% %>=}}<%/fits%>" + String(repeating: "{{#fits}}", count: 101) + String(repeating: "{{/fits}}", count: 101)
        #expect(throws: TemplateError.parse(file: "t.md", line: 1, column: 30 + 9 * maximumSectionDepth,
                                            reason: "sections nest deeper than \(maximumSectionDepth) levels")) {
            try parseTemplate(undone, fileName: "t.md")
        }
        #expect(throws: TemplateError.parse(file: "t.md", line: 1, column: 1,
                                            reason: "a set-delimiter tag may set only delimiters of printable ASCII characters (e.g. {{=<% %>=}})")) {
            try parseTemplate("{{=«« »»=}}««#fits»»", fileName: "t.md")
        }
    }

    @Test func deepTransformsAndReservedNamesAreRefused() {
        // The parser recurses once per "(" of a name: 200,000 of them overflowed its stack.
        let deep = "{{" + String(repeating: "a(", count: 200_000) + "b" + String(repeating: ")", count: 200_000) + "}}"
        #expect(throws: TemplateError.parse(file: "t.md", line: 1, column: 3,
                                            reason: "transforms nest deeper than \(maximumTransformDepth) levels")) {
            try parseTemplate(deep, fileName: "t.md")
        }
        #expect(throws: TemplateError.parse(file: "t.md", line: 1, column: 4,
                                            reason: "names starting with '\(piecePlaceholderPrefix)' are reserved")) {
            try parseTemplate("{{#make-report-piece-1}}{{/make-report-piece-1}}", fileName: "t.md")
        }
    }

    @Test func longLinesAreCutBetweenTagsAtEveryDepth() throws {
        // 50,000 tags on one line, at the top level and inside a section: cut into pieces (the
        // parser is quadratic in what it parses at once; the hostile cases time it), same text.
        let title = try #require(context["title"]?.text)
        let fits = try #require(context["fits"]?.list)
        let line = String(repeating: "{{title}} ", count: 50_000)
        let parsed = try parseTemplate(line, fileName: "t.md")
        #expect(parsed.topLevel.count > 1_000)
        #expect(parsed.render(context) == String(repeating: title + " ", count: 50_000))
        let inSection = try parseTemplate("{{#fits}}" + line + "{{/fits}}", fileName: "t.md")
        #expect(inSection.topLevel.count == 1 && inSection.pieces.count > 1_000)
        #expect(inSection.render(context) == String(repeating: String(repeating: title + " ", count: 50_000), count: fits.count))
    }

    @Test func renderingThatWouldNeverEndIsRefused() throws {
        // `figures` nested 40 deep renders 3^40 times.
        let deep = String(repeating: "{{#figures}}", count: 40) + "x" + String(repeating: "{{/figures}}", count: 40)
        let figures = try #require(context["figures"]?.list)
        // The section at which figures.count + figures.count^2 + ... passes the limit (twice the
        // limit of the check before the sweep, which forecasts with provisional results).
        var (depth, steps) = (0, 0)
        while steps <= 2 * maximumRenderSteps { (depth, steps) = (depth + 1, steps + Int(pow(Double(figures.count), Double(depth + 1)))) }
        let column = 1 + 12 * (depth - 1)
        #expect { try renderReport(template: deep, fileName: "t.md", context: context, strict: false) } throws: { error in
            guard case let TemplateError.tooLarge(file, line, found, reason) = error else { return false }
            return file == "t.md" && line == 1 && found == column && reason.hasPrefix("rendering would take about ")
        }
        // Text multiplies too: 200,000 summaries would be far more than the report may hold.
        let summaries = String(repeating: "{{summary}}", count: 200_000)
        #expect { try renderReport(template: summaries, fileName: "t.md", context: context, strict: false) } throws: { error in
            "\(error)".contains("MiB by this tag, more than 2 times the \(maximumReportBytes >> 20) MiB allowed (the margin")
        }
        // The lists results may lengthen are checked at their longest.
        let diverged = "{{#divergedRuns}}{{#divergedRuns}}x{{/divergedRuns}}{{/divergedRuns}}"
        let parsed = try parseTemplate(diverged, fileName: "t.md")
        #expect(throws: Never.self) { try checkRendering(parsed, fileName: "t.md", context: context, strict: true) }
        #expect(throws: TemplateError.self) {
            try checkRendering(parsed, fileName: "t.md", context: context, strict: true, longestLists: longestResultLists(runCount: 10_000))
        }
    }

    @Test func parseErrorsInLaterPiecesKeepTheirLine() {
        let template = String(repeating: "x {{title}}\n", count: 2_499) + "A {{title} broken\n"
        #expect(throws: TemplateError.parse(file: "t.md", line: 2_500, column: 10,
                                            reason: "a tag is not closed, or its name holds a character a name cannot have")) {
            try parseTemplate(template, fileName: "t.md")
        }
    }

    @Test func tagPositionsAreCountedInOnePass() throws {
        // 10,000 tags on one line and on 10,000 lines: positions right, and (measured by the
        // benchmark, not here) time linear in the size.
        let oneLine = try parseTemplate(String(repeating: "{{a}}", count: 10_000), fileName: "t.md").tags
        #expect(oneLine.count == 10_000 && oneLine.last?.line == 1 && oneLine.last?.column == 1 + 5 * 9_999)
        let lines = try parseTemplate(String(repeating: "x {{a}}\r\n", count: 10_000), fileName: "t.md").tags
        #expect(lines.last?.line == 10_000 && lines.last?.column == 3)
    }

    @Test func unknownVariablesAreReportedWithTheirPosition() throws {
        let template = "{{title}}\n{{#fits}}{{series}} {{slope}}{{/fits}}\n  {{nosuch.thing}} {{width}}\n"
        let report = try renderReport(template: template, fileName: "mine.md", context: context, strict: false)
        #expect(report.unknownVariables == [
            TemplateVariable(name: "slope", line: 2, column: 21),
            TemplateVariable(name: "nosuch.thing", line: 3, column: 3),
            TemplateVariable(name: "width", line: 3, column: 20),
        ])
        #expect(throws: TemplateError.self) {
            try renderReport(template: template, fileName: "mine.md", context: context, strict: true)
        }
    }

    @Test func scopingFollowsMustache() throws {
        // Outer names inside a section, sequence transforms, inverted sections, set delimiters.
        let template = """
            {{#fits}}{{title}} {{series}}{{#first()}}!{{/first()}}{{^hasFit}}{{failure}}{{/hasFit}}{{/fits}}
            {{=<% %>=}}<%#accuracyRows%><%fraction%><%#cells%><%value%><%/cells%><%/accuracyRows%><%oops%>
            """
        let report = try renderReport(template: template, fileName: "t.md", context: context, strict: false)
        #expect(report.unknownVariables == [TemplateVariable(name: "oops", line: 2, column: 87)])
        #expect(report.text.hasPrefix("Poisoning sensitivity (random label flip) of 2 models on Gaussian clusters MLP 16!"))
    }

    @Test func textIsNotHTMLEscaped() throws {
        let report = try renderReport(template: "{{summary}} <&>", fileName: "t.md", context: ["summary": "a < b & c"],
                                      strict: true)
        #expect(report.text == "a < b & c <&>")
    }
}

struct ReportContentTests {
    @Test func reportsSayWhatTheNumbersSay() throws {
        let results = fixedResults()
        let context = reportContext(for: results, format: .markdown,
                                    settings: ReportSettings(command: "make-report", figureExtension: "png"))
        let summary = try #require(context["summary"]?.text)
        // MLP 64 drops earlier (midpoint 0.25 vs 0.35): the threshold decreases with model size.
        #expect(summary.contains("Resolved: larger models are more sensitive (-4.6 pp (percentage points) per doubling of parameters, 95% CI -4.9 pp to -4.3 pp)."))
        #expect(context["hasDivergedRuns"] == .flag(true))
        let rows = try #require(context["gapRows"]?.list)
        #expect(rows.count == 6 && (rows[0]["cells"]?.list)?.count == 2)
        let parameters = try #require(context["parameters"]?.list)
        #expect(parameters.contains { $0["name"]?.text == "Epochs" && $0["value"]?.text == "50" })
    }
}

/// The findings in words follow the statistics: each claim appears exactly when its interval supports it.
struct FindingSentenceTests {
    /// Results of MLPs of widths 16, 32 and 64 whose test accuracy, over 4 seeds, follows descending
    /// sigmoids with `midpoints` (in width order) and `steepness`, a straight line 0.9 - 0.8x where
    /// `straight` is set, or a flat 0.8 where the midpoint is nil; plus a deterministic seed noise of
    /// amplitude `noise` that varies with the fraction, and a shift of up to `meanNoise` at each
    /// fraction that every seed shares (so that the means miss the curve).
    /// `models` replaces the MLPs (one per midpoint).
    func results(midpoints: [Double?], steepness: Double = 25, noise: Double = 0.004, straight: Bool = false,
                 fractions: [Double] = (0...10).map { Double($0) * 0.05 }, meanNoise: Double = 0,
                 models: [ParameterValue]? = nil) -> StudyResults {
        let study = models.map { try! Study(StudyConfig(models: $0, fractions: fractions, seeds: [1, 2, 3, 4], training: TrainingSettings(epochs: 5))) }
            ?? widthStudy([16, 32, 64].prefix(midpoints.count).map { $0 }, fractions: fractions, seeds: [1, 2, 3, 4], epochs: 5)
        let runs = study.runSpecs.map { spec in
            let i = fractions.firstIndex(of: spec.fraction)!
            let pattern = [1.0, -1.0, 0.5, -0.5][(Int(spec.seed) - 1 + i) % 4]
            let curve = midpoints[spec.series].map { SigmoidParameters(amplitude: 0.7, steepness: steepness, midpoint: $0, floor: 0.2) }
            let exact = straight ? 0.9 - 0.8 * spec.fraction : curve?.value(at: spec.fraction) ?? 0.8
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: spec.fraction,
                             metrics: runMetrics(test: exact + noise * pattern + meanNoise * sin(2.3 * Double(i)), train: 0.95, trainClean: 0.95, loss: 0.3), divergence: nil)
        }
        return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
    }

    @Test func sensitivityIsClaimedOnlyWhenTheTrendIsResolved() {
        let more = findingSentences(results(midpoints: [0.35, 0.3, 0.25]))[3]
        #expect(more.hasPrefix("Larger models are more sensitive: the threshold changes by -"))
        #expect(more.contains("Threshold differences resolved: MLP 32 vs MLP 16 -"))
        #expect(!more.contains("Not resolved"))
        #expect(findingSentences(results(midpoints: [0.25, 0.3, 0.35]))[3].hasPrefix(
            "Larger models are less sensitive: the threshold changes by +"))
        let same = findingSentences(results(midpoints: [0.3, 0.3], noise: 0.03))[3]
        #expect(same.hasPrefix("The runs do not resolve whether the threshold changes with model size: it changes by "))
        // Its interval reads 0.0 pp to 0.0 pp: an end that could decide lies within two of its (calibrated) Monte Carlo
        // errors of zero, so the pair is undetermined rather than not resolved; either way it is not claimed.
        #expect(same.contains("Not resolved: MLP 32 vs MLP 16 ") || same.contains("cannot tell whether it excludes zero): MLP 32 vs MLP 16 "), "\(same)")
        #expect(!same.contains("Threshold differences resolved"))
        #expect(!same.contains("Larger models are"))
        #expect(findingSentences(results(midpoints: [nil, 0.3]))[3]
            == "Sensitivity across model sizes cannot be compared: MLP 16 has no threshold (no fit: accuracy is 0.8 at every fraction, so there is no transition to fit).")
        #expect(findingSentences(results(midpoints: [0.3]))[3]
            == "Sensitivity across model sizes is not compared: the study has one model per attack and defense.")
        // Two models, of two kinds: no two sizes of one kind.
        #expect(findingSentences(results(midpoints: [0.35, 0.25], models: [StudyConfig.component(LogisticRegression.kind), StudyConfig.mlp(64)]))[3]
            == "Sensitivity across model sizes is not compared: sizes are compared within one model kind, and no attack and defense "
            + "has models of one kind in two sizes.")
    }

    @Test func sharpOnlyWhenTheSigmoidIsPreferredAndKIsResolvedAboveTheThreshold() {
        let steep = findingSentences(results(midpoints: [0.25], steepness: 40))[1]
        #expect(steep.hasPrefix("The transition is sharp for MLP 16: the sigmoid beats the simpler curves by an evidence ratio of "
            + "at least 10 and the whole interval of k lies above 5; k = "))
        #expect(steep.hasSuffix("evidence ratio over 1000000."))
        // A straight line beats the sigmoid by a ratio under 1/1000000, but these fractions and seeds could not have shown the
        // fitted (nearly straight) sigmoid: undecided, with the rule stated.
        let line = findingSentences(results(midpoints: [0.3], straight: true))[1]
        #expect(line.hasPrefix("The runs do not decide whether the transition is sharp (that needs the curves told apart, then k's interval on one side of 5). MLP 16: k = "))
        #expect(line.contains("a simpler curve wins with evidence ratio under 1/1000000 on its fewer parameters alone (were the "
            + "fitted sigmoid true, these fractions and seeds would be expected to give 1/"))
        // A gentle sigmoid whose means miss it (by up to 0.02): a simpler curve wins on its fewer parameters alone, and the
        // report names the design that would tell the curves apart and what a sharpness verdict also needs.
        let gentle = findingSentences(results(midpoints: [0.25], steepness: 8, noise: 0.03, meanNoise: 0.02))[1]
        #expect(gentle.hasPrefix("The runs do not decide whether the transition is sharp (that needs the curves told apart, then k's interval on one side of 5). MLP 16: k = 7.22 (95% CI 5.6 to 8.5); "
            + "these 11 fractions cannot tell the sigmoid from a line or quadratic, as a simpler curve wins with evidence ratio 1/24"))
        #expect(gentle.hasSuffix("; 41 evenly spaced fractions with 3 seeds each would tell the sigmoid from a line or quadratic in at "
            + "least 80% of studies, expected evidence ratio 489 for the fitted sigmoid; k's interval lies above 5, but the rule "
            + "decides the shape only once the curves are told apart (then sharp)."))
        let few = findingSentences(results(midpoints: [0.25], steepness: 40, fractions: [0, 0.1, 0.2, 0.3, 0.4, 0.5]))[1]
        #expect(few == "The runs do not decide whether the transition is sharp (that needs the curves told apart, then k's "
            + "interval on one side of 5). MLP 16: k = 40.00 (95% CI 37.6 to 42.9); with 6 "
            + "fractions the sigmoid cannot be compared with simpler curves, since AICc needs at least 7.")
        #expect(evidenceRatioText(1e-7) == "under 1/1000000" && evidenceRatioText(1 / 9048) == "1/9048" && evidenceRatioText(2e6) == "over 1000000")
        #expect(shapeDecision(.sharp, toldApart: true) == "sharp" && shapeDecision(.gradual, toldApart: true) == "gradual")
        #expect(shapeDecision(.undecided, toldApart: true) == "curves only" && shapeDecision(.undecided, toldApart: false) == "no")
        #expect(findingSentences(results(midpoints: [nil, 0.25]))[1].hasSuffix(" No sigmoid could be fitted for MLP 16."))
    }

    /// The sentence states the rule `transitionShape` applies: the curves first, then k. Where the curves
    /// are not told apart the shape is undecided wherever k's interval lies, and the sentence says
    /// which condition failed and where k's interval lies (wholly at or below 5 in the adaptive
    /// reference study, where the sentence used to ask for k's interval to lie on one side of 5).
    @Test func anUndecidedShapeNamesTheConditionThatFailed() throws {
        // k = 2.65 (95% CI 2.1 to 4.7): wholly at or below 5, but the curves are not told apart.
        let below = results(midpoints: [0.25], steepness: 4, noise: 0.03, meanNoise: 0.03)
        #expect(below.findings.series[0].shape == .undecided)
        #expect(below.statistics.series[0].curveEvidence?.distinguishesCurves == false)
        let belowSentence = findingSentences(below)[1]
        #expect(belowSentence.hasPrefix("The runs do not decide whether the transition is sharp (that needs the curves told apart, "
            + "then k's interval on one side of 5). MLP 16: k = 2.65 (95% CI 2.1 to 4.7); "
            + "these 11 fractions cannot tell the sigmoid from a line or quadratic, as a simpler curve wins"))
        #expect(belowSentence.hasSuffix("; k's interval lies at or below 5, but the rule decides the shape only once the curves are "
            + "told apart (then gradual)."))
        #expect(belowSentence.components(separatedBy: "one side of 5").count == 2, "the rule once, in the opening sentence")
        // k = 2.03 (95% CI 1.6 to 5.1): both sides of 5, so both conditions fail.
        let both = findingSentences(results(midpoints: [0.25], steepness: 3, noise: 0.03, meanNoise: 0.02))[1]
        #expect(both.contains("MLP 16: k = 2.03 (95% CI 1.6 to 5.1); these 11 fractions cannot tell the sigmoid from a line or quadratic"))
        #expect(both.hasSuffix("; k's interval reaches both sides of 5."))
        // The rule is stated once, in the opening sentence, not once per series (issue 21 review).
        #expect(both.hasPrefix("The runs do not decide whether the transition is sharp (that needs the curves told apart, then "
            + "k's interval on one side of 5). "))
        #expect(both.components(separatedBy: "one side of").count == 2, "\(both)")
        // The same series with k's upper end undetermined (its Monte Carlo error too large to place it,
        // review r21w): the runs cannot tell on which side of 5 the interval lies, so it is not said to
        // reach both (the adaptive reference study said so of [2.09, 3.26] once its upper end was withheld).
        let withheld = try withUndeterminedUpperSteepness(results(midpoints: [0.25], steepness: 3, noise: 0.03, meanNoise: 0.02))
        let withheldSentence = findingSentences(withheld)[1]
        #expect(withheldSentence.contains("MLP 16: k = 2.03 (95% CI from 1.6; its upper end undetermined)"), "\(withheldSentence)")
        #expect(withheldSentence.hasSuffix("; k's interval has an end undetermined, so the runs cannot tell on which side of 5 it lies."))
        #expect(!withheldSentence.contains("both sides"))
        // k's upper end withheld as imprecise (`placingParameterEnds`: its value kept in results.json,
        // listed in `imprecise`): the value is not shown, nor read as lying on either side of 5.
        let imprecise = try withUndeterminedUpperSteepness(results(midpoints: [0.25], steepness: 3, noise: 0.03, meanNoise: 0.02),
                                                          imprecise: true)
        let impreciseSentence = findingSentences(imprecise)[1]
        #expect(impreciseSentence.contains("MLP 16: k = 2.03 (95% CI from 1.6; its upper end withheld)"), "\(impreciseSentence)")
        #expect(impreciseSentence.hasSuffix("; k's interval has an end withheld as too imprecise, so the runs cannot tell on which side "
            + "of 5 it lies."))
    }

    /// The note on withheld ends of L, k, x0 and b names the refits that would place them only where the
    /// recorded errors are the pilot's, on the default stream (review r21x m3: the count read off another
    /// stream's errors moved from 74,000 to 218,000 with 5 seeds); elsewhere it gives the rule.
    @Test func theRefitsToPlaceAWithheldEndAreCountedOnlyOnThePilotsStream() throws {
        let imprecise = try withUndeterminedUpperSteepness(results(midpoints: [0.25], steepness: 3, noise: 0.03, meanNoise: 0.02),
                                                          imprecise: true)
        let pilot = try #require(fitPrecisionNote(imprecise))
        #expect(pilot.contains("Placing every such end would take about ") && pilot.contains(" refits per series; the thresholds"))
        var json = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(imprecise)) as? [String: Any])
        var config = try #require(json["config"] as? [String: Any])
        config["analysis"] = ["bootstrap-seed": 1, "confidence": 0.95, "replicates": 1000]
        json["config"] = config
        let other = try JSONDecoder().decode(StudyResults.self, from: JSONSerialization.data(withJSONObject: json))
        let note = try #require(fitPrecisionNote(other))
        #expect(!note.contains("about") && note.contains("Placing such an end would take (1.48 e / 0.125 pp)² times as many refits "
            + "(for k, 0.75% of the end in place of 0.125 pp), e its Monte Carlo error on the default stream (--bootstrap-seed 0)"), "\(note)")
    }

    /// The note on withheld threshold ends says how a sign decision reads such an end: on the pilot, by
    /// its value against twice the bound on its Monte Carlo error, never on the far side of zero (review
    /// r21n M1: it said a withheld end made a decision undetermined, which `SignDecision.init(_:pilot:)`
    /// stopped doing, and no committed report printed it).
    @Test func theWithheldThresholdEndNoteGivesTheRuleTheDecisionsFollow() throws {
        let plain = try results(midpoints: [0.25], steepness: 3, noise: 0.03, meanNoise: 0.02)
        #expect(thresholdPrecisionNote(plain) == nil)
        var json = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(plain)) as? [String: Any])
        var statistics = try #require(json["statistics"] as? [String: Any])
        var series = try #require(statistics["series"] as? [[String: Any]])
        var threshold = try #require(series[0]["threshold"] as? [String: Any])
        var interval = try #require(threshold["interval"] as? [String: Any])
        interval["imprecise"] = ["lower"]
        threshold["interval"] = interval
        series[0]["threshold"] = threshold
        statistics["series"] = series
        json["statistics"] = statistics
        let withheld = try JSONDecoder().decode(StudyResults.self, from: JSONSerialization.data(withJSONObject: json))
        let note = try #require(thresholdPrecisionNote(withheld))
        #expect(note.hasSuffix("Its value and error are kept in results.json, and no finding or verdict quotes it; the sign decision "
            + "of a difference or trend reads it on the pilot bootstrap like a shown end, by its value against twice the upper bound on "
            + "its Monte Carlo error (2 × 1.48 errors; an end on the far side of zero from the estimate never counts)."), "\(note)")
        #expect(!note.contains("undetermined"), "\(note)")
    }

    /// `results` with the first series' k interval's upper end undetermined (dropped, marked so), or with
    /// `imprecise` withheld (its value kept, listed in `imprecise`), as the analysis leaves an end whose
    /// Monte Carlo error is too large to place it.
    func withUndeterminedUpperSteepness(_ results: StudyResults, imprecise: Bool = false) throws -> StudyResults {
        var json = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(results)) as? [String: Any])
        var statistics = try #require(json["statistics"] as? [String: Any])
        var series = try #require(statistics["series"] as? [[String: Any]])
        var steepness = try #require(series[0]["steepness"] as? [String: Any])
        var interval = try #require(steepness["interval"] as? [String: Any])
        if imprecise {
            interval["imprecise"] = ["upper"]
        } else {
            interval["upper"] = nil
            interval["undetermined"] = ["upper"]
        }
        steepness["interval"] = interval
        series[0]["steepness"] = steepness
        statistics["series"] = series
        json["statistics"] = statistics
        return try JSONDecoder().decode(StudyResults.self, from: JSONSerialization.data(withJSONObject: json))
    }

    /// DP-SGD's ε appears with the Rényi order that gave it and the sampling assumption behind it:
    /// the reference data's 350 training rows in batches of 64 for 200 epochs, σ = 1, δ = 1e-5.
    @Test func privacyBudgetsCarryTheirOrderAndSamplingAssumption() throws {
        let fractions = (0...10).map { Double($0) * 0.05 }
        let training = TrainingSettings(epochs: 200, batchSize: 64)
        let study = try Study(StudyConfig(models: [StudyConfig.mlp(16)],
                                          defenses: [StudyConfig.component(NoDefense.kind), StudyConfig.component(DPSGD.kind)],
                                          fractions: fractions, seeds: [1, 2, 3], training: training))
        let budget = DifferentialPrivacy(clip: 1, noise: 1, delta: 1e-5).budget(rows: study.split.train.count, settings: training)
        let runs = study.runSpecs.map { spec in
            let defended = study.series[spec.series].defense != 0
            let curve = SigmoidParameters(amplitude: 0.7, steepness: 25, midpoint: defended ? 0.3 : 0.25, floor: 0.2)
            var metrics = runMetrics(test: curve.value(at: spec.fraction) + 0.002 * Double(spec.seed), train: 0.95, trainClean: 0.95, loss: 0.3)
            if defended {
                metrics[MetricKey.privacyEpsilon] = budget.epsilon
                metrics[MetricKey.privacyOrder] = budget.order
            }
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: spec.fraction,
                             metrics: metrics, divergence: nil)
        }
        let sentences = findingSentences(StudyResults(study: study, runs: runs, toolVersion: "9.9.9"))
        let defenses = try #require(sentences.last)
        #expect(defenses.contains("Privacy budget of the differentially private training (Rényi accountant, at its δ): "
            + "DP-SGD (C = 1.0, σ = 1.0) (MLP 16, random label flip): ε = 65.68 at order α = 1.5. "))
        #expect(defenses.hasSuffix("These ε assume Poisson sampling (each step takes every training row independently with "
            + "probability batch size / training rows); the runs instead train on shuffled fixed-size batches, for which ε is "
            + "the usual approximation, not a proven guarantee."))
        #expect(renyiOrderText(1.5) == "1.5" && renyiOrderText(12) == "12" && renyiOrderText(1024) == "1024")
        #expect(ReportFormat.latex.escape("ε at δ") == #"\ensuremath{\varepsilon} at \ensuremath{\delta}"#)
    }

    @Test func cleanAccuracyCarriesItsSeedAndWilsonIntervals() {
        let sentences = findingSentences(results(midpoints: [nil, nil]))
        #expect(sentences[0].hasPrefix("Clean test accuracy, with its 95% interval over seeds and its Wilson interval as a share of "
            + "the 150 test rows that every run shares: 0.800 (95% CI "))
        // Wilson for 120 of 150 (SciPy: 0.72886, 0.85616).
        #expect(sentences[0].contains("; Wilson 0.729 to 0.856) (MLP 16)"))
        #expect(sentences[0].hasSuffix("; chance is 0.200."))
        // No series has a fit: one sentence says so in place of the shape and threshold sentences.
        #expect(sentences[1] == "No series has a critical threshold or a transition shape, as none has a sigmoid fit: accuracy is 0.8 at "
            + "every fraction, so there is no transition to fit.")
        #expect(sentences[4].hasPrefix("At the largest fraction (50.0%) the generalization gap is 0.150 (95% CI "))
    }
}


/// Thresholds beyond the swept fractions are bounds everywhere the report shows them.
struct ExtrapolatedThresholdTests {
    /// Results of MLP 16 without a defense and with early stopping, 4 seeds, fractions 0 to 50%: the
    /// undefended accuracy falls halfway to its floor at 30%, the defended one at 65%, beyond the sweep.
    static let results: StudyResults = {
        let fractions = (0...10).map { Double($0) * 0.05 }
        let study = try! Study(StudyConfig(models: [StudyConfig.mlp(16)],
                                           defenses: [StudyConfig.component(NoDefense.kind), StudyConfig.component(EarlyStoppingDefense.kind)],
                                           fractions: fractions, seeds: [1, 2, 3, 4], training: TrainingSettings(epochs: 5)))
        let runs = study.runSpecs.map { spec in
            let i = fractions.firstIndex(of: spec.fraction)!
            let pattern = [1.0, -1.0, 0.5, -0.5][(Int(spec.seed) - 1 + i) % 4]
            let defended = study.series[spec.series].defense != 0
            let curve = SigmoidParameters(amplitude: 0.7, steepness: defended ? 10 : 25, midpoint: defended ? 0.65 : 0.3, floor: 0.2)
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: spec.fraction,
                             metrics: runMetrics(test: curve.value(at: spec.fraction) + 0.004 * pattern, train: 0.95, trainClean: 0.95,
                                                 loss: 0.3), divergence: nil)
        }
        return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
    }()

    let context = reportContext(for: Self.results, format: .markdown, settings: ReportSettings(command: "make-report", figureExtension: "png"))
    var defended: Int { Self.results.series.firstIndex { !$0.isUndefended }! }
    var undefended: Int { Self.results.series.firstIndex(where: \.isUndefended)! }

    @Test func theFittedCrossingLiesBeyondTheSweep() throws {
        let threshold = Self.results.fits[defended].threshold
        #expect(threshold.status == .aboveRange && threshold.fraction == nil)
        #expect(abs(try #require(threshold.extrapolatedFraction) - 0.65) < 0.05)
    }

    @Test func theTablesSayBeyondTheLargestFractionAndNeverTheCrossing() throws {
        let extrapolated = percent(try #require(Self.results.fits[defended].threshold.extrapolatedFraction))
        let fits = try #require(context["fits"]?.list)
        let cell = try #require(fits[defended]["threshold"]?.text)
        // The whole interval lies beyond the sweep too, so it adds nothing to the bound (in a table's cell
        // the Markdown context keeps the leading ">", which starts no quote there: issue 21 #8).
        #expect(cell == "> 50.0%" && fits[defended]["thresholdStatus"]?.text == "above-range")
        // A crossing inside the range is unchanged: its fraction, then its interval.
        let inside = try #require(Self.results.fits[undefended].threshold.fraction)
        #expect((fits[undefended]["threshold"]?.text)?.hasPrefix(percent(inside) + " [") == true)
        let rows = try #require(context["defenseRows"]?.list)
        #expect(rows.count == 1 && rows[0]["threshold"]?.text == cell)
        let attacks = try #require(context["attackComparisonRows"]?.list)
        #expect(attacks.contains { $0["threshold"]?.text == cell })
        let report = try renderReport(template: ShippedTemplate.markdown.text, fileName: "report.md", context: context, strict: true)
        #expect(!report.text.contains(extrapolated), "the extrapolated crossing \(extrapolated) is printed")
    }

    @Test func theShiftIsALowerBoundWithTheLargestFractionInPlaceOfTheThreshold() throws {
        let finding = try #require(Self.results.findings.defenses.first)
        let inside = try #require(Self.results.fits[undefended].threshold.fraction)
        #expect(try finding.thresholdShift.bound == .lower && abs(#require(finding.thresholdShift.value) - (0.5 - inside)) < 1e-12)
        let lower = try #require(finding.thresholdShift.interval?.lower)
        #expect(finding.thresholdShift.interval?.upper == nil && lower > 0 && finding.shiftResolved)
        let rows = try #require(context["defenseRows"]?.list)
        let bound = percentagePoints(0.5 - inside)
        #expect(rows[0]["shift"]?.text == "> \(bound) [\(percentagePoints(lower)) or more]")
        #expect(rows[0]["shiftResolved"]?.text == "yes")
        let differences = try #require(context["differenceRows"]?.list)
        let difference = try #require(differences.first { ($0["quantity"]?.text) == "Critical threshold" })
        #expect(difference["difference"]?.text == "> \(bound)" && difference["resolved"]?.text == "yes")
        #expect(difference["seeds"]?.text == "")
    }

    /// The defense table's Resolved columns are the differences table's decisions for the same pair: a
    /// difference the Monte Carlo error leaves undetermined reads "undetermined" in both, not "no" in one.
    @Test func theDefenseTableReadsTheDifferencesDecisions() throws {
        var json = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.results)) as? [String: Any])
        var statistics = try #require(json["statistics"] as? [String: Any])
        var differences = try #require(statistics["differences"] as? [[String: Any]])
        let pair: Set<Int> = [defended, undefended]
        for index in differences.indices where Set([differences[index]["base"] as? Int, differences[index]["other"] as? Int]) == pair {
            differences[index]["decision"] = differences[index]["quantity"] as? String == "threshold" ? "undetermined" : "not-resolved"
        }
        statistics["differences"] = differences
        json["statistics"] = statistics
        let edited = try JSONDecoder().decode(StudyResults.self, from: JSONSerialization.data(withJSONObject: json))
        // The finding itself still says resolved: the rows must not read it.
        #expect(try #require(edited.findings.defenses.first).shiftResolved)
        let context = reportContext(for: edited, format: .markdown, settings: ReportSettings(command: "make-report", figureExtension: "png"))
        let row = try #require(context["defenseRows"]?.list?.first)
        #expect(row["shiftResolved"]?.text == "undetermined" && row["costResolved"]?.text == "no")
        let difference = try #require(context["differenceRows"]?.list?.first { ($0["quantity"]?.text) == "Critical threshold" })
        #expect(difference["resolved"]?.text == "undetermined")
    }

    @Test func theSentencesSayTheSame() throws {
        let sentences = findingSentences(Self.results)
        let inside = try #require(Self.results.fits[undefended].threshold.fraction)
        let extrapolated = percent(try #require(Self.results.fits[defended].threshold.extrapolatedFraction))
        let thresholds = sentences[2]
        #expect(thresholds.hasPrefix("Critical thresholds (accuracy halfway between clean and chance), with 95% intervals: "
            + "\(percent(inside)) ("), "\(thresholds)")
        #expect(thresholds.hasSuffix(" and > 50.0% (MLP 16, early stopping (patience 10))."), "\(thresholds)")
        #expect(!thresholds.contains("65") && !thresholds.contains(extrapolated))
        let lower = try #require(Self.results.findings.defenses.first?.thresholdShift.interval?.lower)
        let defenses = try #require(sentences.last)
        #expect(defenses.contains("Raise the critical threshold beyond seed noise: early stopping (patience 10) (MLP 16, random label flip: "
            + "> \(percentagePoints(0.5 - inside)), 95% CI \(percentagePoints(lower)) or more)."), "\(defenses)")
    }
}

/// The report's "Attacker's surrogate" line says what each informed attacker knew, naming the model
/// when one attack is white box against a model solved exactly and transfer against another.
struct AttackerKnowledgeTests {
    @Test func aTransferAttackerOfKernelRidgeIsReportedAsWhiteBox() throws {
        let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(60), "features": .int(4), "classes": .int(3)])
        let study = try Study(StudyConfig(data: data, models: [StudyConfig.mlp(4), StudyConfig.component(KernelRidge.kind)],
                                          attacks: [StudyConfig.component(MarginFlip.kind)], fractions: [0, 0.2], seeds: [3],
                                          training: TrainingSettings(epochs: 2, batchSize: 16)))
        let results = StudyResults(study: study, runs: runStudy(study, threads: 1).results, toolVersion: "test")
        let label = study.series[0].attackLabel
        #expect(attackerKnowledge(results) == "transfer setting, the surrogate trained with a seed of its own: \(label) (MLP 4); "
            + "white box, the surrogate is the victim's clean model (its seed, or any seed for a model solved exactly): \(label) (\(study.series[1].modelLabel))")
    }
}

/// The report says which attacks' victims train on a subset of the training rows
/// (`PoisoningAttack.victimRowSubset`: svm-gradient with `victim-sees-validation: false`), in the configuration
/// table and beside their poisoned shares, which stay shares of every training row; an attack whose
/// victims train on every row (svm-gradient with `victim-sees-validation: true`, random flips) is
/// not named.
struct VictimRowSubsetTests {
    @Test func theReportSaysWhichVictimsTrainOnASubsetOfTheRows() throws {
        let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(60), "features": .int(4), "classes": .int(2)])
        let attacks = [StudyConfig.component(SVMGradient.kind, ["steps": .int(2)]),
                       StudyConfig.component(SVMGradient.kind, ["steps": .int(2), "victim-sees-validation": .bool(true)]),
                       StudyConfig.component(RandomLabelFlip.kind)]
        let study = try Study(StudyConfig(data: data, models: [StudyConfig.component(LinearSVM.kind)], attacks: attacks, fractions: [0, 0.2],
                                          seeds: [3]))
        let results = StudyResults(study: study, runs: runStudy(study, threads: 1).results, toolVersion: "test")
        let rows = "the attacker's training rows: those of classes 0 and 1 but the share 0.5 of each class that the attacker holds out to "
            + "validate on, and every row of the other classes"
        let expected = "\(study.series[0].attackLabel): \(rows). Their clean runs (0.0%) train on these rows too, and their budget is a share "
            + "of them; the report's poisoned shares are of all 42 training rows"
        #expect(study.split.train.count == 42 && results.victimRowSubsets.map { $0 != nil } == [true, false, false])
        #expect(victimRowSubsets(results) == expected)
        let model = ReportModel(results, command: "make-report")
        #expect(model.parameters.filter { $0.name == "Victims' training rows" }.map(\.value) == [expected])
        // The method notes of the two svm-gradient attacks (their labels differ), each after its label.
        let methods = try #require(model.parameters.first { $0.name == "Attack methods" }?.value)
        #expect(methods.hasPrefix("\(study.series[0].attackLabel): Biggio, Nelson and Laskov (ICML 2012)")
            && methods.contains("\(study.series[1].attackLabel): Biggio") && !methods.contains(study.series[2].attackLabel))
        let poisoned = model.attackComparisonRows.map(\.poisoned)
        #expect(poisoned.count == 3 && poisoned[0].hasSuffix("% of all 42 training rows; its victims train on fewer (Configuration)"))
        #expect(!poisoned[1].contains("fewer") && !poisoned[2].contains("fewer"))
    }

    /// The "Attacks compared" preamble says what its budget is a share of for each placement of
    /// svm-gradient: under `replace` (victims on the attacker's training rows) a share of the rows the
    /// victims train on, under `add` poisons per clean row; the figures' x axis names the budget of
    /// the attack that adds its poisons, and a study of `add` alone draws the budget ε.
    @Test func theBudgetOfEachPlacementIsNamed() throws {
        let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(60), "features": .int(4), "classes": .int(2)])
        let replacing = StudyConfig.component(SVMGradient.kind, ["steps": .int(2)])
        let adding = StudyConfig.component(SVMGradient.kind, ["steps": .int(2), "placement": .string("add")])
        let study = try Study(StudyConfig(data: data, models: [StudyConfig.component(LinearSVM.kind)], attacks: [replacing, adding],
                                          fractions: [0, 0.2], seeds: [3]))
        let results = StudyResults(study: study, runs: runStudy(study, threads: 1).results, toolVersion: "test")
        let (replace, add) = (study.series[0].attackLabel, study.series[1].attackLabel)
        #expect(study.series.map(\.addsRows) == [nil, true], "the series record what their attacks' addsRows say")
        #expect(String(decoding: try results.jsonData(), as: UTF8.self).components(separatedBy: "\"addsRows\" : true").count == 2)
        #expect(replace.hasSuffix("(linear, 2 steps, replace, together)") && add.hasSuffix("(linear, 2 steps, add, together)"))
        let model = ReportModel(results, command: "make-report")
        #expect(model.comparisonBudgetBase == "of the training rows (for \(replace): of the rows its victims train on, the configuration's "
            + "“Victims' training rows”; for \(add), which adds its poisons to the clean rows: poisons per clean row of the victims' set)")
        #expect(studyFigures(results).first { $0.name == "accuracy_vs_poison" }?.chart.x.label
            == "Poison fraction (share of the rows asked for), or budget ε (poisons per clean row) where added")
        let alone = try Study(StudyConfig(data: data, models: [StudyConfig.component(LinearSVM.kind)], attacks: [adding], fractions: [0, 0.2],
                                          seeds: [3]))
        let aloneResults = StudyResults(study: alone, runs: runStudy(alone, threads: 1).results, toolVersion: "test")
        #expect(studyFigures(aloneResults).first { $0.name == "accuracy_vs_poison" }?.chart.x.label == "Poison budget ε (poisons per clean row)")
        #expect(ReportModel(aloneResults, command: "make-report").comparisonBudgetBase
            == "of the training rows (for \(alone.series[0].attackLabel), which adds its poisons to the clean rows: poisons per clean row of the victims' set)")
    }
}
