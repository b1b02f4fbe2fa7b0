import Foundation

/// Renders a prediction as a standalone SVG image: the density curve, its 80% band, the
/// observations, the touch-up threshold and the predicted touch-up date.
public enum FadeChart {
    /// The SVG document (UTF-8 XML) for `prediction` and the client's `observations`. A prediction without its
    /// curve (as stored, `FadePredictor.predict(…, withCurve: false)`) draws none: pass it through
    /// ``FadePrediction/withCurve(subject:parameters:now:)`` first.
    public static func svg(
        prediction: FadePrediction, observations: [FadeObservation], width: Double = 720, height: Double = 360
    ) -> String {
        let width = width.isFinite ? min(max(width, 200), 4000) : 720
        let height = height.isFinite ? min(max(height, 120), 4000) : 360
        var out = header(width: width, height: height)
        let shown = observations.filter { $0.density.isFinite && $0.date.timeIntervalSinceReferenceDate.isFinite }
        let dates = prediction.curve.map(\.date) + shown.map(\.date)
        guard prediction.status == .predicted, let first = dates.min(), let last = dates.max() else {
            out +=
                "<text x=\"\(fmt(width / 2))\" y=\"\(fmt(height / 2))\" text-anchor=\"middle\" "
                + "font-family=\"sans-serif\" font-size=\"14\">Not enough data for a fade forecast</text>\n"
            return out + "</svg>\n"
        }
        let plot = Plot(
            left: 48, right: width - 16, top: 28, bottom: height - 36, start: first,
            span: max(last.timeIntervalSince(first), 86_400)
        )
        out += axes(plot: plot)
        let curve = prediction.curve
        if !curve.isEmpty {
            let upper = curve.map { "\(fmt(plot.x($0.date))),\(fmt(plot.y($0.high)))" }
            let lower = curve.reversed().map { "\(fmt(plot.x($0.date))),\(fmt(plot.y($0.low)))" }
            out +=
                "<polygon class=\"band\" points=\"\((upper + lower).joined(separator: " "))\" "
                + "fill=\"#9ecae1\" fill-opacity=\"0.5\" stroke=\"none\"/>\n"
            let line = curve.map { "\(fmt(plot.x($0.date))),\(fmt(plot.y($0.density)))" }
            out +=
                "<polyline class=\"curve\" points=\"\(line.joined(separator: " "))\" fill=\"none\" "
                + "stroke=\"#08519c\" stroke-width=\"2\"/>\n"
        }
        let ty = plot.y(prediction.threshold)
        out +=
            "<line class=\"threshold\" x1=\"\(fmt(plot.left))\" y1=\"\(fmt(ty))\" x2=\"\(fmt(plot.right))\" "
            + "y2=\"\(fmt(ty))\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/>\n"
        out += text(
            "touch-up threshold \(String(format: "%.2f", prediction.threshold))", x: plot.right - 4, y: ty - 4,
            anchor: "end", color: "#d62728"
        )
        if let due = prediction.crossingDate {
            let x = plot.x(due)
            out +=
                "<line class=\"crossing\" x1=\"\(fmt(x))\" y1=\"\(fmt(plot.top))\" x2=\"\(fmt(x))\" "
                + "y2=\"\(fmt(plot.bottom))\" stroke=\"#d62728\" stroke-width=\"1\"/>\n"
            if let low = prediction.intervalLow, let high = prediction.intervalHigh {
                out +=
                    "<line class=\"interval\" x1=\"\(fmt(plot.x(low)))\" y1=\"\(fmt(ty))\" "
                    + "x2=\"\(fmt(plot.x(high)))\" y2=\"\(fmt(ty))\" stroke=\"#d62728\" stroke-width=\"4\" "
                    + "stroke-opacity=\"0.6\"/>\n"
            }
            // The label sits on the side of the line with room for it, so it is never cut at the edge.
            let onLeft = x > (plot.left + plot.right) / 2
            out += text(
                "touch-up due \(monthLabel(due))", x: onLeft ? x - 4 : x + 4, y: plot.top + 12,
                anchor: onLeft ? "end" : "start", color: "#d62728")
        }
        for observation in shown {
            let y = plot.y(min(max(observation.density, 0), 1))
            out +=
                "<circle class=\"observation\" cx=\"\(fmt(plot.x(observation.date)))\" cy=\"\(fmt(y))\" r=\"4\" "
                + "fill=\"#252525\"/>\n"
        }
        return out + "</svg>\n"
    }

