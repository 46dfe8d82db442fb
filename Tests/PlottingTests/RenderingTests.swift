import Foundation
import Testing
@testable import Plotting

/// Rendering, checked by reading pixels back from the image surface.
struct RenderingTests {
    let font: Font

    init() throws { font = try Font() }

    @Test func fontIsFoundThroughFontconfig() {
        #expect(font.family.contains("DejaVu"), "matched \(font.family) at \(font.path)")
    }

    /// The default family's match is looked up once per process; a font asked for by another name
    /// is looked up for itself. Both measure text, and the family named by its own name gets the same
    /// file and widths as the default.
    @Test func theDefaultFamilyLookedUpOnceMatchesTheSameFontAsAFreshLookup() throws {
        let again = try Font(), fresh = try Font(family: "DejaVu Sans:style=Book")
        #expect(again.path == font.path && fresh.path == font.path, "\(again.path), \(fresh.path), \(font.path)")
        #expect(again.family == font.family && fresh.family == font.family)
        #expect(fresh.width(of: "Accuracy 0.95", size: 9) == font.width(of: "Accuracy 0.95", size: 9))
        let sans = try Font(family: "sans-serif")
        #expect(sans.width(of: "Accuracy", size: 9) > 10)
    }

    @Test func unicodeTextShapesWithoutMissingGlyphs() {
        let shaped = font.shape("R² ± — αβγ κ → ≤ 5", size: 10)
        #expect(shaped.glyphs.count == 18)
        #expect(shaped.glyphs.allSatisfy { $0.index != 0 }, "glyph 0 is .notdef: a character has no glyph")
        #expect(shaped.width > 50 && shaped.width < 150)
    }

    @Test func kerningMakesShapedTextNarrowerThanItsLettersApart() {
        // DejaVu Sans kerns "AV": the pair is narrower than its letters measured alone.
        let pair = font.width(of: "AV", size: 20)
        #expect(pair < font.width(of: "A", size: 20) + font.width(of: "V", size: 20) - 0.5)
    }

    @Test func shapesAndTextLandWhereTheyAreDrawn() throws {
        let canvas = try Canvas(width: 200, height: 100, format: .png, dpi: 144, font: font)
        #expect(canvas.pixel(at: Point(5, 5)).isClose(to: .white))
        canvas.fillRect(Rect(x: 10, y: 10, width: 20, height: 20), color: Color(hex: 0x0072B2))
        #expect(canvas.pixel(at: Point(20, 20)).isClose(to: Color(hex: 0x0072B2)))
        #expect(canvas.pixel(at: Point(35, 20)).isClose(to: .white))
        canvas.drawMarker(.circle, at: Point(60, 20), size: 10, color: Color(hex: 0xD55E00))
        #expect(canvas.pixel(at: Point(60, 20)).isClose(to: Color(hex: 0xD55E00)))
        canvas.drawMarker(.triangleUp, at: Point(90, 20), size: 10, color: Color(hex: 0x009E73))
        #expect(canvas.pixel(at: Point(90, 21)).isClose(to: Color(hex: 0x009E73)))

        canvas.drawText("Hello ±", at: Point(10, 60), size: 14, color: .black)
        let bounds = canvas.textBounds("Hello ±", size: 14)
        let box = Rect(x: 10 + bounds.x, y: 60 + bounds.y, width: bounds.width, height: bounds.height)
        #expect(darkPixels(canvas, in: box) > 40)
        #expect(darkPixels(canvas, in: Rect(x: box.maxX + 2, y: box.y, width: 30, height: box.height)) == 0)
    }

    @Test func rotatedTextRunsUpward() throws {
        let canvas = try Canvas(width: 100, height: 200, format: .png, dpi: 72, font: font)
        canvas.drawText("Accuracy", at: Point(50, 100), size: 14, color: .black, anchor: .center, degrees: 90)
        // Upright, the text is about 65 points wide; rotated it spans that much vertically.
        #expect(darkPixels(canvas, in: Rect(x: 40, y: 60, width: 20, height: 80)) > 40)
        #expect(darkPixels(canvas, in: Rect(x: 0, y: 95, width: 35, height: 10)) == 0)
    }

