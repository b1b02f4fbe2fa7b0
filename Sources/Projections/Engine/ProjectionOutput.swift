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
    /// Per table, whether its rows' keys are noted in `written` (`init(tables:noting:)`).
    private let noted: [Bool]
    /// Set by a stream-ordered rebuild while it folds the events of one fold-state key: who writes now.
    var owner = 0
    /// The rows written to noted tables, each as a hash of its table and key, with the `owner` that wrote it.
    private(set) var written: [(row: Int, owner: Int)] = []

    init(tables: [TableSpec]) {
        self.init(tables: tables, noting: [])
    }

    /// Rows for `tables`; the keys of rows written to the tables named in `noted` are noted (`written`), so a
    /// stream-ordered rebuild can tell whether two fold-state keys wrote a row of the same key.
    init(tables: [TableSpec], noting noted: Set<String>) {
        names = tables.map(\.name)
        policies = tables.map(MergePolicy.init)
        stored = Array(repeating: KeyedRows(), count: tables.count)
        self.noted = tables.map { noted.contains($0.name) }
    }

    /// How many rows each table holds, in the tables' order.
    var rowCounts: [Int] { stored.map(\.count) }

    /// Makes room in each table (in the tables' order) for that many rows: a rebuild passes each batch's
    /// output the counts of the previous batch's (`rowCounts`), so a table's key index does not grow from empty.
    mutating func reserveRows(_ counts: [Int]) {
        for (index, count) in counts.enumerated() where index < stored.count {
            stored[index].reserveCapacity(count)
        }
    }

    /// Writes `row` to `table` as that table's mode says; later rows for the same key in the
    /// batch replace (upsert), add to (accumulate) or are ignored after (insert) earlier ones.
    public mutating func write(_ table: String, _ row: Row) throws {
        guard let index = names.firstIndex(of: table) else { throw EngineError.unknownTable(table) }
        guard noted[index] else {
            stored[index].add(row, policy: policies[index])
            return
        }
        let key = policies[index].key(of: row)
        var hasher = Hasher()
        hasher.combine(index)
        hasher.combine(key)
        written.append((hasher.finalize(), owner))
        stored[index].add(row, key: key, policy: policies[index])
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
    /// A state table's rebuild mark (`FoldingProjection.loadStates`) that is not a log position.
    case badRefoldMark(table: String, text: String)
    /// Fold states a rebuild left to be folded again were met where no store to read their streams from was given.
    case noStoreToRefold(projection: String)

    public var description: String {
        switch self {
        case .unknownTable(let table): "the projection writes to table \(table), which it does not declare"
        case .outsideTransaction(let work): "\(work) must run inside a transaction"
        case .jsonInPlainColumn(let table, let column):
            "the projection writes a JSON document to \(table).\(column), which is not a json or jsonb column"
        case .badRefoldMark(let table, let text):
            "\(table) marks the position its states were folded up to as \(text), which is not a log position"
        case .noStoreToRefold(let projection):
            "projection \(projection) must fold states again from their streams, but its batch names no event store"
        }
    }
}
