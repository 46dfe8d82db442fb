import CCairo
import Foundation

/// The file formats a canvas can produce.
public enum ImageFormat: String, Sendable, CaseIterable, Codable {
    /// A raster image at the canvas's dpi.
    case png
    /// A vector PDF with a fixed creation date, so equal drawings give equal bytes.
    case pdf
    /// A vector SVG.
    case svg
}

/// How a line is stroked.
public enum LineStyle: Sendable, Equatable {
    case solid, dashed, dotted, dashDot

    /// Cairo dash lengths for a line of width `width` (points).
    func dashes(width: Double) -> [Double] {
        switch self {
        case .solid: []
        case .dashed: [5.5 * max(width, 1), 3 * max(width, 1)]
        case .dotted: [1 * max(width, 1), 2.2 * max(width, 1)]
        case .dashDot: [6 * max(width, 1), 2.5 * max(width, 1), 1 * max(width, 1), 2.5 * max(width, 1)]
        }
    }
}

/// Marker shapes, distinguishable without colour. Seven, a number prime to the 16 colours of
/// `Color.colorBlindSafe`, so that a colour that comes round again (n + 16) has another marker.
public enum MarkerShape: Sendable, Equatable, CaseIterable {
    case circle, square, triangleUp, diamond, triangleDown, pentagon, star
}

/// A text a canvas drew and the axis-aligned box it covers in device space (points): its advance
/// width by its line height (ascent + descent), rotated with the text when the text is, and the size
/// it was drawn at.
public struct TextBox: Sendable, Equatable {
    /// The text.
    public let text: String
    /// The box.
    public let rect: Rect
    /// The font size, in points of the canvas (a figure printed at a scale prints it at size × scale).
    public let size: Double
}

/// How one series (a model, an attack, a defense) is drawn: colour, marker and line style.
/// Series are told apart by colour and marker only: their lines are always solid, because the other
/// line styles mean something else in every figure (dashed: a fitted curve; dotted: a threshold;
/// dash-dotted: a reference such as chance).
public struct SeriesStyle: Sendable, Equatable {
    public let color: Color
    public let marker: MarkerShape
    /// The style of the series' data line: solid.
    public let line: LineStyle

    /// The n-th of a sequence of styles: colour n mod 16 of `Color.colorBlindSafe`, marker n mod 7,
    /// so a colour that comes round again (n + 16) has another marker; the first 112 (16 × 7, the two
    /// numbers being prime to each other) differ in colour or marker.
    public init(index n: Int) {
        precondition(n >= 0, "a style index is not negative")
        self.init(color: Color.colorBlindSafe[n % Color.colorBlindSafe.count], marker: MarkerShape.allCases[n % MarkerShape.allCases.count])
    }

    /// A style of `color` and `marker`, with a solid line.
    public init(color: Color, marker: MarkerShape) {
        self.color = color
        self.marker = marker
        line = .solid
    }
}

/// Where a text's anchor point lies on the text's box.
public enum TextAnchor: Sendable {
    case topLeft, top, topRight, left, center, right, bottomLeft, bottom, bottomRight, baselineLeft
}

/// A drawing surface in points (1/72 inch), backed by Cairo: a raster image (PNG) at `dpi`, or a
/// PDF or SVG document. All drawing goes through its methods; no C pointer leaves this type.
/// `render()` returns the file's bytes. The surface and context are released in `deinit`.
public final class Canvas {
    /// Width in points.
    public let width: Double
    /// Height in points.
    public let height: Double
    /// Output format.
    public let format: ImageFormat
    /// Raster resolution (PNG only): pixels per inch.
    public let dpi: Double
    /// The font all text is set in.
    public let font: Font
    /// Every text drawn so far, in drawing order, with the box it covers in device space (points).
    public private(set) var textBoxes: [TextBox] = []
    private let surface: OpaquePointer
    private let context: OpaquePointer
    private let sink = ByteSink()

