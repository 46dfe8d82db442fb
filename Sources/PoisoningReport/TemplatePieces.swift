import Foundation
import Mustache

/// The bytes after which a template is cut into a new piece. The Mustache parser takes time
/// quadratic in the length of what it parses (it measures distances in characters from its position
/// to the end of its text); pieces of about this length make the whole linear.
let templatePieceLength = 256

/// A stretch of a template replaced, in the piece that holds it, by a tag that renders the piece cut
/// out of it.
struct Replacement {
    let range: Range<String.Index>
    /// The placeholder tag (and a set-delimiter tag when the stretch changed the delimiters).
    let text: String
    /// The bytes the replacement takes off the piece that holds it.
    let saving: Int
}

/// One piece of a template: a stretch of it, less the stretches replaced by placeholders, after a
/// prefix that puts the parser in the state it is in at the stretch's start.
struct PieceLayout {
    /// The name the piece renders under.
    let name: String
    let range: Range<String.Index>
    /// Whether the parser is at the start of a line there (it reads the line's leading blanks).
    let lineStart: Bool
    let delimiters: (open: String, close: String)
    let replacements: [Replacement]

    /// The text the Mustache parser reads for this piece: the prefix, then the stretch with its
    /// replacements. The prefix sets the content type and, after a delimiter change, the delimiters:
    /// at a line start as lines of their own (standalone tags, removed from the output); elsewhere
    /// followed by an empty comment, so that no tag of the prefix stands alone.
    func text(of template: String) -> String {
        let pragma = "{{% CONTENT_TYPE: TEXT }}"
        let (open, close) = delimiters
        let setDelimiters = (open, close) == ("{{", "}}") ? "" : "{{=\(open) \(close)=}}"
        var text = lineStart ? pragma + "\n" + (setDelimiters.isEmpty ? "" : setDelimiters + "\n")
                             : pragma + setDelimiters + open + "!" + close
        var cursor = range.lowerBound
        for replacement in replacements {
            text += template[cursor..<replacement.range.lowerBound]
            text += replacement.text
            cursor = replacement.range.upperBound
        }
        text += template[cursor..<range.upperBound]
        return text
    }
}

