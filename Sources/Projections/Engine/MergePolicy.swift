import Postgres

/// How a table's rows meet rows already stored under the same key: one rule, written once for the
/// table (`ON CONFLICT`) and once for memory (`merge`), so a batch's rows merged in memory, rows held
/// back across a rebuild's batches and rows merged by the table all end the same.
///
/// - `insert`: the stored row stays (`DO NOTHING`).
/// - `upsert`: every column outside the key takes the later row's value (`DO UPDATE SET c = EXCLUDED.c`);
///   a table of key columns only keeps what it has.
/// - `accumulate(sums)`: the sum columns add (`c = t.c + EXCLUDED.c`, NULL if either is NULL), every other
///   column outside the key takes the later row's value.
///
/// A column missing from a row is NULL: the writer sends it as NULL, never as the column's default.
///
/// A class: `ProjectionOutput` hands its table's policy to `KeyedRows.add` for every row, and copying a
/// struct of arrays and strings retained and released each of them per row.
final class MergePolicy: Sendable {
    let mode: TableSpec.Mode
    /// The key columns, in key order.
    let key: [String]
    /// Each key column's place in the table (where a row written in the table's order has it).
    private let keyPlaces: [Int]
    /// The columns outside the key, in table order.
    let others: [String]
    /// The `ON CONFLICT` clause for rows inserted into the table aliased `t`.
    let conflictClause: String
    /// True when a later row of a held key changes nothing (`insert`, or `upsert` of key columns only).
    let keepsEarlier: Bool
    /// For `accumulate`: the sum columns outside the key, each with its place in the table.
    private let sumPlaces: [(name: String, place: Int)]

    init(_ table: TableSpec) {
        mode = table.mode
        key = table.primaryKey
        keyPlaces = table.primaryKey.map { name in table.columns.firstIndex { $0.name == name } ?? 0 }
        keyedByText =
            table.primaryKey.isEmpty
            || table.columns.contains { table.primaryKey.contains($0.name) && ["json", "jsonb"].contains($0.type) }
        let others = table.columns.map(\.name).filter { !table.primaryKey.contains($0) }
        self.others = others
        switch table.mode {
        case .insert: keepsEarlier = true
        case .upsert: keepsEarlier = others.isEmpty
        case .accumulate: keepsEarlier = others.isEmpty
        }
        if case .accumulate(let sums) = table.mode {
            sumPlaces = sums.filter(others.contains).map { name in
                (name, table.columns.firstIndex { $0.name == name } ?? 0)
            }
        } else {
            sumPlaces = []
        }
        let keyList = table.primaryKey.map(SQL.quoteIdentifier).joined(separator: ", ")
        let sets: [String]
        switch table.mode {
        case .insert:
            sets = []
        case .upsert:
            sets = others.map { "\(SQL.quoteIdentifier($0)) = EXCLUDED.\(SQL.quoteIdentifier($0))" }
        case .accumulate(let sums):
            sets = others.map { column in
                let quoted = SQL.quoteIdentifier(column)
                return sums.contains(column)
                    ? "\(quoted) = t.\(quoted) + EXCLUDED.\(quoted)" : "\(quoted) = EXCLUDED.\(quoted)"
            }
        }
        conflictClause =
            sets.isEmpty
            ? "ON CONFLICT (\(keyList)) DO NOTHING"
            : "ON CONFLICT (\(keyList)) DO UPDATE SET " + sets.joined(separator: ", ")
    }

    /// True when a key column is `json` or `jsonb`: its rows are keyed by their key columns' JSON text
    /// (a JSON document can spell any other value), not by `RowKey.Part`s.
    private let keyedByText: Bool

    /// The row's key: two rows have the same key exactly when their key columns' JSON texts are the same.
    func key(of row: Row) -> RowKey {
        if keyedByText {
            var text = ""
            for (index, column) in key.enumerated() {
                if index > 0 { text += "\u{1F}" }
                (row.value(of: column, at: keyPlaces[index]) ?? .null).appendJSON(to: &text)
            }
            return RowKey(first: .json(text))
        }
        let first = RowKey.Part(row.value(of: key[0], at: keyPlaces[0]) ?? .null)
        guard key.count > 1 else { return RowKey(first: first) }
        let second = RowKey.Part(row.value(of: key[1], at: keyPlaces[1]) ?? .null)
        guard key.count > 2 else { return RowKey(first: first, second: second) }
        var rest: [RowKey.Part] = []
        rest.reserveCapacity(key.count - 2)
        for index in 2..<key.count {
            rest.append(RowKey.Part(row.value(of: key[index], at: keyPlaces[index]) ?? .null))
        }
        return RowKey(first: first, second: second, rest: rest)
    }

