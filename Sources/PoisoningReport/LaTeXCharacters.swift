import Foundation

/// How `report.tex` writes each character of escaped text so that pdflatex typesets it with the
/// template's packages (T1 font encoding, Latin Modern, no amsmath): the ASCII specials as escapes
/// (brackets braced),
/// the Unicode symbols the tool and its users write (Greek letters, ℓ, arrows, relations, operators,
/// dashes, quotes, super- and subscripts) as LaTeX commands, the Latin-1 letters (é, ñ, ß) as they
/// are (T1 has their glyphs and LaTeX reads UTF-8), and anything else as a visible `[U+XXXX]`
/// rather than an error that stops the compilation. The backtick is `\textasciigrave{}` (pdflatex would
/// set an opening quote), and `{}` parts two characters that the font would join into another glyph
/// (`ligates`: "--" would be an en dash, "<<" a guillemet), so that the text shows as written.
enum LaTeXCharacters {
    /// `text` in NFC (so that a letter and its combining accent become the one Latin-1 letter) with
    /// every scalar written by `latex(for:)`, `{}` between two that would join (`ligates`), and
    /// `\allowbreak{}` after each `/`, `_`, `.` and `-` inside a word (a run without white space) longer
    /// than `breakableWordLength` characters, so that a long path or identifier wraps instead of running
    /// into the margin.
    static func escape(_ text: String) -> String {
        let pieces = piecesBetweenBreaks(text)
        if pieces.count == 1 { return escapeCharacters(text) }
        return pieces.map(escapeCharacters).joined(separator: "\\allowbreak{}")
    }

    /// Words longer than this many characters may break after `/`, `_`, `.` and `-`; shorter ones
    /// (numbers such as 35.4, words such as loss-filter) stay whole.
    static let breakableWordLength = 20

    /// `text` cut after each `/`, `_`, `.` and `-` that is followed, in the same word, by another
    /// character, in the words longer than `breakableWordLength` (`[text]` when there is none).
    static func piecesBetweenBreaks(_ text: String) -> [String] {
        // No word of a text this short can be long (a character is at least one UTF-8 byte).
        guard text.utf8.count > breakableWordLength else { return [text] }
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = []
        var piece = String.UnicodeScalarView()
        var wordStart = 0
        var wordEnd = 0
        for (index, scalar) in scalars.enumerated() {
            piece.append(scalar)
            if index >= wordEnd {
                // A new word starts here: find where it ends (white space excluded).
                wordStart = index
                wordEnd = scalars[index...].firstIndex(where: \.properties.isWhitespace) ?? scalars.count
                if wordEnd == index { wordEnd = index + 1 }
            }
            let breaksAfter = scalar == "/" || scalar == "_" || scalar == "." || scalar == "-"
            if breaksAfter && index + 1 < wordEnd && wordEnd - wordStart > breakableWordLength {
                pieces.append(String(piece))
                piece = String.UnicodeScalarView()
            }
        }
        pieces.append(String(piece))
        return pieces
    }

