/// The rows of an order-free `accumulate` table added up in memory by key during a stream-ordered pass, before
/// they reach the pass's staging table (`SumStage`): the staging table then gets one row per key (and the rows
/// memory cannot add), not one per batch that touched the key.
///
/// Many streams add to each key (a day's takings at a till come from every client seen that day), and in stream
/// order they come spread over the whole pass: the rows held back per batch (`RowSink`, a few thousand) merged
/// few of them, and the staging table took ~630,000 rows for revenue's ~105,000 days at 1M events (~400,000 for
/// ~79,000 appointment days); adding them up was the largest job after the pass. Here keys stay in memory, in
/// little of it: each key column's values are numbered as they are met (a day, a location, a technician: a few
/// thousand values at most), a key is its numbers (`SIMD8<UInt32>`, 32 bytes), and its sums sit in one array
/// (~130 bytes a key with the dictionary). Past `maximumKeys` keys (98,304 unless told) the totals are staged
/// and adding up starts afresh, so memory stays bounded however long the log.
///
/// What the staging table is then given adds up to the same table: `SumStage.load` still groups by key. A row
/// memory cannot add exactly, as `MergePolicy.merge` cannot (a sum column holding anything but an integer or
/// NULL, or a sum past `Int64`), is staged as it is, and the server's arithmetic decides, as it would have; two
/// values memory numbers apart that the column stores alike (`RowValue`s of two kinds) stay two rows until the
/// server groups them. NULL in any row makes the key's sum NULL, as `SumStage.load`'s totals do; a column a
/// row does not name is NULL (`MergePolicy`).
struct SumTotals: Sendable {
    /// Keys held at most by default; past them every total is staged and adding up starts afresh
    /// (`SumStage.append`). As many as a dictionary of 2^17 buckets holds (~12 MB with their sums for revenue's
    /// widest table); at 10M events revenue's two tables reach it, at 1M one of them (~105,000 keys) stages
    /// about twice its keys.
    static let defaultMaximumKeys = 98_304

    /// Keys (and rows held as they are) past which `SumStage` stages the totals.
    let maximumKeys: Int

    /// Each key column's name and place in the table.
    private let keyColumns: [(name: String, place: Int)]
    /// Each sum column's name and place in the table.
    private let sumColumns: [(name: String, place: Int)]
    /// The table's columns in order, each a key column's index (≥ 0) or a sum column's (−1 − index).
    private let layout: [(name: String, slot: Int)]
    /// Each key column's values, numbered in the order met (`values[c][n]` is number n of column c).
    private var numbers: [[RowValue: Int32]]
    private var values: [[RowValue]]
    /// Each key's slot in `sums` and `nulls`.
    private var slots: [SIMD8<UInt32>: Int32] = [:]
    /// The sums, `sumColumns.count` per slot.
    private var sums: [Int64] = []
    /// Per slot, bit i set when sum column i is NULL.
    private var nulls: [UInt64] = []
    /// Rows memory does not add up, staged as they are.
    private var unmerged: [Row] = []

    /// Totals for `table`'s rows, whose columns outside the key are all sums; nil for a key of more than eight
    /// columns or more than 64 sums (its rows are staged as they come).
    init?(table: TableSpec, maximumKeys: Int = defaultMaximumKeys) {
        let keys = table.primaryKey
        let sumNames = table.columns.map(\.name).filter { !keys.contains($0) }
        guard !keys.isEmpty, keys.count <= 8, sumNames.count <= 64 else { return nil }
        func place(_ name: String) -> Int { table.columns.firstIndex { $0.name == name } ?? 0 }
        keyColumns = keys.map { ($0, place($0)) }
        sumColumns = sumNames.map { ($0, place($0)) }
        layout = table.columns.map { column in
            if let index = keys.firstIndex(of: column.name) { return (column.name, index) }
            return (column.name, -1 - (sumNames.firstIndex(of: column.name) ?? 0))
        }
        self.maximumKeys = max(1, maximumKeys)
        numbers = Array(repeating: [:], count: keys.count)
        values = Array(repeating: [], count: keys.count)
    }

    /// True when nothing is held.
    var isEmpty: Bool { slots.isEmpty && unmerged.isEmpty }

    /// Keys and unmerged rows held.
    var count: Int { slots.count + unmerged.count }

    /// Adds `row` to its key's totals (or holds it as it is, when memory cannot add it).
    mutating func add(_ row: Row) {
        var key = SIMD8<UInt32>(repeating: 0)
        for (index, column) in keyColumns.enumerated() {
            key[index] = number(row.value(of: column.name, at: column.place) ?? .null, column: index)
        }
        let width = sumColumns.count
        let held = slots[key].map(Int.init)
        // Every sum checked before any is changed: a row memory cannot add leaves its key as it was.
        var nullBits = held.map { nulls[$0] } ?? 0
        for (index, column) in sumColumns.enumerated() where nullBits & (1 << UInt64(index)) == 0 {
            switch row.value(of: column.name, at: column.place) ?? .null {
            case .null:
                nullBits |= 1 << UInt64(index)
            case .int(let value):
                if let held, sums[held * width + index].addingReportingOverflow(value).overflow {
                    return unmerged.append(row)
                }
            default:
                return unmerged.append(row)
            }
        }
        let slot: Int
        if let held {
            slot = held
        } else {
            slot = nulls.count
            slots[key] = Int32(slot)
            sums.append(contentsOf: repeatElement(0, count: width))
            nulls.append(0)
        }
        for (index, column) in sumColumns.enumerated() where nullBits & (1 << UInt64(index)) == 0 {
            if case .int(let value) = row.value(of: column.name, at: column.place) {
                sums[slot * width + index] &+= value
            }
        }
        nulls[slot] = nullBits
    }

    /// Every total as a row of the table (in no particular order), `size` rows at a time, made as the chunks are
    /// read (all of them at once would take ~700 bytes a key).
    func totals(chunkedBy size: Int) -> some Sequence<[Row]> {
        Array(slots).chunks(of: size).lazy.map { [self] entries in
            entries.map { key, slot in row(key: key, slot: Int(slot)) }
        }
    }

    /// The rows memory did not add up, to be staged as they are.
    var unmergedRows: [Row] { unmerged }

    /// The totals of `key`, at `slot`, as a row of the table.
    private func row(key: SIMD8<UInt32>, slot: Int) -> Row {
        var columns: [(String, RowValue)] = []
        columns.reserveCapacity(layout.count)
        for (name, index) in layout {
            if index >= 0 {
                columns.append((name, values[index][Int(key[index])]))
            } else {
                let sum = -1 - index
                let isNull = nulls[slot] & (1 << UInt64(sum)) != 0
                columns.append((name, isNull ? .null : .int(sums[slot * sumColumns.count + sum])))
            }
        }
        return Row(columns: columns)
    }

    /// Forgets every total and row held (the key columns' numbers stay).
    mutating func removeAll() {
        slots = [:]
        sums = []
        nulls = []
        unmerged = []
    }

    /// The number of `value` among key column `column`'s values, numbered now when new.
    private mutating func number(_ value: RowValue, column: Int) -> UInt32 {
        let new = Int32(values[column].count)
        // One hash and probe: the value's number is found, or set to `new` (from the default, −1).
        let number = Self.held(&numbers[column][value, default: -1], orNew: new)
        if number == new { values[column].append(value) }
        return UInt32(number)
    }

    /// `slot` when already held (≥ 0), or `new` after setting `slot` (−1) to it.
    private static func held(_ slot: inout Int32, orNew new: Int32) -> Int32 {
        if slot < 0 { slot = new }
        return slot
    }
}
