import Foundation

/// The rows one batch produces, merged in memory by key with each table's `MergePolicy`, so each
/// table gets one write.
public struct ProjectionOutput: Sendable {
    /// The projection's tables' names, merge policies and rows, in the tables' order (a projection has a
    /// few tables: found by name in a short array, not hashed twice per row).
    private let names: [String]
    private let policies: [MergePolicy]
    private var stored: [KeyedRows]
    /// Keys whose rows `FoldingProjection.finish` writes, with the business time of their last event.
    private var pending: [String: Date] = [:]

    init(tables: [TableSpec]) {
        names = tables.map(\.name)
        policies = tables.map(MergePolicy.init)
        stored = Array(repeating: KeyedRows(), count: tables.count)
    }

    /// Writes `row` to `table` as that table's mode says; later rows for the same key in the
    /// batch replace (upsert), add to (accumulate) or are ignored after (insert) earlier ones.
    public mutating func write(_ table: String, _ row: Row) throws {
        guard let index = names.firstIndex(of: table) else { throw EngineError.unknownTable(table) }
        stored[index].add(row, policy: policies[index])
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
        names.firstIndex(of: table).map { stored[$0].rows } ?? []
    }

    /// The rows for `table`, merged by key, as the writer takes them.
    func keyedRows(for table: String) -> KeyedRows {
        names.firstIndex(of: table).map { stored[$0] } ?? KeyedRows()
    }
}

/// Mistakes in a projection's definition.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case unknownTable(String)
    /// Work that must run inside a transaction was given a connection outside one.
    case outsideTransaction(String)
    /// A JSON document given for a column that is not `json` or `jsonb`.
    case jsonInPlainColumn(table: String, column: String)

    public var description: String {
        switch self {
        case .unknownTable(let table): "the projection writes to table \(table), which it does not declare"
        case .outsideTransaction(let work): "\(work) must run inside a transaction"
        case .jsonInPlainColumn(let table, let column):
            "the projection writes a JSON document to \(table).\(column), which is not a json or jsonb column"
        }
    }
}