    /// Maps dates and densities to SVG coordinates.
    private struct Plot {
        var left: Double
        var right: Double
        var top: Double
        var bottom: Double
        var start: Date
        var span: TimeInterval

        func x(_ date: Date) -> Double {
            let fraction = date.timeIntervalSince(start) / span
            return left + (right - left) * min(max(fraction, -0.05), 1.05)
        }

        func y(_ density: Double) -> Double { bottom - (bottom - top) * min(max(density, 0), 1) }
    }

    /// The XML declaration, root element, title and background.
    private static func header(width: Double, height: Double) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(fmt(width))\" height=\"\(fmt(height))\" "
            + "viewBox=\"0 0 \(fmt(width)) \(fmt(height))\" role=\"img\">\n"
            + "<title>Pigment density forecast</title>\n"
            + "<rect width=\"\(fmt(width))\" height=\"\(fmt(height))\" fill=\"#ffffff\"/>\n"
    }

    /// Density gridlines with labels and a tick per year.
    private static func axes(plot: Plot) -> String {
        var out = ""
        for step in 0...5 {
            let density = Double(step) / 5
            let y = plot.y(density)
            out +=
                "<line x1=\"\(fmt(plot.left))\" y1=\"\(fmt(y))\" x2=\"\(fmt(plot.right))\" y2=\"\(fmt(y))\" "
                + "stroke=\"#e0e0e0\"/>\n"
            out += text(String(format: "%.1f", density), x: plot.left - 6, y: y + 4, anchor: "end", color: "#555555")
        }
        let calendar = RevenueOutlook.utcCalendar
        let firstYear = calendar.component(.year, from: plot.start)
        let lastYear = calendar.component(.year, from: plot.start.addingTimeInterval(plot.span))
        let every = max(1, (lastYear - firstYear + 1) / 12 + 1)
        for year in stride(from: firstYear + 1, through: lastYear, by: every) {
            guard let date = calendar.date(from: DateComponents(year: year, month: 1, day: 1)) else { continue }
            let x = plot.x(date)
            out +=
                "<line x1=\"\(fmt(x))\" y1=\"\(fmt(plot.bottom))\" x2=\"\(fmt(x))\" y2=\"\(fmt(plot.bottom + 5))\" "
                + "stroke=\"#555555\"/>\n"
            out += text(String(year), x: x, y: plot.bottom + 18, anchor: "middle", color: "#555555")
        }
        out +=
            "<line x1=\"\(fmt(plot.left))\" y1=\"\(fmt(plot.bottom))\" x2=\"\(fmt(plot.right))\" "
            + "y2=\"\(fmt(plot.bottom))\" stroke=\"#555555\"/>\n"
        // Above the plot, clear of the 1.0 tick label.
        out += text("relative density", x: 12, y: plot.top - 14, anchor: "start", color: "#555555")
        return out
    }

    /// A text element with escaped content.
    private static func text(_ content: String, x: Double, y: Double, anchor: String, color: String) -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\" text-anchor=\"\(anchor)\" font-family=\"sans-serif\" "
            + "font-size=\"11\" fill=\"\(color)\">\(escape(content))</text>\n"
    }

    /// "2028-05" in UTC.
    private static func monthLabel(_ date: Date) -> String {
        let parts = RevenueOutlook.utcCalendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
    }

    /// A coordinate with one decimal (finite by construction; 0 otherwise).
    private static func fmt(_ value: Double) -> String {
        value.isFinite ? String(format: "%.1f", value) : "0"
    }

    /// Escapes XML special characters.
    static func escape(_ string: String) -> String {
        var out = ""
        for character in string {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
