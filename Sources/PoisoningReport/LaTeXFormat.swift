import Plotting
import ReportTemplates

/// LaTeX (`report.tex`, a complete article): figures linked as vector PDF when it was written.
struct LaTeXFormat: ReportFormatDefinition {
    let fileExtension = "tex"
    let shippedTemplate = ShippedTemplate.latex
    let figurePlacement = FigurePlacement.linked(preferring: [.pdf, .png])

    /// The specials `\ { } $ & # % _ ~ ^` escaped, and the Unicode symbols the tool writes (± ² — – − ×
    /// ≤ ≥ → ∞, Greek letters, curly quotes) as LaTeX commands, so pdflatex needs no Unicode set-up.
    /// Text with none of them is returned as it is, without a copy.
    func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: Self.specials.contains) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 32)
        for character in text {
            if let replacement = Self.replacements[character] { escaped += replacement } else { escaped.append(character) }
        }
        return escaped
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

    /// The Unicode scalars of the characters `replacements` names (each one scalar).
    private static let specials = Set(replacements.keys.flatMap(\.unicodeScalars))
}
