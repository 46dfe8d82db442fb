import CCairo
import CHarfBuzz

/// Errors of the plotting layer, each naming what to do about it.
public enum PlottingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// fontconfig found no usable font for the family.
    case fontNotFound(family: String)
    /// Cairo reported an error.
    case cairo(String)

    public var description: String {
        switch self {
        case .fontNotFound(let family):
            "no font found for \"\(family)\" through fontconfig; install a sans-serif font, e.g. "
                + "`apt-get install fonts-dejavu-core`"
        case .cairo(let message):
            "cairo failed: \(message)"
        }
    }
}

/// A shaped run of text: glyph indices with pen positions relative to the start of the baseline,
/// in points at `size`.
struct ShapedText {
    let glyphs: [cairo_glyph_t]
    /// Advance width of the whole run.
    let width: Double
}

/// A font face found through fontconfig, loaded twice from the same file: by Cairo's FreeType
/// backend for drawing glyphs and by HarfBuzz's OpenType functions for shaping them, so glyph
/// indices agree. Owns its Cairo and HarfBuzz objects and releases them in `deinit`.
public final class Font {
    /// The family fontconfig matched, e.g. "DejaVu Sans".
    public let family: String
    /// The font file.
    public let path: String
    let cairoFace: OpaquePointer
    private let hbBlob: OpaquePointer
    private let hbFace: OpaquePointer
    private let hbFont: OpaquePointer
    private let unitsPerEm: Double
    /// Ascender and descender (positive, below the baseline) in em units.
    let ascent: Double
    let descent: Double

    /// The best match for `family` (default "DejaVu Sans", falling back to fontconfig's sans). The
    /// default family's match is looked up once per process (`FontMatch.defaultFamily`): loading
    /// fontconfig's configuration and font list took about 5 ms of CPU, and a command makes a font
    /// several times (the figures' layout, their drawing, the template check).
    public init(family requested: String = "DejaVu Sans") throws {
        let ownMatch = requested != FontMatch.defaultFamilyName
        let match = try ownMatch ? FontMatch(requested) : FontMatch.defaultFamily.get()
        // A match looked up for this font alone is released once Cairo holds its own reference.
        defer { if ownMatch { FcPatternDestroy(match.pattern) } }
        path = match.path
        family = match.family
        let index = match.index

        hbBlob = hb_blob_create_from_file(path)
        guard hb_blob_get_length(hbBlob) > 0 else {
            hb_blob_destroy(hbBlob)
            throw PlottingError.fontNotFound(family: requested)
        }
        hbFace = hb_face_create(hbBlob, UInt32(index))
        hbFont = hb_font_create(hbFace)
        unitsPerEm = Double(hb_face_get_upem(hbFace))
        var extents = hb_font_extents_t()
        _ = hb_font_get_h_extents(hbFont, &extents)
        ascent = Double(extents.ascender) / unitsPerEm
        descent = -Double(extents.descender) / unitsPerEm
        // Cairo references the (fully resolved) pattern and opens the same file with FreeType.
        cairoFace = cairo_ft_font_face_create_for_pattern(match.pattern)
    }

    deinit {
        cairo_font_face_destroy(cairoFace)
        hb_font_destroy(hbFont)
        hb_face_destroy(hbFace)
        hb_blob_destroy(hbBlob)
    }

    /// Shapes UTF-8 `text` at `size` points with HarfBuzz (script, language and direction guessed).
    func shape(_ text: String, size: Double) -> ShapedText {
        let buffer = hb_buffer_create()
        defer { hb_buffer_destroy(buffer) }
        hb_buffer_add_utf8(buffer, text, -1, 0, -1)
        hb_buffer_guess_segment_properties(buffer)
        hb_shape(hbFont, buffer, nil, 0)
        var count: UInt32 = 0
        guard let infos = hb_buffer_get_glyph_infos(buffer, &count),
              let positions = hb_buffer_get_glyph_positions(buffer, &count) else {
            return ShapedText(glyphs: [], width: 0)
        }
        let scale = size / unitsPerEm
        var pen = 0.0
        var glyphs = [cairo_glyph_t]()
        glyphs.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            let position = positions[index]
            glyphs.append(cairo_glyph_t(index: UInt(infos[index].codepoint),
                                        x: pen + Double(position.x_offset) * scale,
                                        y: -Double(position.y_offset) * scale))
            pen += Double(position.x_advance) * scale
        }
        return ShapedText(glyphs: glyphs, width: pen)
    }

    /// The advance width of `text` at `size` points.
    public func width(of text: String, size: Double) -> Double { shape(text, size: size).width }

    /// Looks the default family's match up now, if no font has yet: what the first `Font()` of the
    /// process costs beyond the rest (about 5 ms of CPU), so that one worker can pay it while another
    /// works (`checkTemplates`). A font not found is left for `Font()` to report.
    public static func lookUpDefaultFamily() { _ = FontMatch.defaultFamily }
}

/// fontconfig's fully resolved match for a font family: the pattern Cairo renders with (file, index,
/// hinting and antialiasing as the configuration gives them), its file, face index and family.
/// Unchecked Sendable: the pattern is never modified after `FcFontMatch` (the default family's is
/// kept for the process, another family's released by the `Font` that looked it up), and
/// fontconfig counts its references atomically, so Cairo may reference it from any thread.
struct FontMatch: @unchecked Sendable {
    /// The family a `Font` asks for unless told otherwise.
    static let defaultFamilyName = "DejaVu Sans"
    /// The default family's match, looked up on first use and kept for the process (or the error,
    /// when fontconfig finds no font: that does not change while the process runs).
    static let defaultFamily = Result { try FontMatch(defaultFamilyName) }

    let pattern: OpaquePointer
    let path: String
    let index: Int32
    let family: String

    /// Looks `requested` up through fontconfig: its configuration and fonts, the pattern with the
    /// configuration's and the default substitutions, the best match.
    init(_ requested: String) throws(PlottingError) {
        guard let config = FcInitLoadConfigAndFonts() else { throw PlottingError.fontNotFound(family: requested) }
        defer { FcConfigDestroy(config) }
        guard let pattern = FcNameParse(requested) else { throw PlottingError.fontNotFound(family: requested) }
        defer { FcPatternDestroy(pattern) }
        FcConfigSubstitute(config, pattern, FcMatchPattern)
        FcDefaultSubstitute(pattern)
        var result = FcResultNoMatch
        guard let match = FcFontMatch(config, pattern, &result) else { throw PlottingError.fontNotFound(family: requested) }
        var file: UnsafeMutablePointer<FcChar8>?
        var familyName: UnsafeMutablePointer<FcChar8>?
        var index: Int32 = 0
        guard result == FcResultMatch, FcPatternGetString(match, "file", 0, &file) == FcResultMatch, let file else {
            FcPatternDestroy(match)
            throw PlottingError.fontNotFound(family: requested)
        }
        _ = FcPatternGetInteger(match, "index", 0, &index)
        _ = FcPatternGetString(match, "family", 0, &familyName)
        self.pattern = match
        self.path = String(cString: file)
        self.index = index
        self.family = familyName.map { String(cString: $0) } ?? requested
    }
}
