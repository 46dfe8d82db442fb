import Foundation
import Mustache
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
import ReportTemplates
@testable import PoisoningReport

/// A fixed study: two widths whose accuracy follows known sigmoids, one diverged run, and a
/// name with LaTeX specials in the command line.
func fixedResults() -> StudyResults {
    let study = widthStudy([16, 64], fractions: [0, 0.1, 0.2, 0.3, 0.4, 0.5], seeds: [1, 2], epochs: 50)
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

struct ShippedTemplateTests {
    @Test(arguments: ShippedTemplate.allCases)
    func rendersTheGoldenReport(template: ShippedTemplate) throws {
        let format = try #require(ReportFormat(fileName: template.rawValue))
        let context = reportContext(for: fixedResults(), format: format, settings: ReportSettings(
            command: "make-report --widths 16,64 --output out_dir", figureExtension: format == .latex ? "pdf" : "png"))
        let report = try renderReport(template: template.text, fileName: template.rawValue, context: context,
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
            of: "Tests/PoisoningReportTests/ReportTests.swift", with: "templates/README.md"), encoding: .utf8)
        let context = reportContext(for: fixedResults(), format: .markdown,
                                    settings: ReportSettings(command: "make-report", figureExtension: "png"))
        for (name, value) in context {
            #expect(readme.contains("`\(name)`"), "templates/README.md does not document \(name)")
            for item in (value as? [[String: Any]]) ?? [] {
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

    @Test func markdownEscapesTableBarsAndBackslashes() {
        #expect(ReportFormat.markdown.escape(#"a | b \ c"#) == #"a \| b \\ c"#)
    }

    @Test func contextStringsAreEscapedForLatex() throws {
        let context = reportContext(for: fixedResults(), format: .latex,
                                    settings: ReportSettings(command: "make-report --output my_dir", figureExtension: "pdf"))
        #expect(context["command"] as? String == #"make-report --output my\_dir"#)
        let fits = try #require(context["fits"] as? [[String: Any]])
        #expect((fits[0]["threshold"] as? String)?.hasPrefix("35.6\\%") == true)
        let figures = try #require(context["figures"] as? [[String: Any]])
        #expect(figures[0]["file"] as? String == "figures/accuracy_vs_poison.pdf", "file names stay verbatim")
    }
}

struct TemplateCheckTests {
    let context: [String: Any] = reportContext(for: fixedResults(), format: .markdown,
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
        // Long templates are parsed in pieces cut at line breaks outside sections; the text must be
        // what the Mustache parser makes of the whole, whatever the sections and delimiters.
        let filler = String(repeating: "{{title}} and {{runCount}} runs\n", count: 200)
        let templates = ShippedTemplate.allCases.map(\.text) + [
            filler + "{{=<% %>=}}\n" + filler.replacingOccurrences(of: "{{", with: "<%").replacingOccurrences(of: "}}", with: "%>")
                + "<%={{ }}=%>\n" + filler,
            filler + "{{#fits}}\n" + filler + "{{series}}\n{{/fits}}\n" + filler + "{{^nothing}}x{{/nothing}}\n  {{! note }}\n" + filler,
        ]
        for template in templates {
            let whole = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}\n" + template).render(context)
            let parsed = try parseTemplate(template, fileName: "t.md")
            #expect(template.utf8.count < 4 * templatePieceLength || parsed.pieces.count > 1)
            #expect(parsed.render(context) == whole)
        }
    }

    @Test func parseErrorsInLaterPiecesKeepTheirLine() {
        let template = String(repeating: "x {{title}}\n", count: 2_499) + "A {{title} broken\n"
        #expect(throws: TemplateError.parse(file: "t.md", line: 2_500, column: 10,
                                            reason: "a tag is not closed, or its name holds a character a name cannot have")) {
            try parseTemplate(template, fileName: "t.md")
        }
    }

    @Test func tagPositionsAreCountedInOnePass() {
        // 10,000 tags on one line and on 10,000 lines: positions right, and (measured by the
        // benchmark, not here) time linear in the size.
        let oneLine = String(repeating: "{{a}}", count: 10_000)
        let tags = Array(TemplateTags(oneLine))
        #expect(tags.count == 10_000 && tags.last?.line == 1 && tags.last?.column == 1 + 5 * 9_999)
        let lines = String(repeating: "x {{a}}\n", count: 10_000)
        let lineTags = Array(TemplateTags(lines))
        #expect(lineTags.last?.line == 10_000 && lineTags.last?.column == 3)
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
        let summary = try #require(context["summary"] as? String)
        // MLP 64 drops earlier (midpoint 0.25 vs 0.35): the threshold decreases with model size.
        #expect(summary.contains("Larger models are more sensitive: the threshold changes by -4.6 pp per doubling of parameters"))
        #expect(context["hasDivergedRuns"] as? Bool == true)
        let rows = try #require(context["gapRows"] as? [[String: Any]])
        #expect(rows.count == 6 && (rows[0]["cells"] as? [[String: Any]])?.count == 2)
        let parameters = try #require(context["parameters"] as? [[String: Any]])
        #expect(parameters.contains { $0["name"] as? String == "Epochs" && $0["value"] as? String == "50" })
    }
}

