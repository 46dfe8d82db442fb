import Foundation

/// A point in device space (points, 1/72 inch; y grows downward) or in data space.
public struct Point: Sendable, Equatable {
    public var x: Double
    public var y: Double
    /// A point at (x, y).
    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// An axis-aligned rectangle in device space: origin at the top-left corner.
public struct Rect: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    /// A rectangle from its top-left corner and size.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Right edge.
    public var maxX: Double { x + width }
    /// Bottom edge.
    public var maxY: Double { y + height }

    /// Whether `point` lies inside or on the border.
    public func contains(_ point: Point) -> Bool {
        point.x >= x && point.x <= maxX && point.y >= y && point.y <= maxY
    }

    /// The rectangle moved by `offset`.
    public func offset(by offset: Point) -> Rect { Rect(x: x + offset.x, y: y + offset.y, width: width, height: height) }

    /// The axis-aligned box of this rectangle rotated by `degrees` counter-clockwise (on a page whose
    /// y grows downward) about the origin; itself when `degrees` is 0.
    public func rotated(degrees: Double) -> Rect {
        guard degrees != 0 else { return self }
        let angle = -degrees * .pi / 180, cosine = cos(angle), sine = sin(angle)
        let corners = [Point(x, y), Point(maxX, y), Point(x, maxY), Point(maxX, maxY)]
            .map { Point($0.x * cosine - $0.y * sine, $0.x * sine + $0.y * cosine) }
        let xs = corners.map(\.x), ys = corners.map(\.y)
        return Rect(x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()!, height: ys.max()! - ys.min()!)
    }

    /// The distance from `point` to the nearest point of the rectangle (0 inside it).
    public func distance(to point: Point) -> Double {
        hypot(max(x - point.x, 0, point.x - maxX), max(y - point.y, 0, point.y - maxY))
    }

    /// Whether the two rectangles share any area.
    public func intersects(_ other: Rect) -> Bool {
        x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }
}

/// An sRGB colour with alpha, components in [0, 1].
public struct Color: Sendable, Equatable {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    /// A colour from components in [0, 1].
    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// A colour from 0xRRGGBB.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(red: Double((hex >> 16) & 0xFF) / 255, green: Double((hex >> 8) & 0xFF) / 255,
                  blue: Double(hex & 0xFF) / 255, alpha: alpha)
    }

    public static let white = Color(hex: 0xFFFFFF)
    public static let black = Color(hex: 0x000000)
    /// Axis text and frames.
    public static let ink = Color(hex: 0x222222)
    /// Grid lines.
    public static let grid = Color(hex: 0xE3E3E3)
    /// Reference lines such as chance level.
    public static let reference = Color(hex: 0x777777)

    /// Sixteen colours for series, safe for the common forms of colour blindness: the Okabe-Ito palette
    /// (Okabe & Ito, "Color Universal Design", 2008) without its yellow F0E442, too light on white,
    /// then two colours (a violet and a sage green) chosen by `scripts/palette_colour_vision.py` to be
    /// as far as possible from the others and the reference grey in the worst of normal, protan,
    /// deutan and tritan vision (Machado et al. 2009), then seven more (a brown, a magenta, a darker
    /// green, a purple, a lavender, a rose and a mauve) chosen one at a time the same way, so that a
    /// study of 16 defenses and models (the defenses example has 13 defenses and 2 models) draws each in
    /// its own colour. Among the first nine every pair differs by at least 10.8 CIEDE2000 units in each
    /// of the four visions; among the first twelve by at least 9.1; among all sixteen by at least 8.1
    /// (least: normal 8.30, protan 8.17, deutan 8.19, tritan 8.24, each between the pink CC79A7 and the
    /// rose or the mauve, which the markers then tell apart as well).
    public static let colorBlindSafe: [Color] = [
        Color(hex: 0x0072B2), Color(hex: 0xD55E00), Color(hex: 0x009E73), Color(hex: 0xCC79A7), Color(hex: 0xE69F00),
        Color(hex: 0x56B4E9), Color(hex: 0x000000), Color(hex: 0x8278FF), Color(hex: 0x82B973), Color(hex: 0xA55A46),
        Color(hex: 0xCD00A0), Color(hex: 0x699B4B), Color(hex: 0xA505FF), Color(hex: 0x8C82C8), Color(hex: 0xF06E91),
        Color(hex: 0xAF6491),
    ]

    /// Whether every component is within `tolerance` (0...1 scale) of `other`'s.
    public func isClose(to other: Color, tolerance: Double = 0.02) -> Bool {
        abs(red - other.red) <= tolerance && abs(green - other.green) <= tolerance
            && abs(blue - other.blue) <= tolerance && abs(alpha - other.alpha) <= tolerance
    }
}