    /// True when rows of this table end the same whatever order they are written in: an `accumulate`
    /// table whose columns outside the key are all sums, which add in any order.
    var isOrderFree: Bool {
        guard case .accumulate(let sums) = mode else { return false }
        return others.allSatisfy(sums.contains)
    }

    /// What the table holds after `later` is written over `earlier` (same key), as `conflictClause`
    /// stores it; nil when memory cannot compute that exactly (an overflowing or non-integer sum:
    /// the column's own arithmetic decides), and both rows must reach the table, in order.
    func merge(_ earlier: Row, _ later: Row) -> Row? {
        switch mode {
        case .insert:
            return earlier
        case .upsert:
            return others.isEmpty ? earlier : later
        case .accumulate:
            guard !others.isEmpty else { return earlier }
            var merged = later
            for (column, place) in sumPlaces {
                switch (earlier.value(of: column, at: place) ?? .null, later.value(of: column, at: place) ?? .null) {
                case (.int(let a), .int(let b)):
                    let (sum, overflow) = a.addingReportingOverflow(b)
                    guard !overflow else { return nil }
                    merged.setValue(.int(sum), of: column, at: place)
                case (.null, _), (_, .null):
                    merged.setValue(.null, of: column, at: place)
                default:
                    return nil
                }
            }
            return merged
        }
    }
}

/// Rows of one table, merged by key with the table's `MergePolicy`. A row that cannot be merged in
/// memory with the one held for its key starts a new run; runs reach the table in order, each with
/// every key at most once (one `INSERT … ON CONFLICT` cannot touch a row twice).
struct KeyedRows: Sendable {
    private(set) var earlierRuns: [[Row]] = []
    private var slots: [RowKey: Int] = [:]
    private var current: [Row] = []
    /// Rows held, over all runs.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Makes room for `rows` rows of distinct keys without growing (a batch's output told how many the
    /// previous batch's had: a key index grown from empty rehashed every key about twice).
    mutating func reserveCapacity(_ rows: Int) {
        guard rows > 0 else { return }
        slots.reserveCapacity(rows)
        current.reserveCapacity(rows)
    }

    /// Every run, in the order they must be written.
    var runs: [[Row]] { current.isEmpty ? earlierRuns : earlierRuns + [current] }

    /// Every row, runs one after another.
    var rows: [Row] { earlierRuns.isEmpty ? current : runs.flatMap { $0 } }

    mutating func add(_ row: Row, policy: MergePolicy) {
        add(row, key: policy.key(of: row), policy: policy)
    }

    /// `add`, with the row's key (`MergePolicy.key(of:)`) already made.
    mutating func add(_ row: Row, key: RowKey, policy: MergePolicy) {
        // One hash and probe: the key's slot is found, or made for the row appended below.
        if let slot = Self.held(&slots[key, default: -1], orNew: current.count) {
            // The held row stays as it is: nothing to merge or store.
            if policy.keepsEarlier { return }
            if let merged = policy.merge(current[slot], row) {
                current[slot] = merged
                return
            }
            earlierRuns.append(current)
            current = []
            slots = [key: 0]
        }
        current.append(row)
        count += 1
    }

    /// The slot already held (`slot` ≥ 0), or nil after setting a new key's `slot` (−1) to `new`.
    private static func held(_ slot: inout Int, orNew new: Int) -> Int? {
        guard slot < 0 else { return slot }
        slot = new
        return nil
    }
}

/// A row's key as `KeyedRows` and a stream-ordered rebuild compare it: the key columns' values, equal
/// exactly when the JSON texts `RowValue.appendJSON` makes of them are equal (what the table is sent),
/// without making that text for every row. A date is its text (milliseconds, as sent); a finite double
/// its bits (its text is its shortest round-trip spelling: `0.0` and `-0.0` differ, as their texts do);
/// a NaN or infinity is `null`, as its text is. A `json` value is its text: only a table keyed by a json
/// column (`MergePolicy.keyedByText`) may hold one, and the writer refuses it anywhere else.
struct RowKey: Hashable, Sendable {
    enum Part: Hashable, Sendable {
        case null
        case int(Int64)
        case double(UInt64)
        case text(String)
        case bool(Bool)
        case json(String)

        init(_ value: RowValue) {
            switch value {
            case .null: self = .null
            case .int(let number): self = .int(number)
            case .double(let number): self = number.isFinite ? .double(number.bitPattern) : .null
            case .text(let text): self = .text(text)
            case .bool(let flag): self = .bool(flag)
            case .date(let date): self = .text(RowValue.iso8601(date))
            case .json(let data): self = .json(String(decoding: data, as: UTF8.self))
            }
        }
    }

    /// The first key column's part; the second's and the others' (a key of one or two columns holds no array).
    var first: Part
    var second: Part? = nil
    var rest: [Part] = []
}
