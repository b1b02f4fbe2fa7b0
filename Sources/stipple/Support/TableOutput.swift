import ArgumentParser
import Foundation

/// How a command prints rows: aligned columns for people, CSV or JSON for machines.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table
    case csv
    case json
}

/// Renders rows of text cells in an `OutputFormat`.
enum TableOutput {
    static func render(headers: [String], rows: [[String]], format: OutputFormat) -> String {
        switch format {
        case .table:
            var widths = headers.map(\.count)
            for row in rows {
                for (index, cell) in row.enumerated() where index < widths.count {
                    widths[index] = max(widths[index], cell.count)
                }
            }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { index, cell in
                    let width = index < widths.count ? widths[index] : cell.count
                    return index == cells.count - 1
                        ? cell : cell + String(repeating: " ", count: max(0, width - cell.count))
                }.joined(separator: "  ")
            }
            let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
            return ([line(headers), rule] + rows.map(line)).joined(separator: "\n") + "\n"
        case .csv:
            func escape(_ cell: String) -> String {
                guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
                return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return ([headers] + rows).map { $0.map(escape).joined(separator: ",") }.joined(separator: "\n") + "\n"
        case .json:
            let objects = rows.map { row in
                Dictionary(zip(headers, row).map { ($0, $1) }, uniquingKeysWith: { first, _ in first })
            }
            let data =
                (try? JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys]))
                ?? Data("[]".utf8)
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// Money in minor units as `USD 1,234.56`.
    static func money(_ minor: Int64, _ currency: String?) -> String {
        let sign = minor < 0 ? "-" : ""
        let magnitude = minor.magnitude
        let cents = String(magnitude % 100)
        var whole = String(magnitude / 100)
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        return "\(currency ?? "") \(sign)\(whole)\(grouped).\(cents.count == 1 ? "0" + cents : cents)"
            .trimmingCharacters(in: .whitespaces)
    }

    /// A UTC calendar day, `YYYY-MM-DD`.
    static func day(_ date: Date?) -> String {
        date.map { $0.formatted(.iso8601.year().month().day()) } ?? ""
    }

    /// A UTC timestamp, `YYYY-MM-DDTHH:MM:SSZ`.
    static func timestamp(_ date: Date?) -> String {
        date.map { $0.formatted(.iso8601) } ?? ""
    }

    /// Label/value lines for one record, labels padded to one width (for people).
    static func keyValues(_ pairs: [(String, String)]) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { label, value in
            label + String(repeating: " ", count: width - label.count) + "  " + value
        }.joined(separator: "\n") + "\n"
    }
}
