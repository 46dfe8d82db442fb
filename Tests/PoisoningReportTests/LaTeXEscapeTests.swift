import Foundation
import Testing
@testable import PoisoningReport

/// `report.tex` always compiles: every character the tool can write (its string literals and
/// templates) has a LaTeX command or is typeset as it is, anything else becomes a visible
/// `[U+XXXX]`, and pdflatex compiles a document of every mapped character with the template's
/// preamble without an error or a missing glyph.
@Suite struct LaTeXEscapeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func symbolsBecomeCommands() {
        #expect(ReportFormat.latex.escape("kernel ridge rbf (ℓ = 8.0, λ = 1.0)")
            == #"kernel ridge rbf (\ensuremath{\ell} = 8.0, \ensuremath{\lambda} = 1.0)"#)
        #expect(ReportFormat.latex.escape("θ ≈ 0.5 … x ⇒ y, Σ ∂, 10⁻³, x₂")
            == #"\ensuremath{\theta} \ensuremath{\approx} 0.5 \ldots{} x \ensuremath{\Rightarrow} y, \ensuremath{\Sigma} \ensuremath{\partial}, 10\ensuremath{^{-}}\textsuperscript{3}, x\ensuremath{_{2}}"#)
    }

    /// Brackets are braced: a table row or an item that opens with one ("[35.4% or more]") must not be read
    /// as the optional argument of the `\\` or `\item` before it (`everyMappedCharacterCompiles` typesets one).
    @Test func bracketsAreBraced() {
        #expect(ReportFormat.latex.escape("[35.4% or more]") == #"{[}35.4\% or more{]}"#)
    }

    /// A word longer than 20 characters (a data path, an identifier) may break after each `/`, `_`, `.`
    /// and `-` followed by more of it, so that it wraps in a table cell (review r22c, finding 3); shorter
    /// words, numbers and the ends of words stay as they were.
    @Test func longWordsMayBreakAfterSeparators() {
        #expect(ReportFormat.latex.escape("data at /home/me/cifar_10-train.v2.csv, see it.")
            == #"data at /\allowbreak{}home/\allowbreak{}me/\allowbreak{}cifar\_\allowbreak{}10-\allowbreak{}train.\allowbreak{}v2.\allowbreak{}csv, see it."#)
        #expect(ReportFormat.latex.escape("a-b/c_d.e 35.4% loss-filter e.g. x/y") == #"a-b/c\_d.e 35.4\% loss-filter e.g. x/y"#)
        // Exactly 20 characters stay whole; 21 break, but not after a trailing separator.
        #expect(ReportFormat.latex.escape("aaaa/aaaa/aaaa/aaaa/") == "aaaa/aaaa/aaaa/aaaa/")
        #expect(ReportFormat.latex.escape("aaaa/aaaa/aaaa/aaaa/a.") == #"aaaa/\allowbreak{}aaaa/\allowbreak{}aaaa/\allowbreak{}aaaa/\allowbreak{}a."#)
        // Two hyphens across a break cannot join into a dash.
        #expect(ReportFormat.latex.escape("aaaaaaaaaa--bbbbbbbbbb") == #"aaaaaaaaaa-\allowbreak{}-\allowbreak{}bbbbbbbbbb"#)
    }

    @Test func latinLettersPassAndOthersBecomeVisibleCodes() {
        #expect(ReportFormat.latex.escape("Rényi, Müller, Straße") == "Rényi, Müller, Straße")
        // A letter and its combining accent become the precomposed letter (NFC).
        #expect(ReportFormat.latex.escape("Re\u{301}nyi") == "Rényi")
        #expect(ReportFormat.latex.escape("ok ✓, bell \u{7}, 😀") == "ok {}[U+2713], bell {}[U+0007], {}[U+1F600]")
    }

    /// ASCII text, whose NFC is itself, is written byte by byte from a table: the same as `latex(for:)`
    /// of each scalar, for every ASCII byte alone, between letters and beside a non-ASCII character
    /// (which takes the normalizing path).
    @Test func asciiTextIsWrittenAsEachOfItsScalars() {
        for byte in 0..<128 {
            let scalar = Unicode.Scalar(UInt8(byte))
            for text in [String(scalar), "a\(scalar)b", "\(scalar)\(scalar) x", "\(scalar)é"] {
                // Where the LaTeX of two scalars would join (`ligates`), `{}` parts them.
                var expected = ""
                for piece in text.unicodeScalars.map(LaTeXCharacters.latex(for:)) {
                    if let last = expected.utf8.last, let first = piece.utf8.first, LaTeXCharacters.ligates(last, first) { expected += "{}" }
                    expected += piece
                }
                #expect(LaTeXCharacters.escape(text) == expected, "\(byte) in \(text.debugDescription)")
            }
        }
        #expect(LaTeXCharacters.escape("50% of x_1 & y\tz") == #"50\% of x\_1 \& y"# + "\tz")
        #expect(LaTeXCharacters.escape("a\u{7}b") == "a{}[U+0007]b")
    }

    /// What the fonts would join into another glyph shows as written: dashes, quotes, guillemets and
    /// inverted marks parted by `{}`, also where a command's own dash meets the user's hyphen; the
    /// backtick as a grave accent, not an opening quote. The tool's own dashes and quotes stay ligatures.
    @Test func ligaturesArePartedSoThatTextShowsAsWritten() {
        #expect(LaTeXCharacters.escape("a--b ---c ``q'' ,,d << >> !` ?`")
            == #"a-{}-b -{}-{}-c \textasciigrave{}\textasciigrave{}q'{}' ,{},d <{}< >{}> !\textasciigrave{} ?\textasciigrave{}"#)
        #expect(LaTeXCharacters.escape("x –- y ‘‘ — é--") == #"x --{}- y `{}` --- é-{}-"#)
        #expect(LaTeXCharacters.escape("1–2, a - b, it's, <x>, (!)") == "1--2, a - b, it's, <x>, (!)")
    }

    /// Whatever the input, the output holds only printable ASCII, tab, line breaks and Latin-1 letters:
    /// checked for every scalar of the Basic Multilingual Plane and a few beyond it.
    @Test func everyScalarBecomesTypesetText() {
        let scalars = (0...0xFFFF).compactMap(Unicode.Scalar.init(_:)) + [0x1F600, 0x1D49C, 0x10FFFF].compactMap(Unicode.Scalar.init(_:))
        let untypeset = scalars.filter { scalar in
            !LaTeXCharacters.escape(String(scalar)).unicodeScalars.allSatisfy(LaTeXCharacters.passesThrough)
        }
        #expect(untypeset.isEmpty, "\(untypeset.prefix(10).map { LaTeXCharacters.visibleCode($0) })")
    }

    /// Every non-ASCII character in a string literal of `Sources/` and anywhere in the shipped templates has a
    /// command or is a Latin-1 letter: none of the tool's own text reaches the report as `[U+XXXX]`.
    @Test func everyCharacterTheToolWritesIsMapped() throws {
        var found = [Unicode.Scalar: String]()
        let sources = try swiftFiles(under: Self.root.appendingPathComponent("Sources"))
        #expect(sources.count > 100)
        for file in sources {
            for scalar in stringLiteralScalars(try String(contentsOf: file, encoding: .utf8)) where scalar.value > 0x7F {
                found[scalar] = file.lastPathComponent
            }
        }
        let templates = try FileManager.default.contentsOfDirectory(at: Self.root.appendingPathComponent("Sources/PoisoningReport/templates"),
                                                                    includingPropertiesForKeys: nil)
        for file in templates {
            for scalar in try String(contentsOf: file, encoding: .utf8).unicodeScalars where scalar.value > 0x7F {
                found[scalar] = file.lastPathComponent
            }
        }
        #expect(found["ℓ"] != nil && found["λ"] != nil, "the scan finds the kernel-ridge label's letters")
        let unmapped = found.filter { scalar, _ in LaTeXCharacters.escape(String(scalar)).contains("[U+") }
        #expect(unmapped.isEmpty, "\(unmapped.map { "\(LaTeXCharacters.visibleCode($0.key)) in \($0.value)" }.sorted())")
    }

    /// A scanner knows string literals from code and comments: interpolations, escapes, raw and
    /// multi-line strings.
    @Test func theScannerFindsOnlyStringLiterals() {
        let source = ##"""
            // α in a comment
            /* β in a block */ let x = "γ \(f("δ")) \" ε" + #"ζ "quoted" \(η)"# // θ
            let y = """
                ι
                """
            """##
        #expect(stringLiteralScalars(source).filter { $0.value > 0x7F } == ["γ", "δ", "ε", "ζ", "η", "ι"])
    }

    static let pdflatex = ["/usr/bin/pdflatex", "/usr/local/bin/pdflatex", "/Library/TeX/texbin/pdflatex"]
        .first(where: FileManager.default.isExecutableFile(atPath:))

    /// The template's preamble and a body that writes every mapped character and every passed-through
    /// Latin-1 letter, in running text, a table whose rows start with a visible code, and list items,
    /// compiles with no error and no missing glyph (`\tracinglostchars`).
    @Test(.enabled(if: pdflatex != nil, "pdflatex is not installed (make paper installs it)"))
    func everyMappedCharacterCompiles() throws {
        let template = try String(contentsOf: Self.root.appendingPathComponent("Sources/PoisoningReport/templates/report.tex.mustache"), encoding: .utf8)
        let preamble = template.components(separatedBy: "\\begin{document}")[0]
            .split(separator: "\n").filter { $0.hasPrefix("\\documentclass") || $0.hasPrefix("\\usepackage") }.joined(separator: "\n")
        let mapped = LaTeXCharacters.commands.keys.sorted { $0.value < $1.value }
        let letters = (0xC0...0xFF).compactMap(Unicode.Scalar.init(_:)).filter(LaTeXCharacters.passesThrough)
        let text = (mapped + letters).map { "\(LaTeXCharacters.visibleCode($0)) " + ReportFormat.latex.escape("a\(Character($0))b") }
            .joined(separator: ", ")
        let unknown = ReportFormat.latex.escape("✓ unknown")
        let document = preamble + "\n\\tracinglostchars=2\n\\begin{document}\n" + text + "\n\n"
            + "\\begin{tabular}{ll}\nA & B \\\\\n\(unknown) & \(unknown) \\\\\n\(unknown) & x \\\\\n"
            + "\(ReportFormat.latex.escape("[35.4% or more]")) & x \\\\\n\\end{tabular}\n\n"
            + "\\begin{itemize}\n\\item \(unknown)\n\\item \(ReportFormat.latex.escape("ℓ first"))\n\\end{itemize}\n"
            + "\\end{document}\n"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latex-escape-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, log) = try Self.compile(document, named: "characters", in: folder)
        let problems = log.split(separator: "\n").filter { $0.hasPrefix("!") || $0.contains("Missing character") }
        #expect(status == 0, "\(problems.prefix(5))")
        #expect(problems.isEmpty, "\(problems.prefix(5))")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("characters.pdf").path))
    }

    /// Every table of the shipped report.tex fits the page (review r22b, finding 2: the configuration
    /// table ran 188 pt into the margin, and a table longer than a page ran off it): the golden
    /// study's report and one whose title, data path and labels are long and full of specials compile
    /// twice (as `make paper` does) with no line or page overfull by more than 1 pt, and the long
    /// tables are longtables that repeat their header; so does one whose data path is long and has no
    /// space (review r22c, finding 3). Figures are replaced by rules of their width (the test has no
    /// figure files).
    @Test(.enabled(if: pdflatex != nil, "pdflatex is not installed (make paper installs it)"))
    func everyTableOfTheReportFitsThePage() throws {
        let long = try hostileCSVStudyResults(
            title: "A study of $x$ -- ``q'' << >> with a title long enough to wrap over two lines of the page, and more",
            folderName: "latex-fit", fileName: "hostile $ data -- file #2.csv",
            labelColumn: "label", labels: (even: "0", odd: "1"))
        // A data path without a space, far wider than the table's value column (review r22c, finding 3).
        let longPath = try hostileCSVStudyResults(
            title: "A study", folderName: "poisoning_studies/shared-data.sets/cifar10_features_extracted_with_resnet18",
            fileName: "cifar10_train_features_resnet18_penultimate_layer_v2.csv",
            labelColumn: "label", labels: (even: "0", odd: "1"))
        for (name, results) in [("golden", fixedResults()), ("long", long), ("long path", longPath)] {
            let settings = ReportSettings(command: "make-report --widths 16,64 --output out_dir", figureExtension: "pdf")
            let template = ReportFormat.latex.definition.shippedTemplate
            var report = try renderReport(template: template.text, fileName: template.fileName,
                                          context: reportContext(for: results, format: .latex, settings: settings), strict: true).text
            report = report.replacingOccurrences(of: #"\\includegraphics\[width=\\linewidth,height=\\figureimageheight,keepaspectratio\]\{[^}]*\}"#, with: #"\\rule{\\linewidth}{2cm}"#,
                                                 options: .regularExpression)
            #expect(!report.contains("\\includegraphics") && !report.contains("\\begin{tabular}") && report.contains("\\endhead"))
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latex-fit-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try Self.compile(report, named: "report", in: folder)
            let (status, log) = try Self.compile(report, named: "report", in: folder)
            let errors = log.split(separator: "\n").filter { $0.hasPrefix("!") }
            let overfull = log.split(separator: "\n").filter { line in
                guard line.hasPrefix("Overfull \\"), let size = line.split(separator: "(").dropFirst().first?.split(separator: "pt").first,
                      let points = Double(size) else { return false }
                return points > 1
            }
            #expect(status == 0 && errors.isEmpty, "\(name): \(errors.prefix(5))")
            #expect(overfull.isEmpty, "\(name): \(overfull.prefix(5))")
            #expect(log.contains("Output written on report.pdf"), "\(name)")
        }
    }

    /// No figure runs off its page, however tall its image and long its caption (issue 22: the near-clone-detection
    /// example's attack-success figure and its caption overflowed the page by 10.7 pt): the golden study's report,
    /// every figure an image 12 inches tall and 2 wide and every figure caption about 20 lines long, compiles twice
    /// with no page overfull by more than 1 pt (with the image at 0.75 of the text height, each page overflowed).
    @Test(.enabled(if: pdflatex != nil, "pdflatex is not installed (make paper installs it)"))
    func aTallFigureWithALongCaptionFitsItsPage() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("latex-tall-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let tall = #"\documentclass{article}\usepackage[paperwidth=2in,paperheight=12in,margin=0pt]{geometry}\pagestyle{empty}"#
            + #"\begin{document}\noindent\rule{2in}{12in}\end{document}"#
        _ = try Self.compile(tall, named: "tall", in: folder)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("tall.pdf").path))
        let settings = ReportSettings(command: "make-report", figureExtension: "pdf")
        let template = ReportFormat.latex.definition.shippedTemplate
        var report = try renderReport(template: template.text, fileName: template.fileName,
                                      context: reportContext(for: fixedResults(), format: .latex, settings: settings), strict: true).text
        let caption = String(repeating: "A caption that explains at length what the figure draws and how to read it. ", count: 24)
        var figures = 0
        report = report.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("\\includegraphics[") { figures += 1; return String(line.prefix { $0 != "{" }) + "{tall.pdf}" }
            if line.hasPrefix("\\setfigureimageheight{") { return "\\setfigureimageheight{\(caption)}" }
            if line.hasPrefix("\\caption{"), line.hasSuffix("}") { return "\\caption{\(caption)}" }
            return String(line)
        }.joined(separator: "\n")
        #expect(figures == 3)
        _ = try Self.compile(report, named: "report", in: folder)
        let (status, log) = try Self.compile(report, named: "report", in: folder)
        let overfull = log.split(separator: "\n").filter { line in
            guard line.hasPrefix("Overfull \\"), let size = line.split(separator: "(").dropFirst().first?.split(separator: "pt").first,
                  let points = Double(size) else { return false }
            return points > 1
        }
        #expect(status == 0 && log.contains("Output written on report.pdf"), "\(log.suffix(2000))")
        #expect(overfull.isEmpty, "\(overfull.prefix(5))")
    }

    /// Runs pdflatex on `document` as `NAME.tex` in `folder`: its exit status and its log.
    static func compile(_ document: String, named name: String, in folder: URL) throws -> (status: Int32, log: String) {
        try Data(document.utf8).write(to: folder.appendingPathComponent("\(name).tex"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pdflatex!)
        process.arguments = ["-interaction=nonstopmode", "-halt-on-error", "\(name).tex"]
        process.currentDirectoryURL = folder
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: folder.appendingPathComponent("\(name).log"), encoding: .isoLatin1)) ?? "")
    }
}

/// The `.swift` files under `folder`, recursively.
private func swiftFiles(under folder: URL) throws -> [URL] {
    guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
    return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
}

/// The scalars inside the string literals of Swift `source` (plain, raw `#"…"#` and multi-line),
/// interpolated expressions' own literals included, comments and code left out.
private func stringLiteralScalars(_ source: String) -> [Unicode.Scalar] {
    enum Context { case string(multiline: Bool, hashes: Int), interpolation(depth: Int), blockComment }
    let s = Array(source.unicodeScalars)
    var stack = [Context](), found = [Unicode.Scalar](), i = 0
    func at(_ k: Int) -> Unicode.Scalar? { k < s.count ? s[k] : nil }
    func matches(_ text: String, _ k: Int) -> Bool { text.unicodeScalars.enumerated().allSatisfy { at(k + $0.offset) == $0.element } }
    func hashes(from k: Int) -> Int { var n = 0; while at(k + n) == "#" { n += 1 }; return n }
    while i < s.count {
        switch stack.last {
        case .string(let multiline, let h)?:
            let closing = (multiline ? "\"\"\"" : "\"") + String(repeating: "#", count: h)
            if s[i] == "\\" && hashes(from: i + 1) == h {
                if at(i + 1 + h) == "(" { stack.append(.interpolation(depth: 1)); i += 2 + h } else { i += 2 + h }
            } else if matches(closing, i) {
                stack.removeLast()
                i += closing.unicodeScalars.count
            } else {
                found.append(s[i])
                i += 1
            }
        case .blockComment?:
            if matches("*/", i) { stack.removeLast(); i += 2 } else { i += 1 }
        default:   // code, at the top level or in an interpolation
            if matches("//", i) {
                while i < s.count && s[i] != "\n" { i += 1 }
            } else if matches("/*", i) {
                stack.append(.blockComment)
                i += 2
            } else if at(i + hashes(from: i)) == "\"" {
                let h = hashes(from: i)
                let multiline = matches("\"\"\"", i + h)
                stack.append(.string(multiline: multiline, hashes: h))
                i += h + (multiline ? 3 : 1)
            } else {
                if case .interpolation(let depth)? = stack.last {
                    if s[i] == "(" { stack[stack.count - 1] = .interpolation(depth: depth + 1) }
                    if s[i] == ")" { if depth == 1 { stack.removeLast() } else { stack[stack.count - 1] = .interpolation(depth: depth - 1) } }
                }
                i += 1
            }
        }
    }
    return found
}