    /// `escape` without the line breaks: each scalar written by `latex(for:)`, `{}` between two that
    /// would join.
    private static func escapeCharacters(_ text: String) -> String {
        // Plain ASCII without a special or a ligature, most of a report's text, is returned as it is,
        // without a copy.
        if text.utf8.allSatisfy({ $0 < 0x80 && asciiPassesThrough[Int($0)] }) && !zip(text.utf8, text.utf8.dropFirst()).contains(where: ligates) {
            return text
        }
        var result = ""
        result.reserveCapacity(text.utf8.count + 32)
        /// Appends `piece`, parted from what precedes it when the two would join.
        func append(_ piece: String) {
            if let last = result.utf8.last, let first = piece.utf8.first, ligates(last, first) { result += "{}" }
            result += piece
        }
        // ASCII text is its own NFC: each byte is written by the table, without normalizing.
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            for byte in text.utf8 { append(asciiLaTeX[Int(byte)]) }
            return result
        }
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars { append(latex(for: scalar)) }
        return result
    }

    /// Whether the T1 Latin Modern fonts join `first` and `second` into one glyph that is neither:
    /// `--` (en dash, and em dash with a third), ``` `` ``` and `''` (double quotes), `,,` (low double
    /// quote), `<<` and `>>` (guillemets), ``!` `` and ``?` `` (inverted marks). Letters' ligatures (fi,
    /// ff) show the letters and stay.
    static func ligates(_ first: UInt8, _ second: UInt8) -> Bool {
        switch (first, second) {
        case (UInt8(ascii: "-"), UInt8(ascii: "-")), (UInt8(ascii: "`"), UInt8(ascii: "`")), (UInt8(ascii: "'"), UInt8(ascii: "'")),
             (UInt8(ascii: ","), UInt8(ascii: ",")), (UInt8(ascii: "<"), UInt8(ascii: "<")), (UInt8(ascii: ">"), UInt8(ascii: ">")),
             (UInt8(ascii: "!"), UInt8(ascii: "`")), (UInt8(ascii: "?"), UInt8(ascii: "`")):
            true
        default:
            false
        }
    }

    /// For each ASCII byte, whether `latex(for:)` writes it as itself: it passes through and has no
    /// command (a table, so that the scan of plain text costs one load per byte).
    private static let asciiPassesThrough: [Bool] = (0..<128).map { byte in
        passesThrough(Unicode.Scalar(UInt8(byte))) && commands[Unicode.Scalar(UInt8(byte))] == nil
    }

    /// `latex(for:)` of each ASCII byte.
    private static let asciiLaTeX: [String] = (0..<128).map { latex(for: Unicode.Scalar(UInt8($0))) }

    /// The LaTeX for one scalar: its command when it has one, itself when pdflatex typesets it as it is
    /// (printable ASCII, tab, line breaks, the Latin-1 letters), else `{}[U+XXXX]` (the empty group
    /// keeps a preceding `\\` or `\item` from reading the bracket as its optional argument).
    static func latex(for scalar: Unicode.Scalar) -> String {
        if let command = commands[scalar] { return command }
        if passesThrough(scalar) { return String(scalar) }
        return "{}" + visibleCode(scalar)
    }

    /// "[U+2713]": the code point in upper-case hexadecimal, at least four digits.
    static func visibleCode(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "[U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + "]"
    }

    /// Printable ASCII without a command, tab, line feed and carriage return, and the Latin-1 letters
    /// U+00C0 to U+00FF except × and ÷ (which have commands).
    static func passesThrough(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20...0x7E, 0x09, 0x0A, 0x0D: true
        case 0xC0...0xFF: scalar != "×" && scalar != "÷"
        default: false
        }
    }

    /// Each mapped scalar's LaTeX. Math symbols are wrapped in `\ensuremath` so that they work in text
    /// and in math; text commands end in `{}` so that they do not swallow the following space.
    static let commands: [Unicode.Scalar: String] = {
        var table: [Unicode.Scalar: String] = [
            // The ASCII specials.
            "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "$": "\\$", "&": "\\&", "#": "\\#", "%": "\\%",
            "_": "\\_", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}", "`": "\\textasciigrave{}",
            // Brackets in braces, so that text opening a table row or an item ("[35.4% or more]") is never
            // read as the optional argument of the `\\` or `\item` before it.
            "[": "{[}", "]": "{]}",
            // Spaces, dashes, quotes and text symbols.
            "\u{00A0}": "~", "\u{2009}": "\\,", "\u{202F}": "\\,", "\u{2002}": "\\enspace{}", "\u{2003}": "\\quad{}",
            "\u{200B}": "{}",
            "\u{2010}": "-", "\u{2011}": "-", "\u{2012}": "--", "–": "--", "—": "---", "\u{2015}": "---",
            "‘": "`", "’": "'", "“": "``", "”": "''", "‚": "\\quotesinglbase{}", "„": "\\quotedblbase{}",
            "«": "\\guillemotleft{}", "»": "\\guillemotright{}", "‹": "\\guilsinglleft{}", "›": "\\guilsinglright{}",
            "…": "\\ldots{}", "•": "\\textbullet{}", "†": "\\dag{}", "‡": "\\ddag{}", "§": "\\S{}", "¶": "\\P{}",
            "©": "\\copyright{}", "®": "\\textregistered{}", "™": "\\texttrademark{}", "¡": "\\textexclamdown{}",
            "¿": "\\textquestiondown{}", "£": "\\pounds{}", "°": "\\ensuremath{^{\\circ}}",
            "ª": "\\textsuperscript{a}", "º": "\\textsuperscript{o}", "\u{00AD}": "\\-",
            // Operators and relations.
            "±": "\\ensuremath{\\pm}", "∓": "\\ensuremath{\\mp}", "×": "\\ensuremath{\\times}", "÷": "\\ensuremath{\\div}",
            "−": "\\ensuremath{-}", "·": "\\ensuremath{\\cdot}", "⋅": "\\ensuremath{\\cdot}", "∙": "\\ensuremath{\\cdot}",
            "∘": "\\ensuremath{\\circ}", "∗": "\\ensuremath{\\ast}", "¬": "\\ensuremath{\\neg}",
            "≤": "\\ensuremath{\\leq}", "≥": "\\ensuremath{\\geq}", "≠": "\\ensuremath{\\neq}", "≈": "\\ensuremath{\\approx}",
            "≡": "\\ensuremath{\\equiv}", "∼": "\\ensuremath{\\sim}", "≃": "\\ensuremath{\\simeq}", "≅": "\\ensuremath{\\cong}",
            "∝": "\\ensuremath{\\propto}", "≪": "\\ensuremath{\\ll}", "≫": "\\ensuremath{\\gg}", "≺": "\\ensuremath{\\prec}",
            "≻": "\\ensuremath{\\succ}",
            "∞": "\\ensuremath{\\infty}", "√": "\\ensuremath{\\surd}", "∂": "\\ensuremath{\\partial}", "∇": "\\ensuremath{\\nabla}",
            "∑": "\\ensuremath{\\sum}", "∏": "\\ensuremath{\\prod}", "∫": "\\ensuremath{\\int}",
            "∈": "\\ensuremath{\\in}", "∉": "\\ensuremath{\\notin}", "∋": "\\ensuremath{\\ni}", "⊂": "\\ensuremath{\\subset}",
            "⊃": "\\ensuremath{\\supset}", "⊆": "\\ensuremath{\\subseteq}", "⊇": "\\ensuremath{\\supseteq}",
            "∩": "\\ensuremath{\\cap}", "∪": "\\ensuremath{\\cup}", "∅": "\\ensuremath{\\emptyset}", "∀": "\\ensuremath{\\forall}",
            "∃": "\\ensuremath{\\exists}", "∧": "\\ensuremath{\\wedge}", "∨": "\\ensuremath{\\vee}", "⊕": "\\ensuremath{\\oplus}",
            "⊗": "\\ensuremath{\\otimes}", "⊙": "\\ensuremath{\\odot}", "⊤": "\\ensuremath{\\top}", "⊥": "\\ensuremath{\\perp}",
            "∣": "\\ensuremath{\\mid}", "‖": "\\ensuremath{\\|}", "⌈": "\\ensuremath{\\lceil}", "⌉": "\\ensuremath{\\rceil}",
            "⌊": "\\ensuremath{\\lfloor}", "⌋": "\\ensuremath{\\rfloor}", "⟨": "\\ensuremath{\\langle}", "⟩": "\\ensuremath{\\rangle}",
            "′": "\\ensuremath{^{\\prime}}", "″": "\\ensuremath{^{\\prime\\prime}}", "ℓ": "\\ensuremath{\\ell}",
            "ℝ": "\\ensuremath{\\mathbf{R}}", "ℕ": "\\ensuremath{\\mathbf{N}}", "ℤ": "\\ensuremath{\\mathbf{Z}}",
            "µ": "\\ensuremath{\\mu}", "½": "\\ensuremath{\\frac{1}{2}}", "¼": "\\ensuremath{\\frac{1}{4}}",
            "¾": "\\ensuremath{\\frac{3}{4}}", "⅓": "\\ensuremath{\\frac{1}{3}}", "⅔": "\\ensuremath{\\frac{2}{3}}",
            // Arrows.
            "←": "\\ensuremath{\\leftarrow}", "→": "\\ensuremath{\\rightarrow}", "↑": "\\ensuremath{\\uparrow}",
            "↓": "\\ensuremath{\\downarrow}", "↔": "\\ensuremath{\\leftrightarrow}", "↦": "\\ensuremath{\\mapsto}",
            "⇐": "\\ensuremath{\\Leftarrow}", "⇒": "\\ensuremath{\\Rightarrow}", "⇔": "\\ensuremath{\\Leftrightarrow}",
            "⟵": "\\ensuremath{\\longleftarrow}", "⟶": "\\ensuremath{\\longrightarrow}",
            // Superscripts and subscripts.
            "ᵀ": "\\textsuperscript{T}", "ⁿ": "\\textsuperscript{n}", "ⁱ": "\\textsuperscript{i}",
            "⁺": "\\ensuremath{^{+}}", "⁻": "\\ensuremath{^{-}}", "₊": "\\ensuremath{_{+}}", "₋": "\\ensuremath{_{-}}",
        ]
        // Greek: the lower-case letters and their variants, then the upper case (those shaped like a
        // Latin capital as that capital, upright).
        let greek: [(Unicode.Scalar, String)] = [
            ("α", "\\alpha"), ("β", "\\beta"), ("γ", "\\gamma"), ("δ", "\\delta"), ("ε", "\\varepsilon"), ("ζ", "\\zeta"),
            ("η", "\\eta"), ("θ", "\\theta"), ("ι", "\\iota"), ("κ", "\\kappa"), ("λ", "\\lambda"), ("μ", "\\mu"), ("ν", "\\nu"),
            ("ξ", "\\xi"), ("ο", "o"), ("π", "\\pi"), ("ρ", "\\rho"), ("ς", "\\varsigma"), ("σ", "\\sigma"), ("τ", "\\tau"),
            ("υ", "\\upsilon"), ("φ", "\\varphi"), ("χ", "\\chi"), ("ψ", "\\psi"), ("ω", "\\omega"),
            ("ϵ", "\\epsilon"), ("ϑ", "\\vartheta"), ("ϕ", "\\phi"), ("ϖ", "\\varpi"), ("ϱ", "\\varrho"),
            ("Α", "\\mathrm{A}"), ("Β", "\\mathrm{B}"), ("Γ", "\\Gamma"), ("Δ", "\\Delta"), ("Ε", "\\mathrm{E}"),
            ("Ζ", "\\mathrm{Z}"), ("Η", "\\mathrm{H}"), ("Θ", "\\Theta"), ("Ι", "\\mathrm{I}"), ("Κ", "\\mathrm{K}"),
            ("Λ", "\\Lambda"), ("Μ", "\\mathrm{M}"), ("Ν", "\\mathrm{N}"), ("Ξ", "\\Xi"), ("Ο", "\\mathrm{O}"), ("Π", "\\Pi"),
            ("Ρ", "\\mathrm{P}"), ("Σ", "\\Sigma"), ("Τ", "\\mathrm{T}"), ("Υ", "\\Upsilon"), ("Φ", "\\Phi"),
            ("Χ", "\\mathrm{X}"), ("Ψ", "\\Psi"), ("Ω", "\\Omega"),
        ]
        for (letter, command) in greek { table[letter] = "\\ensuremath{" + command + "}" }
        // Superscript digits ⁰ ¹ ² ³ ⁴ … ⁹ and subscript digits ₀ … ₉.
        let superscripts: [Unicode.Scalar] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        for (digit, scalar) in superscripts.enumerated() { table[scalar] = "\\textsuperscript{\(digit)}" }
        for digit in 0...9 { table[Unicode.Scalar(0x2080 + UInt32(digit))!] = "\\ensuremath{_{\(digit)}}" }
        return table
    }()
}