    /// A white canvas of `width` × `height` points.
    public init(width: Double, height: Double, format: ImageFormat, dpi: Double = 150, font: Font) throws {
        self.width = width
        self.height = height
        self.format = format
        self.dpi = dpi
        self.font = font
        let closure = Unmanaged.passUnretained(sink).toOpaque()
        switch format {
        case .png:
            surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32((width * dpi / 72).rounded()),
                                                 Int32((height * dpi / 72).rounded()))
        case .pdf:
            surface = cairo_pdf_surface_create_for_stream(appendToSink, closure, width, height)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z")
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "make-report")
        case .svg:
            surface = cairo_svg_surface_create_for_stream(appendToSink, closure, width, height)
            cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PT)
        }
        context = cairo_create(surface)
        if format == .png { cairo_scale(context, dpi / 72, dpi / 72) }
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)   // HarfBuzz positions glyphs
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY)
        cairo_set_font_options(context, options)
        cairo_font_options_destroy(options)
        cairo_set_font_face(context, font.cairoFace)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        if format == .png {
            // The pixel grid rounds the point size, so it may reach up to half a pixel past it: paint
            // every pixel white (a fill of the point rectangle would leave a half-covered, grey edge).
            setColor(.white)
            cairo_paint(context)
        } else {
            fillRect(Rect(x: 0, y: 0, width: width, height: height), color: .white)
        }
        try checkStatus()
    }

    deinit {
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// Finishes the drawing and returns the file's bytes.
    public func render() throws -> Data {
        switch format {
        case .png:
            return try pngImage().encoded()
        case .pdf, .svg:
            try checkStatus()
            cairo_surface_finish(surface)
            let status = cairo_surface_status(surface)
            guard status == CAIRO_STATUS_SUCCESS else { throw PlottingError.cairo(String(cString: cairo_status_to_string(status))) }
        }
        return format == .svg ? renumberingSurfaceIDs(sink.data) : sink.data
    }

    /// The drawing of a PNG canvas as filtered scanlines, to be compressed apart from the canvas
    /// (`PNGImage.encoded`, what `render` returns).
    public func pngImage() throws -> PNGImage {
        precondition(format == .png, "only a PNG canvas has pixels")
        try checkStatus()
        cairo_surface_flush(surface)
        guard let pixels = cairo_image_surface_get_data(surface) else { throw PlottingError.cairo("the image has no pixels") }
        return PNGImage(argb: pixels, width: Int(cairo_image_surface_get_width(surface)), height: Int(cairo_image_surface_get_height(surface)),
                        stride: Int(cairo_image_surface_get_stride(surface)), dpi: dpi)
    }

    /// The colour of the pixel under the device point (points) of a PNG canvas, un-premultiplied.
    public func pixel(at point: Point) -> Color {
        precondition(format == .png, "pixels exist only on raster canvases")
        cairo_surface_flush(surface)
        let column = Int(point.x * dpi / 72), row = Int(point.y * dpi / 72)
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let data = cairo_image_surface_get_data(surface), column >= 0, row >= 0,
              column < Int(cairo_image_surface_get_width(surface)),
              row < Int(cairo_image_surface_get_height(surface)) else { return Color(red: 0, green: 0, blue: 0, alpha: 0) }
        // ARGB32: one native-endian 32-bit word per pixel, colour premultiplied by alpha.
        let word = data.advanced(by: row * stride + column * 4).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee }
        let alpha = Double(word >> 24) / 255
        guard alpha > 0 else { return Color(red: 0, green: 0, blue: 0, alpha: 0) }
        return Color(red: Double((word >> 16) & 0xFF) / 255 / alpha, green: Double((word >> 8) & 0xFF) / 255 / alpha,
                     blue: Double(word & 0xFF) / 255 / alpha, alpha: alpha)
    }

    // MARK: Drawing

    /// Fills a rectangle.
    public func fillRect(_ rect: Rect, color: Color) {
        setColor(color)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_fill(context)
    }

    /// Fills a closed polygon through device points.
    public func fillPolygon(_ points: [Point], color: Color) {
        guard let first = points.first else { return }
        setColor(color)
        cairo_move_to(context, first.x, first.y)
        for point in points.dropFirst() { cairo_line_to(context, point.x, point.y) }
        cairo_close_path(context)
        cairo_fill(context)
    }

    /// Strokes a rectangle's outline.
    public func strokeRect(_ rect: Rect, color: Color, width: Double) {
        setColor(color)
        cairo_set_line_width(context, width)
        cairo_set_dash(context, nil, 0, 0)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_stroke(context)
    }

    /// Strokes a polyline through device points; non-finite points break the line.
    public func strokeLine(_ points: [Point], color: Color, width: Double, style: LineStyle = .solid) {
        setColor(color)
        cairo_set_line_width(context, width)
        cairo_set_line_cap(context, style == .dotted ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT)
        let dashes = style.dashes(width: width)
        cairo_set_dash(context, dashes, Int32(dashes.count), 0)
        var penDown = false
        for point in points {
            guard point.x.isFinite && point.y.isFinite else {
                penDown = false
                continue
            }
            if penDown { cairo_line_to(context, point.x, point.y) } else { cairo_move_to(context, point.x, point.y) }
            penDown = true
        }
        cairo_stroke(context)
        cairo_set_dash(context, nil, 0, 0)
    }

    /// Draws a marker of diameter `size` centred on a device point: filled, with a white edge, or open
    /// (`filled` false): white inside an edge in `color`.
    public func drawMarker(_ shape: MarkerShape, at center: Point, size: Double, color: Color, filled: Bool = true) {
        let radius = size / 2
        switch shape {
        case .circle:
            cairo_new_sub_path(context)
            cairo_arc(context, center.x, center.y, radius, 0, 2 * .pi)
        case .square:
            let side = radius * 1.7
            cairo_rectangle(context, center.x - side / 2, center.y - side / 2, side, side)
        case .triangleUp: polygon(center, radius * 1.2, corners: 3, rotation: -.pi / 2)
        case .triangleDown: polygon(center, radius * 1.2, corners: 3, rotation: .pi / 2)
        case .diamond: polygon(center, radius * 1.2, corners: 4, rotation: 0)
        case .pentagon: polygon(center, radius * 1.1, corners: 5, rotation: -.pi / 2)
        case .star: star(center, radius * 1.3)
        }
        // Filled: the colour with a thin white outline; open: white inside a line in the colour.
        setColor(filled ? color : .white)
        cairo_fill_preserve(context)
        setColor(filled ? .white : color)
        cairo_set_line_width(context, filled ? 0.6 : 1.3)
        cairo_set_dash(context, nil, 0, 0)
        cairo_stroke(context)
    }

    /// Draws `text` at `size` points with its `anchor` at a device point, rotated by `degrees`
    /// counter-clockwise about that point, and records its box in `textBoxes`.
    public func drawText(_ text: String, at point: Point, size: Double, color: Color = .ink,
                         anchor: TextAnchor = .baselineLeft, degrees: Double = 0) {
        let shaped = font.shape(text, size: size)
        let box = textBox(width: shaped.width, size: size, anchor: anchor)
        let bounds = Rect(x: box.x, y: box.y - font.ascent * size, width: shaped.width, height: (font.ascent + font.descent) * size)
        textBoxes.append(TextBox(text: text, rect: bounds.rotated(degrees: degrees).offset(by: point), size: size))
        cairo_save(context)
        cairo_translate(context, point.x, point.y)
        cairo_rotate(context, -degrees * .pi / 180)
        cairo_set_font_size(context, size)
        setColor(color)
        let glyphs = shaped.glyphs.map { cairo_glyph_t(index: $0.index, x: $0.x + box.x, y: $0.y + box.y) }
        cairo_show_glyphs(context, glyphs, Int32(glyphs.count))
        cairo_restore(context)
    }

    /// The box `text` occupies when drawn unrotated with its anchor at the origin.
    public func textBounds(_ text: String, size: Double, anchor: TextAnchor = .baselineLeft) -> Rect {
        let width = font.width(of: text, size: size)
        let baseline = textBox(width: width, size: size, anchor: anchor)
        return Rect(x: baseline.x, y: baseline.y - font.ascent * size, width: width,
                    height: (font.ascent + font.descent) * size)
    }

    /// Height of a line of text at `size` points (ascent + descent).
    public func lineHeight(size: Double) -> Double { (font.ascent + font.descent) * size }

    /// Runs `body` with drawing clipped to `rect`.
    public func clipped(to rect: Rect, _ body: () -> Void) {
        cairo_save(context)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(context)
        body()
        cairo_restore(context)
    }

    // MARK: Private

    /// The baseline-left pen position, relative to the anchor point, for a text of `width`.
    private func textBox(width: Double, size: Double, anchor: TextAnchor) -> Point {
        let ascent = font.ascent * size, descent = font.descent * size
        let x: Double
        switch anchor {
        case .topLeft, .left, .bottomLeft, .baselineLeft: x = 0
        case .top, .center, .bottom: x = -width / 2
        case .topRight, .right, .bottomRight: x = -width
        }
        let y: Double
        switch anchor {
        case .topLeft, .top, .topRight: y = ascent
        case .left, .center, .right: y = (ascent - descent) / 2
        case .bottomLeft, .bottom, .bottomRight: y = -descent
        case .baselineLeft: y = 0
        }
        return Point(x, y)
    }

    private func setColor(_ color: Color) {
        cairo_set_source_rgba(context, color.red, color.green, color.blue, color.alpha)
    }

    private func polygon(_ center: Point, _ radius: Double, corners: Int, rotation: Double) {
        for corner in 0..<corners {
            let angle = rotation + 2 * .pi * Double(corner) / Double(corners)
            let x = center.x + radius * cos(angle), y = center.y + radius * sin(angle)
            if corner == 0 { cairo_move_to(context, x, y) } else { cairo_line_to(context, x, y) }
        }
        cairo_close_path(context)
    }

    private func star(_ center: Point, _ radius: Double) {
        for corner in 0..<10 {
            let angle = -.pi / 2 + .pi * Double(corner) / 5
            let length = corner.isMultiple(of: 2) ? radius : radius * 0.45
            let x = center.x + length * cos(angle), y = center.y + length * sin(angle)
            if corner == 0 { cairo_move_to(context, x, y) } else { cairo_line_to(context, x, y) }
        }
        cairo_close_path(context)
    }

    private func checkStatus() throws {
        let status = cairo_status(context)
        guard status == CAIRO_STATUS_SUCCESS else { throw PlottingError.cairo(String(cString: cairo_status_to_string(status))) }
    }
}

