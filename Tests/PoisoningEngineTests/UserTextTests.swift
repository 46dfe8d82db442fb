import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// The user's text in error lines (cut to 40 characters, a path to its last 80, never inside one), the characters a
/// title, name or label may not hold, and text lengths counted in characters.
struct UserTextTests {
    @Test func quotedTextIsCutAfterFortyCharactersNeverInsideOne() {
        let long = String(repeating: "k", count: 300)
        #expect(quotedUserText(long) == "'" + String(repeating: "k", count: 40) + "…'")
        #expect(quotedUserText("short") == "'short'")
        // 41 characters are shown whole: cutting one to put "…" in its place saves nothing.
        #expect(shortenedUserText(String(repeating: "a", count: 41)) == String(repeating: "a", count: 41))
        // A path is quoted whole up to 80 characters (81: cutting one saves nothing), so that a short
        // one is never cut; a longer one keeps its end, the file's name.
        #expect(quotedUserText("/home/ada/studies/poisoning/digits/output", keepingEnd: true) == "'/home/ada/studies/poisoning/digits/output'")
        let path81 = "/" + String(repeating: "d/", count: 36) + "data.csv"
        #expect(path81.count == 81 && quotedUserText(path81, keepingEnd: true) == "'\(path81)'")
        #expect(quotedUserText("/d" + path81, keepingEnd: true) == "'…" + String(repeating: "d/", count: 36) + "data.csv'")
        #expect(quotedUserText(String(repeating: "d/", count: 100) + "data.csv", keepingEnd: true)
            == "'…" + String(repeating: "d/", count: 36) + "data.csv'")
        // Other text is cut after 40 characters however short the line.
        #expect(quotedUserText(String(repeating: "d/", count: 36) + "data.csv") == "'" + String(repeating: "d/", count: 20) + "…'")
        // Graphemes: 60 decomposed é (e + U+0301, 120 scalars) cut after 40 of them, not after 40 scalars.
        let decomposed = String(repeating: "e\u{301}", count: 60)
        #expect(shortenedUserText(decomposed) == String(repeating: "e\u{301}", count: 40) + "…")
        #expect(shortenedUserText(decomposed).unicodeScalars.filter { $0 == "\u{301}" }.count == 40)
        // Flags of two scalars each are kept whole.
        let flags = String(repeating: "\u{1F1EB}\u{1F1F7}", count: 50)
        #expect(shortenedUserText(flags) == String(repeating: "\u{1F1EB}\u{1F1F7}", count: 40) + "…")
        // One letter with 30,000 combining marks is one character: it is left out whole rather than cut.
        let marks = "a" + String(repeating: "\u{301}", count: 30_000)
        #expect(shortenedUserText("x" + marks + "y") == "x…")
        #expect(shortenedUserText(marks).unicodeScalars.count == 1)
        // Cutting again changes nothing.
        for text in [long, decomposed, flags, "x" + marks] {
            #expect(shortenedUserText(shortenedUserText(text)) == shortenedUserText(text))
            #expect(shortenedUserText(shortenedUserText(text, keepingEnd: true), keepingEnd: true) == shortenedUserText(text, keepingEnd: true))
        }
    }

    @Test func controlCharactersAndBidirectionalOverridesAreNamedByCodePoint() {
        #expect(disallowedTextProblem("plain text, é, \u{1F600}, \u{5D0}\u{5D1}") == nil)
        #expect(disallowedTextProblem("bell\u{7}") == "holds U+0007, a control character, at character 5; write it as plain text on one line")
        #expect(disallowedTextProblem("e\u{301}\u{1B}[0m") == "holds U+001B, a control character, at character 2; write it as plain text on one line")
        #expect(disallowedTextProblem("a\tb")?.hasPrefix("holds U+0009, a control character, at character 2") == true)
        #expect(disallowedTextProblem("a\nb")?.hasPrefix("holds U+000A") == true)
        #expect(disallowedTextProblem("a\r\nb")?.hasPrefix("holds U+000D") == true)
        #expect(disallowedTextProblem("\u{7F}")?.hasPrefix("holds U+007F, a control character") == true)
        #expect(disallowedTextProblem("\u{9B}")?.hasPrefix("holds U+009B, a control character") == true)
        #expect(disallowedTextProblem("a\u{2028}")?.hasPrefix("holds U+2028, a line break, at character 2") == true)
        for scalar in [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069] {
            let text = "x" + String(Unicode.Scalar(UInt32(scalar))!)
            #expect(disallowedTextProblem(text) == "holds U+\(String(scalar, radix: 16, uppercase: true)), a bidirectional-text control, "
                    + "at character 2; write it as plain text on one line")
        }
        // Every C0 and C1 code point, and none of the printable ASCII.
        #expect((0..<0x20).allSatisfy { isDisallowedInText(Unicode.Scalar(UInt8($0))) })
        #expect((0x7F...0x9F).allSatisfy { isDisallowedInText(Unicode.Scalar(UInt8($0))) })
        #expect((0x20..<0x7F).allSatisfy { !isDisallowedInText(Unicode.Scalar(UInt8($0))) })
        #expect(codePointText("\u{1F600}") == "U+1F600")
    }

    /// The error reading the study document `document` (a mapping of `key` to `value`).
    func studyError(_ entries: [ParameterEntry]) -> String {
        do {
            _ = try StudyDesign(document: .mapping(entries), locations: SourceLocations())
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func titlesNamesAndLabelsAreCheckedAndCountedInCharacters() {
        let title = { (text: String) in [ParameterEntry(key: "title", value: .string(text))] }
        #expect(studyError(title("a \u{7} bell")) == "title: holds U+0007, a control character, at character 3; write it as plain text on one line")
        #expect(studyError(title("left\u{202E}right")).hasPrefix("title: holds U+202E, a bidirectional-text control"))
        // 200 decomposed é are 200 characters (400 Unicode scalars); 201 are one too many.
        #expect(studyError(title(String(repeating: "e\u{301}", count: 200))) == "no error")
        #expect(studyError(title(String(repeating: "e\u{301}", count: 201))) == "title: expected at most 200 characters, found 201")
        // A kind given on the command line: the option is named.
        var locations = SourceLocations()
        locations.set(.option("--attacks"), for: "attacks")
        do {
            _ = try StudyDesign(document: .mapping([ParameterEntry(key: "attacks", value: .list([.mapping([
                ParameterEntry(key: "kind", value: .string("random-label-flip\u{1B}"))])]))]), locations: locations)
            Issue.record("a kind with an escape was accepted")
        } catch {
            #expect("\(error)" == "--attacks: holds U+001B, a control character, at character 18; write it as plain text on one line")
        }
        // A claims source is a citation: up to 4,096 characters; a claimed label up to 200.
        let claims = { (source: String, label: String) in
            [ParameterEntry(key: "claims", value: .mapping([ParameterEntry(key: "source", value: .string(source)),
                                                             ParameterEntry(key: "thresholds", value: .mapping([ParameterEntry(key: label, value: .double(0.4))]))]))]
        }
        #expect(studyError(claims(String(repeating: "s", count: 4096), "MLP 32")) == "no error")
        #expect(studyError(claims(String(repeating: "s", count: 4097), "MLP 32")) == "claims.source: expected at most 4096 characters, found 4097")
        #expect(studyError(claims("a paper", "MLP\u{9B}32")).hasPrefix("claims.thresholds.MLP\\u{9B}32: holds U+009B"))
    }

    @Test func aLongKeyLeavesTheReasonInView() {
        let key = String(repeating: "k", count: 300)
        let error = studyError([ParameterEntry(key: key, value: .int(1))])
        let shown = String(repeating: "k", count: 40) + "…"
        #expect(error.hasPrefix("unknown key '\(shown)' (known keys: title,"))
        #expect(error.hasSuffix("planning, claims)") && error.count < 300)
    }

    @Test func morePoisonedRowsThanTrainingRowsPassOnlyForABudgetAboveOne() {
        func problem(fraction: Double, poisoned: Int, rows: Int?) -> String? {
            RunResult(fraction: fraction, series: 0, seed: 1, poisonedCount: poisoned, realisedFraction: Double(poisoned) / 700,
                      metrics: [MetricKey.trainAccuracy: 0.9, MetricKey.testAccuracy: 0.8, MetricKey.trainCleanAccuracy: 0.9,
                                MetricKey.generalizationGap: 0.9 - 0.8, MetricKey.finalLoss: 0.1], divergence: nil)
                .problem(trainingRows: rows, recordable: nil)
        }
        // Gradient canceling at ε_d = 2.5 on 700 rows adds 1,750 poisons.
        #expect(problem(fraction: 2.5, poisoned: 1750, rows: 700) == nil)
        #expect(problem(fraction: 2.5, poisoned: 1750, rows: nil) == nil)
        // More than its budget, or more than the rows for a budget of at most 1: impossible.
        #expect(problem(fraction: 2.5, poisoned: 1751, rows: 700) == "its poisoned count 1751 exceeds the 1750 rows its fraction 2.5 asks of 700 training rows")
        #expect(problem(fraction: 0.5, poisoned: 1050, rows: nil) == "its poisoned count 1050 or realised fraction 1.5 is impossible")
    }

    @Test func aGapRoundedWithItsAccuraciesPassesAndAWrongOneShowsTheExpectedValue() {
        func problem(train: Double, test: Double, gap: Double) -> String? {
            RunResult(fraction: 0, series: 0, seed: 1, poisonedCount: 0, realisedFraction: 0,
                      metrics: [MetricKey.trainAccuracy: train, MetricKey.testAccuracy: test, MetricKey.trainCleanAccuracy: train,
                                MetricKey.generalizationGap: gap, MetricKey.finalLoss: 0.1], divergence: nil)
                .problem(trainingRows: nil, recordable: nil)
        }
        // Full precision, as make-report writes it: exact to about 1e-15.
        let (train, test) = (0.9123456789012345, 0.8234567890123456)
        #expect(problem(train: train, test: test, gap: train - test) == nil)
        #expect(problem(train: train, test: test, gap: train - test + 1e-12) != nil)
        // The same run rounded to 4 decimals (pandas' round(4)): train - test is 0.0888, the rounded
        // gap 0.0889; each is within half a unit of its true value, so they may differ by 1.5 units.
        #expect(problem(train: 0.9123, test: 0.8235, gap: 0.0889) == nil)
        #expect(problem(train: 0.91235, test: 0.82345, gap: 0.0889) == nil)
        // Off by more than the rounding explains: refused with the value expected.
        #expect(problem(train: 0.9123, test: 0.8235, gap: 0.0891)
            == "its generalizationGap is 0.0891, expected its trainAccuracy 0.9123 - testAccuracy 0.8235 = \(0.9123 - 0.8235) "
                + "(to within 0.00015, the rounding its numbers show)")
        #expect(problem(train: train, test: test, gap: 0.5)?.hasSuffix("(to within 1.04e-15, the rounding its numbers show)") == true)
        #expect(decimalPlaces(0.1235) == 4 && decimalPlaces(1.2345e-05) == 9 && decimalPlaces(1.0) == 0 && decimalPlaces(120) == 0)
        #expect(decimalPlaces(0.8234567890123456) == 16)
    }
}
