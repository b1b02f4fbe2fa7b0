import Foundation

/// The rows one batch produces, merged in memory by key so each table gets one write.
public struct ProjectionOutput: Sendable {
    /// One table's rows: each key once, in first-written order.
    struct TableRows: Sendable {
        var slots: [String: Int] = [:]
        var rows: [Row] = []
    }

    private var stored: [String: TableRows] = [:]
    private let tables: [String: TableSpec]
    /// Keys whose rows `FoldingProjection.finish` writes, with the business time of their last event.
    private var pending: [String: Date] = [:]

    init(tables: [TableSpec]) {
        var byName: [String: TableSpec] = [:]
        for table in tables { byName[table.name] = table }
        self.tables = byName
    }

    /// Writes `row` to `table` as that table's mode says; later rows for the same key in the
    /// batch replace (upsert), add to (accumulate) or are ignored after (insert) earlier ones.
    public mutating func write(_ table: String, _ row: Row) throws {
        guard let spec = tables[table] else { throw EngineError.unknownTable(table) }
        Self.merge(row, key: Self.key(of: row, in: spec), mode: spec.mode, into: &stored[table, default: TableRows()])
    }

    /// The row's primary key as one string (its columns' JSON, joined by U+001F).
    static func key(of row: Row, in spec: TableSpec) -> String {
        var key = ""
        for (index, column) in spec.primaryKey.enumerated() {
            if index > 0 { key += "\u{1F}" }
            (row[column] ?? .null).appendJSON(to: &key)
        }
        return key
    }

    private static func merge(_ row: Row, key: String, mode: TableSpec.Mode, into table: inout TableRows) {
        guard let slot = table.slots[key] else {
            table.slots[key] = table.rows.count
            table.rows.append(row)
            return
        }
        switch mode {
        case .upsert:
            table.rows[slot] = row
        case .insert:
            break
        case .accumulate(let sums):
            var merged = table.rows[slot]
            for column in sums {
                switch (merged[column], row[column]) {
                case (.int(let a), .int(let b)): merged[column] = .int(a + b)
                case (.double(let a), .double(let b)): merged[column] = .double(a + b)
                case (_, let value?): merged[column] = value
                default: break
                }
            }
            table.rows[slot] = merged
        }
    }

    /// Notes that `key` needs its row written by `finish`, as of `time` (the latest note wins).
    public mutating func markPending(_ key: String, at time: Date) {
        pending[key] = time
    }

    /// The time of the latest `markPending` for `key` in this batch, or nil.
    public func pendingTime(for key: String) -> Date? {
        pending[key]
    }

    /// Every key noted by `markPending`, with its time.
    var pendingTimes: [String: Date] { pending }

    /// The rows for `table` in first-written order.
    func rows(for table: String) -> [Row] {
        stored[table]?.rows ?? []
    }
}

/// Mistakes in a projection's definition.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case unknownTable(String)
    /// Work that must run inside a transaction was given a connection outside one.
    case outsideTransaction(String)

    public var description: String {
        switch self {
        case .unknownTable(let table): "the projection writes to table \(table), which it does not declare"
        case .outsideTransaction(let work): "\(work) must run inside a transaction"
        }
    }
}