/// Cairo names SVG groups after its process-wide surface counter ("surface26"), so the same drawing
/// would give different bytes depending on what the process drew before. This renumbers every
/// "surfaceN" id and reference in order of first appearance.
func renumberingSurfaceIDs(_ svg: Data) -> Data {
    let text = String(decoding: svg, as: UTF8.self)
    let pattern = try! NSRegularExpression(pattern: "(id=\"|#)surface([0-9]+)")
    var numbers = [String: Int]()
    var result = ""
    var cursor = text.startIndex
    for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
        let whole = Range(match.range, in: text)!, prefix = Range(match.range(at: 1), in: text)!
        let number = String(text[Range(match.range(at: 2), in: text)!])
        let canonical = numbers[number] ?? numbers.count + 1
        numbers[number] = canonical
        result += text[cursor..<whole.lowerBound] + text[prefix] + "surface\(canonical)"
        cursor = whole.upperBound
    }
    result += text[cursor...]
    return Data(result.utf8)
}

/// Collects the bytes Cairo writes through `appendToSink`.
private final class ByteSink {
    var data = Data()
}

/// Cairo write callback: appends `length` bytes to the ByteSink passed as `closure`.
private func appendToSink(_ closure: UnsafeMutableRawPointer?, _ bytes: UnsafePointer<UInt8>?,
                          _ length: UInt32) -> cairo_status_t {
    guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
    Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue().data.append(bytes, count: Int(length))
    return CAIRO_STATUS_SUCCESS
}
