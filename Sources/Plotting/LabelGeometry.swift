import Foundation

/// Exact segment and box geometry for direct labels: the final check of `Chart.placeLabels` and the
/// naive reference check (`labelConflicts`) that tests run beside it.

/// Whether the segments `first` and `second` cross or touch: each one's ends lie on opposite sides of (or on) the
/// other's line, by the signs of cross products; collinear segments only when their extents overlap.
func segmentsCross(_ first: (Point, Point), _ second: (Point, Point)) -> Bool {
    func side(_ a: Point, _ b: Point, _ c: Point) -> Double { (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x) }
    let d1 = side(second.0, second.1, first.0), d2 = side(second.0, second.1, first.1)
    let d3 = side(first.0, first.1, second.0), d4 = side(first.0, first.1, second.1)
    if d1 == 0 && d2 == 0 {
        // Collinear: they meet when their x (or, for a vertical pair, y) extents overlap.
        let overlaps = { (a: Double, b: Double, c: Double, d: Double) in max(min(a, b), min(c, d)) <= min(max(a, b), max(c, d)) }
        return overlaps(first.0.x, first.1.x, second.0.x, second.1.x) && overlaps(first.0.y, first.1.y, second.0.y, second.1.y)
    }
    return d1 * d2 <= 0 && d3 * d4 <= 0
}

/// Whether the segment from `segment.0` to `segment.1` has a point strictly inside `rect`: the part of it
/// between the rectangle's x edges and its y edges (Liang-Barsky clipping) is not empty.
func segment(_ segment: (Point, Point), meets rect: Rect) -> Bool {
    var low = 0.0, high = 1.0
    let dx = segment.1.x - segment.0.x, dy = segment.1.y - segment.0.y
    // Each edge as p·t < q: t must stay on the rectangle's side of it.
    for (p, q) in [(-dx, segment.0.x - rect.x), (dx, rect.maxX - segment.0.x), (-dy, segment.0.y - rect.y), (dy, rect.maxY - segment.0.y)] {
        if p == 0 {
            if q <= 0 { return false }
        } else if p < 0 {
            low = max(low, q / p)
        } else {
            high = min(high, q / p)
        }
    }
    return low < high
}

extension Chart.PlacedLabel {
    /// The leader line as drawn: from 4 points out from the point (a marker's edge) to the box's nearest point; nil without one.
    public var leaderSegment: (Point, Point)? {
        guard leader else { return nil }
        return Chart.leaderSegment(from: point, to: box)
    }
}

extension Chart {
    /// The leader line from `point` to `box` as drawn: from 4 points out from the point (a marker's edge, so that an
    /// open marker stays white inside) to the box's nearest point.
    static func leaderSegment(from point: Point, to box: Rect) -> (Point, Point) {
        let end = Point(min(max(point.x, box.x), box.maxX), min(max(point.y, box.y), box.maxY))
        let length = max(hypot(end.x - point.x, end.y - point.y), 1e-9)
        return (Point(point.x + 4 * (end.x - point.x) / length, point.y + 4 * (end.y - point.y) / length), end)
    }

    /// The conflicts among placed direct labels, by brute force over all pairs, as a reference for `placeLabels`:
    /// two leader lines that cross, a leader line through another label's box or another point's marker, a label's
    /// box meeting another label's box, any marker (`markers`, the squares drawn), any bar (`bars`, the strokes of
    /// the vertical and horizontal error bars with their caps) or any data line (`dataLines`, the segments of the
    /// series' lines as drawn, by their centre lines). One line per conflict; empty when there is none.
    public static func labelConflicts(_ placed: [PlacedLabel], markers: [Rect], bars: [Rect], dataLines: [(Point, Point)]) -> [String] {
        var conflicts = [String]()
        for (i, a) in placed.enumerated() {
            for (j, b) in placed.enumerated() where j != i {
                if j > i && a.box.intersects(b.box) { conflicts.append("'\(a.text)' and '\(b.text)' overlap") }
                if j > i, let first = a.leaderSegment, let second = b.leaderSegment, segmentsCross(first, second) {
                    conflicts.append("the leader lines of '\(a.text)' and '\(b.text)' cross")
                }
                if let leader = a.leaderSegment, segment(leader, meets: b.box) {
                    conflicts.append("the leader line of '\(a.text)' crosses '\(b.text)'")
                }
            }
            for marker in markers {
                if a.box.intersects(marker) { conflicts.append("'\(a.text)' covers the marker at \(marker)") }
                if let leader = a.leaderSegment, !marker.contains(a.point), segment(leader, meets: marker) {
                    conflicts.append("the leader line of '\(a.text)' crosses the marker at \(marker)")
                }
            }
            for bar in bars where a.box.intersects(bar) { conflicts.append("'\(a.text)' lies over the bar at \(bar)") }
            for line in dataLines where segment(line, meets: a.box) {
                conflicts.append("'\(a.text)' lies over the data line from \(line.0) to \(line.1)")
            }
        }
        return conflicts
    }
}
