import Foundation
@testable import Projections
import Testing

@Suite("A projection row")
struct RowTests {
    @Test("reads a column wherever it was written, equals and hashes alike in any column order")
    func columnsInAnyOrder() {
        let inOrder: Row = ["id": .int(1), "name": .text("a"), "at": .date(Date(timeIntervalSince1970: 0))]
        let shuffled: Row = ["at": .date(Date(timeIntervalSince1970: 0)), "id": .int(1), "name": .text("a")]
        #expect(inOrder == shuffled)
        #expect(inOrder.hashValue == shuffled.hashValue)
        #expect(Set([inOrder, shuffled]).count == 1)
        #expect(shuffled.value(of: "name", at: 1) == .text("a"), "the place is a hint, not where it must be")
        #expect(shuffled.value(of: "id", at: 1) == .int(1))
        #expect(shuffled.value(of: "missing", at: 0) == nil)
        #expect(inOrder != ["id": .int(1), "name": .text("b"), "at": .date(Date(timeIntervalSince1970: 0))])
        #expect(inOrder != ["id": .int(1), "name": .text("a")], "a missing column is not NULL")
        #expect(inOrder != ["id": .int(1), "name": .text("a"), "at": .null])
    }

    @Test("setting a column replaces its value or adds it; setting nil removes it")
    func settingColumns() {
        var row: Row = ["id": .int(1), "n": .int(2)]
        row["n"] = .int(3)
        row["label"] = .text("x")
        #expect(row == ["id": .int(1), "n": .int(3), "label": .text("x")])
        #expect(row.columns.map(\.0) == ["id", "n", "label"])
        row["id"] = nil
        #expect(row == ["n": .int(3), "label": .text("x")])
        #expect(row["id"] == nil && row["n"] == .int(3))
    }

    @Test("the COPY rows are in the table's column order whatever order the row was written in")
    func encodedInTableOrder() throws {
        let table = TableSpec(
            name: "t", columns: [.init("id", "bigint"), .init("label", "text"), .init("flag", "boolean")],
            primaryKey: ["id"], mode: .upsert)
        let rows: [Row] = [
            ["id": .int(1), "label": .text("a"), "flag": .bool(true)],
            ["flag": .bool(false), "id": .int(2)],
        ]
        let expected: [Row] = [
            ["flag": .bool(true), "label": .text("a"), "id": .int(1)],
            ["id": .int(2), "label": .null, "flag": .bool(false)],
        ]
        let encoded = try RowWriter.encode(rows, for: table).rowBytes
        #expect(encoded == (try RowWriter.encode(expected, for: table).rowBytes))
        // Per row the field count, then per field its length (-1 for NULL) and its binary form.
        #expect(
            encoded == [0, 3, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0x61, 0, 0, 0, 1, 1]
                + [0, 3, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 0])
        #expect(MergePolicy(table).key(of: rows[1]) == MergePolicy(table).key(of: ["flag": .null, "id": .int(2)]))
    }
}