/// The findings in words follow the statistics: each claim appears exactly when its interval supports it.
struct FindingSentenceTests {
    /// Results of MLPs of widths 16, 32 and 64 whose test accuracy, over 4 seeds, follows descending
    /// sigmoids with `midpoints` (in width order) and `steepness`, a straight line 0.9 - 0.8x where
    /// `straight` is set, or a flat 0.8 where the midpoint is nil; plus a deterministic seed noise of
    /// amplitude `noise` that varies with the fraction.
    func results(midpoints: [Double?], steepness: Double = 25, noise: Double = 0.004, straight: Bool = false,
                 fractions: [Double] = (0...10).map { Double($0) * 0.05 }) -> StudyResults {
        let study = widthStudy([16, 32, 64].prefix(midpoints.count).map { $0 }, fractions: fractions, seeds: [1, 2, 3, 4], epochs: 5)
        let runs = study.runSpecs.map { spec in
            let i = fractions.firstIndex(of: spec.fraction)!
            let pattern = [1.0, -1.0, 0.5, -0.5][(Int(spec.seed) - 1 + i) % 4]
            let curve = midpoints[spec.series].map { SigmoidParameters(amplitude: 0.7, steepness: steepness, midpoint: $0, floor: 0.2) }
            let exact = straight ? 0.9 - 0.8 * spec.fraction : curve?.value(at: spec.fraction) ?? 0.8
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: spec.fraction,
                             metrics: runMetrics(test: exact + noise * pattern, train: 0.95, trainClean: 0.95, loss: 0.3), divergence: nil)
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
        #expect(same.contains("Not resolved: MLP 32 vs MLP 16 "))
        #expect(!same.contains("Larger models are"))
        #expect(findingSentences(results(midpoints: [nil, 0.3]))[3]
            == "Sensitivity across model sizes cannot be compared: MLP 16 has no threshold (no fit: accuracy is 0.8 at every fraction, so there is no transition to fit).")
        #expect(findingSentences(results(midpoints: [0.3]))[3]
            == "Sensitivity across model sizes is not compared: the study has one model per attack and defense.")
    }

    @Test func sharpOnlyWhenTheSigmoidIsPreferredAndKIsResolvedAboveTheThreshold() {
        let steep = findingSentences(results(midpoints: [0.25], steepness: 40))[1]
        #expect(steep.hasPrefix("The transition is sharp for MLP 16: the sigmoid is the preferred curve and the whole interval "
            + "of k lies above 5 (k = "))
        let line = findingSentences(results(midpoints: [0.3], straight: true))[1]
        #expect(line.hasPrefix("The decline is gradual: the line describes MLP 16 at least as well as the sigmoid (Akaike weight "))
        let few = findingSentences(results(midpoints: [0.25], steepness: 40, fractions: [0, 0.1, 0.2, 0.3, 0.4, 0.5]))[1]
        #expect(few.hasPrefix("The runs do not decide whether the transition is sharp (MLP 16: k = "))
        #expect(few.hasSuffix("but with 6 fractions the sigmoid cannot be compared with simpler curves (AICc needs at least 7))."))
        #expect(findingSentences(results(midpoints: [nil]))[1] == "No sigmoid could be fitted for MLP 16.")
    }

    @Test func cleanAccuracyCarriesItsSeedAndWilsonIntervals() {
        let sentences = findingSentences(results(midpoints: [nil, nil]))
        #expect(sentences[0].hasPrefix("Clean test accuracy, with its 95% interval over seeds and its Wilson interval as a share of "
            + "the 150 test rows that every run shares: 0.800 (95% CI "))
        // Wilson for 120 of 150 (SciPy: 0.72886, 0.85616).
        #expect(sentences[0].contains("; Wilson 0.729 to 0.856) (MLP 16)"))
        #expect(sentences[0].hasSuffix("; chance is 0.200."))
        #expect(sentences[5].hasPrefix("At the largest fraction (50.0%) the generalization gap is 0.150 (95% CI "))
    }
}