extension PieceLayout {
    /// The text the Mustache parser makes of this piece when it holds no tag, found without parsing
    /// it: the stretch as written, less blanks that end it on a line of their own (the parser holds
    /// such blanks back as the indentation of a tag to come, and drops them at the end of its text).
    /// Nil when the piece holds a placeholder, its opening delimiter's bytes, or a byte outside
    /// ASCII: delimiters are printable ASCII (the scan refuses others), but the parser compares
    /// characters, to which a non-ASCII one can be equal (the Kelvin sign is "K"); such text is left
    /// to the parser.
    func verbatimText(of template: String) -> String? {
        guard replacements.isEmpty else { return nil }
        var text = String(template[range])
        let open = Array(delimiters.open.utf8), startsLine = lineStart
        return text.withUTF8 { bytes -> String? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            for start in bytes.indices where bytes[start] == open[0] && bytes[start...].starts(with: open) { return nil }
            // The parser is at a line's start after the stretch's last "\n" (which ends "\r\n" too),
            // or at its start when it starts a line.
            let lastLineStart = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? (startsLine ? 0 : nil)
            if let lastLineStart, lastLineStart < bytes.count,
               bytes[lastLineStart...].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
                return String(decoding: bytes[..<lastLineStart], as: UTF8.self)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// The pieces of a template: those of the top level, rendered one after the other, and those cut
/// out of sections, each rendered by its placeholder.
struct PieceLayouts {
    let topLevel: [PieceLayout]
    let inSections: [PieceLayout]
}

/// Cuts a template into pieces while `TemplateScanner` reads it, at places where the Mustache parser
/// reads the rest of the template the same way whatever came before: where it begins a line, or
/// where no blanks wait for the next token (after a tag, or inside text), and where nothing read
/// before looked past the cut. At the top level a piece ends at such a place once it holds
/// `pieceLength` bytes, and the next begins there. Inside a section the piece is cut out and
/// replaced by a placeholder variable, which renders it in the section's context (the parser is in
/// the same state after a variable tag, so the piece must end where no line starts).
struct PieceCutter {
    /// The part of one section (or of the top level) not yet cut out.
    private struct Frame {
        /// Where the current stretch starts (a byte offset), and the parser's state there.
        var start: Int
        var lineStart: Bool
        var delimiters: (open: String, close: String)
        /// Bytes taken off the current stretch by the replacements in it.
        var saved = 0
        /// The replacements in what is left of this section, in order.
        var replacements = [Replacement]()
        /// Where the current stretch's replacements start in `replacements`.
        var firstOfStretch = 0
    }

    private let template: String
    private let pieceLength: Int
    private var frames: [Frame]
    private var topLevel = [PieceLayout]()
    private var inSections = [PieceLayout]()

    init(_ template: String, pieceLength: Int) {
        self.template = template
        self.pieceLength = pieceLength
        frames = [Frame(start: 0, lineStart: true, delimiters: ("{{", "}}"))]
    }

    /// The bytes of the current stretch up to the byte offset `index`, less what its replacements
    /// take off.
    private func length(upTo index: Int) -> Int {
        index - frames[frames.count - 1].start - frames[frames.count - 1].saved
    }

    /// The template's bytes `start..<end` as a range of its indices.
    private func range(_ start: Int, _ end: Int) -> Range<String.Index> {
        let utf8 = template.utf8
        return utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: end)
    }

    /// A place between the parser's tokens (a byte offset): at a line start or not, whether the
    /// parser may start a piece there (no blanks wait) and whether a piece may end there (nothing
    /// looked past it).
    mutating func point(at index: Int, lineStart: Bool, startable: Bool, safe: Bool,
                        delimiters: (open: String, close: String)) {
        guard startable, safe, frames.count == 1 || !lineStart, length(upTo: index) >= pieceLength else { return }
        cut(at: index, lineStart: lineStart, delimiters: delimiters)
    }

    /// A place inside text (a byte offset), where a piece may end and the next begin.
    mutating func textPoint(at index: Int, delimiters: (open: String, close: String)) {
        guard length(upTo: index) >= pieceLength else { return }
        cut(at: index, lineStart: false, delimiters: delimiters)
    }

    /// Ends the current stretch at the byte offset `index`: as a piece of its own at the top level,
    /// else as a placeholder in its section.
    private mutating func cut(at index: Int, lineStart: Bool, delimiters: (open: String, close: String)) {
        let top = frames.count - 1
        let frame = frames[top]
        let inStretch = Array(frame.replacements[frame.firstOfStretch...])
        frames[top].replacements.removeSubrange(frame.firstOfStretch...)
        let piece = PieceLayout(name: piecePlaceholderPrefix + String(topLevel.count + inSections.count + 1), range: range(frame.start, index),
                                lineStart: frame.lineStart, delimiters: frame.delimiters, replacements: inStretch)
        if top == 0 {
            topLevel.append(piece)
        } else {
            inSections.append(piece)
            let name = piece.name
            let (open, close) = frame.delimiters
            var text = open + name + " " + close
            if delimiters != frame.delimiters { text += open + "=" + delimiters.open + " " + delimiters.close + "=" + close }
            frames[top].replacements.append(Replacement(range: piece.range, text: text,
                                                        saving: length(upTo: index) - text.utf8.count))
        }
        frames[top].start = index
        frames[top].lineStart = lineStart
        frames[top].delimiters = delimiters
        frames[top].saved = 0
        frames[top].firstOfStretch = frames[top].replacements.count
    }

    /// A section's body starts at the byte offset `index`, with the parser in the given state.
    mutating func openSection(at index: Int, lineStart: Bool, delimiters: (open: String, close: String)) {
        frames.append(Frame(start: index, lineStart: lineStart, delimiters: delimiters))
    }

    /// The section ends: what is left of it stays in the piece that holds it.
    mutating func closeSection() {
        let closed = frames.removeLast()
        frames[frames.count - 1].replacements += closed.replacements
        frames[frames.count - 1].saved += closed.replacements.reduce(0) { $0 + $1.saving }
    }

    /// The pieces, the last ending at the template's end.
    func finish() -> PieceLayouts {
        let frame = frames[0]
        let last = PieceLayout(name: piecePlaceholderPrefix + String(topLevel.count + inSections.count + 1),
                               range: range(frame.start, template.utf8.count),
                               lineStart: frame.lineStart, delimiters: frame.delimiters,
                               replacements: Array(frame.replacements[frame.firstOfStretch...]))
        return PieceLayouts(topLevel: topLevel + [last], inSections: inSections)
    }
}

/// A parsed template: the Mustache templates of its pieces, each under its name, and the pieces of
/// the top level, rendered one after the other: each its text, when it holds no tag (the CSS and
/// script of the HTML template, for example, are never parsed), or a runner that renders its piece
/// inside a section over the context, so that the pieces' names lie behind the context, where its
/// own names and `{{.}}` never meet them.
public struct ParsedTemplate: Sendable {
    /// A piece of the top level.
    enum TopLevelPiece: Sendable {
        /// Text without a tag, rendered as it is (`PieceLayout.verbatimText`).
        case text(String)
        /// A runner of a piece parsed by the Mustache parser.
        case runner(MustacheTemplate)
    }

    let topLevel: [TopLevelPiece]
    let pieces: [String: MustacheTemplate]
    /// The template's tags.
    let tags: [TemplateTag]

    /// The name the context renders under.
    static let contextName = piecePlaceholderPrefix + "context"

    /// The template rendered against `context`.
    public func render(_ context: TemplateValue) -> String {
        var root: [String: Any] = [Self.contextName: context.mustacheValue]
        root.reserveCapacity(pieces.count + 1)
        for (name, piece) in pieces { root[name] = piece }
        return topLevel.map { piece in
            switch piece {
            case let .text(text): text
            case let .runner(runner): runner.render(root)
            }
        }.joined()
    }
}
