import Testing
@testable import PoisoningReport

struct DescribedLengthTests {
    /// Values of every kind, with texts that `debugDescription` quotes plainly, with a backslash before
    /// `"`, `'` and `\`, and with escapes of its own (new lines, control and combining characters).
    static let values: [TemplateValue] = [
        "", "plain", #"say "it's" a\b"#, "naïve ± 0.1 — ✓", "two\nlines\tand\r\u{7F}\u{0}", "\u{301}starts with a combining mark",
        true, false,
        .list([]), .list(["a"]), .list(["a", #"b "c""#, true, .list([]), .object([:])]),
        .object([:]), ["k": "v"], ["it's": #"\"#, "flag": false, "empty": .object([:]), "é": "\n"],
        .list([["name": "MLP 16", "rows": .list([["cell": "0.5 ± 0.1"], ["cell": "n/a"]])], ["name": "x\u{301}"]]),
    ]

    @Test(arguments: values) func countsWhatDescribingTheValueWrites(value: TemplateValue) {
        #expect(value.describedLength == String(describing: value.mustacheValue).utf8.count)
    }

    /// The rendered report itself, an independent check of what the library writes for a list or an object.
    @Test(arguments: values) func countsWhatTheTemplateRenders(value: TemplateValue) throws {
        let rendered = try renderReport(template: "{{value}}", fileName: "t.md", context: ["value": value], strict: true).text
        #expect(value.describedLength == rendered.utf8.count)
    }
}
