/// The output languages of a report. Every string the tool puts into a template's context is
/// escaped for the report's format, so data can never break the document.
public enum ReportFormat: String, Sendable, CaseIterable {
    /// Markdown (`.md`).
    case markdown = "md"
    /// LaTeX (`.tex`).
    case latex = "tex"

    /// The format a template or report file name implies: "x.md" or "x.md.mustache" is Markdown,
    /// "x.tex" or "x.tex.mustache" is LaTeX; nil otherwise.
    public init?(fileName: String) {
        let name = fileName.hasSuffix(".mustache") ? String(fileName.dropLast(".mustache".count)) : fileName
        if name.hasSuffix(".md") { self = .markdown } else if name.hasSuffix(".tex") { self = .latex } else { return nil }
    }

    /// `text` made safe for the format. Markdown: `|` (table cells) and `\` are escaped. LaTeX: the
    /// specials `\ { } $ & # % _ ~ ^` are escaped, and the Unicode symbols the tool writes (± ² — – − × ≤ ≥ → ∞,
    /// Greek letters, curly quotes) become LaTeX commands, so pdflatex needs no Unicode set-up.
    public func escape(_ text: String) -> String {
        switch self {
        case .markdown:
            return text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "|", with: "\\|")
        case .latex:
            return text.map { character in Self.latexReplacements[character] ?? String(character) }.joined()
        }
    }

    private static let latexReplacements: [Character: String] = [
        "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "$": "\\$", "&": "\\&", "#": "\\#", "%": "\\%",
        "_": "\\_", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}",
        "±": "\\ensuremath{\\pm}", "²": "\\textsuperscript{2}", "—": "---", "–": "--", "−": "\\ensuremath{-}",
        "×": "\\ensuremath{\\times}", "≤": "\\ensuremath{\\leq}", "≥": "\\ensuremath{\\geq}",
        "→": "\\ensuremath{\\rightarrow}", "α": "\\ensuremath{\\alpha}", "β": "\\ensuremath{\\beta}",
        "γ": "\\ensuremath{\\gamma}", "δ": "\\ensuremath{\\delta}", "ε": "\\ensuremath{\\varepsilon}", "κ": "\\ensuremath{\\kappa}",
        "σ": "\\ensuremath{\\sigma}",
        "∞": "\\ensuremath{\\infty}", "“": "``", "”": "''",
    ]
}
