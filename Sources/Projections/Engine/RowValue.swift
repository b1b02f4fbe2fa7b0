import Foundation
import JSONNodes

/// One cell of a projection row, written to PostgreSQL through JSON.
public enum RowValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bool(Bool)
    case date(Date)
    /// A JSON document (for `jsonb` columns), already encoded.
    case json(Data)

    /// Appends this value as JSON text.
    func appendJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .int(let value): out += String(value)
        case .double(let value): out += value.isFinite ? "\(value)" : "null"
        case .text(let value): JSONString.appendQuoted(value, to: &out)
        case .bool(let value): out += value ? "true" : "false"
        case .date(let value): JSONString.appendQuoted(RowValue.iso8601(value), to: &out)
        case .json(let data): out += String(decoding: data, as: UTF8.self)
        }
    }

    /// True when `json` is the JSON literal `null` (which `jsonb_populate_recordset` stores as NULL).
    static func isJSONNull(_ json: String) -> Bool {
        json.utf8.count <= 32 && json.trimmingCharacters(in: .whitespacesAndNewlines) == "null"
    }

    /// UTC ISO 8601 with milliseconds; PostgreSQL parses it into `timestamptz`.
    static func iso8601(_ date: Date) -> String {
        ISO8601Text.milliseconds(date)
    }
}

/// A row: column name → value.
public typealias Row = [String: RowValue]

extension Optional where Wrapped == String {
    /// `.text` or `.null`.
    public var rowValue: RowValue { map(RowValue.text) ?? .null }
}

extension Optional where Wrapped == Date {
    /// `.date` or `.null`.
    public var rowValue: RowValue { map(RowValue.date) ?? .null }
}
