/// The rows one batch produces, merged in memory by key so each table gets one write.
public struct ProjectionOutput: Sendable {
    private(set) var rows: [String: [String: Row]] = [:]
    private(set) var order: [String: [String]] = [:]
    private let tables: [String: TableSpec]

    init(tables: [TableSpec]) {
        var byName: [String: TableSpec] = [:]
        for table in tables { byName[table.name] = table }
        self.tables = byName
    }

    /// Writes `row` to `table` as that table's mode says; later rows for the same key in the
    /// batch replace (upsert), add to (accumulate) or are ignored after (insert) earlier ones.
    public mutating func write(_ table: String, _ row: Row) throws {
        guard let spec = tables[table] else { throw EngineError.unknownTable(table) }
        let key = spec.primaryKey.map { column -> String in
            var text = ""
            (row[column] ?? .null).appendJSON(to: &text)
            return text
        }.joined(separator: "\u{1F}")
        if rows[table]?[key] == nil {
            order[table, default: []].append(key)
            rows[table, default: [:]][key] = row
            return
        }
        switch spec.mode {
        case .upsert:
            rows[table]?[key] = row
        case .insert:
            break
        case .accumulate(let sums):
            guard var stored = rows[table]?[key] else { return }
            for column in sums {
                switch (stored[column], row[column]) {
                case (.int(let a), .int(let b)): stored[column] = .int(a + b)
                case (.double(let a), .double(let b)): stored[column] = .double(a + b)
                case (_, let value?): stored[column] = value
                default: break
                }
            }
            rows[table]?[key] = stored
        }
    }

    /// The rows for `table` in first-written order.
    func rows(for table: String) -> [Row] {
        (order[table] ?? []).compactMap { rows[table]?[$0] }
    }
}

/// Mistakes in a projection's definition.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case unknownTable(String)

    public var description: String {
        switch self {
        case .unknownTable(let table): "the projection writes to table \(table), which it does not declare"
        }
    }
}
