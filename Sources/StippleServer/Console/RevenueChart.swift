import Foundation

/// Cash received against revenue earned, month by month, as an inline SVG bar chart.
enum RevenueChart {
    struct Month {
        var label: String
        var cash: Int64
        var earned: Int64
    }

    /// The chart; amounts in minor units of one currency.
    static func svg(_ months: [Month], currency: String) -> String {
        let width = 720.0
        let height = 280.0
        let left = 64.0
        let bottom = height - 40
        let top = 20.0
        let peak = max(1, months.map { max($0.cash, $0.earned) }.max() ?? 1)
        let slot = (width - left - 16) / Double(max(1, months.count))
        let bar = max(2, slot * 0.38)
        func y(_ value: Int64) -> Double { bottom - (bottom - top) * Double(max(0, value)) / Double(peak) }
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" "
            + "aria-labelledby=\"revenue-title-\(currency)\">\n"
            + "<title id=\"revenue-title-\(currency)\">Cash received and revenue earned by month, \(currency)</title>\n"
        for step in 0...4 {
            let value = peak * Int64(step) / 4
            let yy = y(value)
            out +=
                "<line x1=\"\(Int(left))\" y1=\"\(f(yy))\" x2=\"\(Int(width - 16))\" y2=\"\(f(yy))\" stroke=\"#ddd\"/>\n"
            out +=
                "<text x=\"\(Int(left - 6))\" y=\"\(f(yy + 4))\" text-anchor=\"end\" font-size=\"11\">"
                + "\(value / 100)</text>\n"
        }
        for (index, month) in months.enumerated() {
            let x = left + slot * Double(index) + slot * 0.1
            out +=
                "<rect class=\"cash\" x=\"\(f(x))\" y=\"\(f(y(month.cash)))\" width=\"\(f(bar))\" "
                + "height=\"\(f(bottom - y(month.cash)))\" fill=\"#3182bd\"><title>\(month.label) cash "
                + "\(ConsoleFormat.money(month.cash, currency))</title></rect>\n"
            out +=
                "<rect class=\"earned\" x=\"\(f(x + bar))\" y=\"\(f(y(month.earned)))\" width=\"\(f(bar))\" "
                + "height=\"\(f(bottom - y(month.earned)))\" fill=\"#31a354\"><title>\(month.label) earned "
                + "\(ConsoleFormat.money(month.earned, currency))</title></rect>\n"
            if months.count <= 18 || index % 2 == 0 {
                out +=
                    "<text x=\"\(f(x + bar))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\" font-size=\"11\">"
                    + "\(month.label)</text>\n"
            }
        }
        out +=
            "<rect x=\"\(Int(left))\" y=\"\(Int(height - 14))\" width=\"10\" height=\"10\" fill=\"#3182bd\"/>"
            + "<text x=\"\(Int(left + 14))\" y=\"\(Int(height - 5))\" font-size=\"11\">cash received</text>"
            + "<rect x=\"\(Int(left + 110))\" y=\"\(Int(height - 14))\" width=\"10\" height=\"10\" fill=\"#31a354\"/>"
            + "<text x=\"\(Int(left + 124))\" y=\"\(Int(height - 5))\" font-size=\"11\">earned</text>\n"
        return out + "</svg>\n"
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