    @Test func dashedLinesHaveGapsAndSolidLinesDoNot() throws {
        let canvas = try Canvas(width: 200, height: 60, format: .png, dpi: 72, font: font)
        canvas.strokeLine([Point(0, 15), Point(200, 15)], color: .black, width: 2, style: .solid)
        canvas.strokeLine([Point(0, 45), Point(200, 45)], color: .black, width: 2, style: .dashed)
        let solid = (0..<200).filter { canvas.pixel(at: Point(Double($0) + 0.5, 15)).isClose(to: .black, tolerance: 0.3) }
        let dashed = (0..<200).filter { canvas.pixel(at: Point(Double($0) + 0.5, 45)).isClose(to: .black, tolerance: 0.3) }
        #expect(solid.count == 200)
        #expect(dashed.count > 100 && dashed.count < 160, "dashed coverage \(dashed.count)")
    }

    @Test(arguments: ImageFormat.allCases)
    func outputsAreValidFilesAndIdenticalAcrossRenders(format: ImageFormat) throws {
        func draw() throws -> Data {
            let canvas = try Canvas(width: 300, height: 200, format: format, font: font)
            canvas.strokeLine([Point(10, 10), Point(290, 190)], color: .black, width: 1, style: .dashed)
            canvas.drawMarker(.star, at: Point(150, 100), size: 12, color: Color(hex: 0xCC79A7))
            canvas.drawText("R² = 0.985 — α", at: Point(20, 180), size: 12)
            return try canvas.render()
        }
        let first = try draw(), second = try draw()
        #expect(first == second, "two renders of one drawing differ")
        let header = String(decoding: first.prefix(8), as: UTF8.self)
        switch format {
        case .png: #expect(Array(first.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        case .pdf:
            #expect(header.hasPrefix("%PDF-"))
            #expect(String(decoding: first.suffix(8), as: UTF8.self).contains("%%EOF"))
            #expect(String(decoding: first, as: UTF8.self).contains("/CreationDate (20000101000000Z)"),
                    "the creation date is fixed")
        case .svg:
            let text = String(decoding: first, as: UTF8.self)
            #expect(header.hasPrefix("<?xml"))
            #expect(text.contains("<svg") && text.contains("</svg>"))
        }
        #expect(first.count > 500)
    }

    @Test func svgSurfaceIDsAreRenumberedInOrderOfAppearance() {
        let svg = Data(##"<g id="surface26"><use xlink:href="#surface31"/><g id="surface31"/></g>"##.utf8)
        #expect(String(decoding: renumberingSurfaceIDs(svg), as: UTF8.self)
            == ##"<g id="surface1"><use xlink:href="#surface2"/><g id="surface2"/></g>"##)
    }

    @Test func repeatedRenderingDoesNotLeak() throws {
        func residentMegabytes() -> Double {
            let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "0 0"
            return Double(statm.split(separator: " ")[1])! * 4096 / 1_048_576
        }
        func drawOnce() throws {
            let canvas = try Canvas(width: 504, height: 346, format: .png, dpi: 150, font: try Font())
            canvas.drawText("Clean test accuracy vs. poison fraction", at: Point(20, 40), size: 13)
            _ = try canvas.render()
        }
        for _ in 0..<10 { try drawOnce() }   // warm caches
        let before = residentMegabytes()
        // Each canvas holds a 1050 x 720 x 4-byte surface (3 MB): 600 leaked canvases would add 1.8 GB.
        // The bound, half of that, leaves room for the other tests, which run at the same time in this
        // process (they added 351 MB to 200 canvases' run in one CI run).
        for _ in 0..<600 { try drawOnce() }
        #expect(residentMegabytes() - before < 900, "resident memory grew by \(residentMegabytes() - before) MB")
    }

    private func darkPixels(_ canvas: Canvas, in rect: Rect) -> Int {
        var count = 0
        for row in stride(from: rect.y, to: rect.maxY, by: 0.5) {
            for column in stride(from: rect.x, to: rect.maxX, by: 0.5) {
                let pixel = canvas.pixel(at: Point(column, row))
                if pixel.red < 0.5 && pixel.green < 0.5 && pixel.blue < 0.5 && pixel.alpha > 0.5 { count += 1 }
            }
        }
        return count
    }
}
