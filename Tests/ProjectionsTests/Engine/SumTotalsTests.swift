import Testing

@testable import Projections

@Suite("sums added up in memory by key (SumTotals)")
struct SumTotalsTests {
    private static let table = TableSpec(
        name: "takings",
        columns: [
            .init("day", "date NOT NULL"), .init("till", "text NOT NULL"), .init("cash", "bigint"),
            .init("count", "bigint NOT NULL"),
        ],
        primaryKey: ["day", "till"], mode: .accumulate(["cash", "count"]))

    private static func row(_ day: String, _ till: String, cash: RowValue?, count: Int64 = 1) -> Row {
        var row: Row = ["day": .text(day), "till": .text(till), "count": .int(count)]
        if let cash { row["cash"] = cash }
        return row
    }

    /// Every total, by "day till", as "cash count" ("-" for NULL), and the rows held as they are.
    private static func contents(_ totals: SumTotals, chunk: Int = 2) -> (totals: [String: String], unmerged: [Row]) {
        var byKey: [String: String] = [:]
        for rows in totals.totals(chunkedBy: chunk) {
            #expect(rows.count <= chunk)
            for row in rows {
                func text(_ name: String) -> String {
                    switch row[name] {
                    case .text(let value): value
                    case .int(let value): String(value)
                    case .null: "-"
                    default: "?"
                    }
                }
                #expect(row.columns.map(\.0) == ["day", "till", "cash", "count"], "in the table's column order")
                let key = text("day") + " " + text("till")
                #expect(byKey[key] == nil, "each key once")
                byKey[key] = text("cash") + " " + text("count")
            }
        }
        return (byKey, totals.unmergedRows)
    }

    @Test("rows of one key add up column by column; keys stay apart; every key comes once, in chunks")
    func addsByKey() throws {
        var totals = try #require(SumTotals(table: Self.table))
        totals.add(Self.row("2026-01-01", "a", cash: .int(5)))
        totals.add(Self.row("2026-01-01", "b", cash: .int(7)))
        totals.add(Self.row("2026-01-01", "a", cash: .int(-2), count: 3))
        totals.add(Self.row("2026-01-02", "a", cash: .int(1)))
        totals.add(Self.row("2026-01-01", "a", cash: .int(10)))
        #expect(totals.count == 3)
        let (byKey, unmerged) = Self.contents(totals)
        #expect(
            byKey == ["2026-01-01 a": "13 5", "2026-01-01 b": "7 1", "2026-01-02 a": "1 1"])
        #expect(unmerged.isEmpty)
        totals.removeAll()
        #expect(totals.isEmpty && totals.count == 0)
        #expect(Self.contents(totals).totals.isEmpty)
        // Numbering goes on after: a value met before and a new one.
        totals.add(Self.row("2026-01-02", "c", cash: .int(4)))
        #expect(Self.contents(totals).totals == ["2026-01-02 c": "4 1"])
    }

    @Test("NULL in any row, or a sum column a row leaves out, makes the key's sum NULL for good")
    func nullSticks() throws {
        var totals = try #require(SumTotals(table: Self.table))
        totals.add(Self.row("d", "a", cash: .int(5)))
        totals.add(Self.row("d", "a", cash: .null))
        totals.add(Self.row("d", "a", cash: .int(6)))
        totals.add(Self.row("d", "b", cash: nil))
        totals.add(Self.row("d", "b", cash: .int(1)))
        totals.add(Self.row("d", "c", cash: .int(1)))
        #expect(Self.contents(totals).totals == ["d a": "- 3", "d b": "- 2", "d c": "1 1"])
    }

    @Test("a row memory cannot add (past Int64, or not an integer) is held as it is; its key stays as it was")
    func unmergedRows() throws {
        var totals = try #require(SumTotals(table: Self.table))
        totals.add(Self.row("d", "a", cash: .int(Int64.max - 1)))
        let past = Self.row("d", "a", cash: .int(5))
        totals.add(past)
        let fraction = Self.row("d", "a", cash: .double(1.5))
        totals.add(fraction)
        let text = Self.row("d", "new", cash: .text("1"))
        totals.add(text)
        totals.add(Self.row("d", "a", cash: .int(-10)))
        let (byKey, unmerged) = Self.contents(totals)
        // Count too is left as it was by the rows held apart; the key the text row would have made is not made.
        #expect(byKey == ["d a": "\(Int64.max - 11) 2"])
        #expect(unmerged == [past, fraction, text])
        #expect(totals.count == 4)
    }

    @Test("a key of more than eight columns is not numbered: no totals")
    func wideKeys() {
        let names = (0..<9).map { "k\($0)" }
        let wide = TableSpec(
            name: "wide", columns: names.map { .init($0, "text NOT NULL") } + [.init("n", "bigint")],
            primaryKey: names, mode: .accumulate(["n"]))
        #expect(SumTotals(table: wide) == nil)
        #expect(SumTotals(table: Self.table, maximumKeys: 0)?.maximumKeys == 1)
    }
}
