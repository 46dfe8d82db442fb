import Plotting
import ReportTemplates

/// LaTeX (`report.tex`, a complete article): figures linked as vector PDF when it was written.
struct LaTeXFormat: ReportFormatDefinition {
    let fileExtension = "tex"
    let shippedTemplate = ShippedTemplate.latex
    let figurePlacement = FigurePlacement.linked(preferring: [.pdf, .png])

    /// The specials `\ { } $ & # % _ ~ ^` escaped, and the Unicode symbols the tool writes (± ² — – − ×
    /// ≤ ≥ → ∞, Greek letters, curly quotes) as LaTeX commands, so pdflatex needs no Unicode set-up.
    func escape(_ text: String) -> String {
        text.map { character in Self.replacements[character] ?? String(character) }.joined()
    }

    /// Unchanged: figure paths are read verbatim by `\includegraphics`, and the tool's numbers hold no special.
    func escapeVerbatim(_ text: String) -> String { text }

    private static let replacements: [Character: String] = [
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
