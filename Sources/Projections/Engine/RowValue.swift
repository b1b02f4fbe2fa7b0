import Foundation
import Postgres
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
    static func isJSONNull(_ json: some Collection<UInt8>) -> Bool {
        // (A document longer than `null` between whitespace is not read as text at all.)
        guard json.count <= 32 else { return false }
        return String(decoding: json, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "null"
    }

    /// UTC ISO 8601 with milliseconds: a date's text in a text column, and the instant a `timestamptz` column
    /// stores (`wholeSecondMicroseconds`, else this text read back: what PostgreSQL stored from it when rows
    /// went as COPY text).
    static func iso8601(_ date: Date) -> String {
        ISO8601Text.milliseconds(date)
    }

    /// The instant `iso8601(date)` names, in microseconds since 2000-01-01T00:00:00Z (`timestamptz`'s binary
    /// form), for a date of whole seconds in the years 1600–9999 (nearly every date: the events' are whole
    /// seconds), whose text `ISO8601Text` writes by hand and exactly; nil for any other date, whose text comes
    /// from Foundation's formatter (milliseconds, rounded as it rounds them): read that text instead.
    static func wholeSecondMicroseconds(_ date: Date) -> Int64? {
        let seconds = date.timeIntervalSince1970
        guard seconds == seconds.rounded(.down), seconds >= -11_676_096_000, seconds <= 253_402_300_799 else {
            return nil
        }
        return (Int64(seconds) - CopyBinaryRows.epoch2000) * 1_000_000
    }
}

/// A row: column name → value, written as a dictionary literal (`["client_id": .text(id), …]`).
///
/// The columns are kept as written, in a small array searched in order, not hashed into a dictionary:
/// a projection's rows have a handful of columns, usually written in the table's order, which
/// `RowWriter` and `MergePolicy` read them in (`value(of:at:)` tries that place first). A rebuild
/// makes millions of rows; a dictionary hashed every name of every row twice (written, then read)
/// and took twice the memory for the rows held back across batches. Names are distinct (a literal
/// with a name twice is a mistake, caught in debug builds; the first one is read).
public struct Row: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// The columns (name, value), in the order they were written.
    public private(set) var columns: [(String, RowValue)]

    public init(dictionaryLiteral elements: (String, RowValue)...) {
        columns = elements
        assert(Set(elements.map(\.0)).count == elements.count, "a row names a column twice")
    }

    /// A row of `columns` (name, value), each named once.
    init(columns: [(String, RowValue)]) {
        self.columns = columns
        assert(Set(columns.map(\.0)).count == columns.count, "a row names a column twice")
    }

    /// The column's value, or nil when the row does not name it; setting nil removes it.
    public subscript(name: String) -> RowValue? {
        get { value(of: name, at: 0) }
        set {
            if let index = columns.firstIndex(where: { $0.0 == name }) {
                if let newValue { columns[index].1 = newValue } else { columns.remove(at: index) }
            } else if let newValue {
                columns.append((name, newValue))
            }
        }
    }

    /// Sets the column's value, looked for at `place` first (as `value(of:at:)` reads it), else as the
    /// subscript sets it.
    mutating func setValue(_ value: RowValue, of name: String, at place: Int) {
        if place < columns.count, columns[place].0 == name {
            columns[place].1 = value
        } else {
            self[name] = value
        }
    }

    /// The column's value, looked for at `place` first (the column's place in its table), then everywhere.
    func value(of name: String, at place: Int) -> RowValue? {
        if place < columns.count, columns[place].0 == name { return columns[place].1 }
        for (columnName, value) in columns where columnName == name { return value }
        return nil
    }

    /// Rows are equal when they name the same columns with the same values, in any order.
    public static func == (lhs: Row, rhs: Row) -> Bool {
        guard lhs.columns.count == rhs.columns.count else { return false }
        for (index, (name, value)) in lhs.columns.enumerated() where rhs.value(of: name, at: index) != value {
            return false
        }
        return true
    }

    /// In any order, as `==` compares.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for (name, value) in columns {
            var one = Hasher()
            one.combine(name)
            one.combine(value)
            combined ^= one.finalize()
        }
        hasher.combine(columns.count)
        hasher.combine(combined)
    }
}

extension Optional where Wrapped == String {
    /// `.text` or `.null`.
    public var rowValue: RowValue { map(RowValue.text) ?? .null }
}

extension Optional where Wrapped == Date {
    /// `.date` or `.null`.
    public var rowValue: RowValue { map(RowValue.date) ?? .null }
}
