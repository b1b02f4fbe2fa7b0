import Foundation
@testable import Projections
import Testing

@Suite("A row's key")
struct RowKeyTests {
    /// Values whose JSON texts coincide across kinds (a date and its text, NaN and null, 1 and "1" do not),
    /// and values that differ in ways a careless key could merge (0.0 and -0.0, dates 0.4 ms apart).
    static let values: [RowValue] = [
        .null, .int(0), .int(1), .int(-1), .int(.max), .double(0), .double(-0.0), .double(1), .double(1.5),
        .double(.nan), .double(.infinity), .double(-.infinity), .double(1e20), .text(""), .text("1"), .text("1.0"),
        .text("null"), .text("true"), .text("a\u{1F}b"), .text("é"), .text("e\u{301}"), .bool(true), .bool(false),
        .date(Date(timeIntervalSince1970: 0)), .date(Date(timeIntervalSince1970: 0.0004)),
        .date(Date(timeIntervalSince1970: 0.001)), .text(RowValue.iso8601(Date(timeIntervalSince1970: 0))),
        .text(RowValue.iso8601(Date(timeIntervalSince1970: 0.001))),
    ]

    static func row(_ columns: [(String, RowValue)]) -> Row {
        var row: Row = [:]
        for (name, value) in columns { row[name] = value }
        return row
    }

    static func text(_ values: [RowValue]) -> String {
        var text = ""
        for (index, value) in values.enumerated() {
            if index > 0 { text += "\u{1F}" }
            value.appendJSON(to: &text)
        }
        return text
    }

    @Test(
        "two rows have the same key exactly when their key columns' JSON texts are the same",
        arguments: [1, 2, 3])
    func sameKeyExactlyWhenSameText(columns: Int) {
        let names = (0..<columns).map { "k\($0)" }
        let table = TableSpec(
            name: "t", columns: names.map { .init($0, "text") } + [.init("v", "bigint")], primaryKey: names,
            mode: .upsert)
        let policy = MergePolicy(table)
        // Every value in each key column, the others fixed (3 columns: every pair in the first two).
        var keys: [[RowValue]] = []
        for a in Self.values {
            if columns == 1 {
                keys.append([a])
            } else {
                for b in Self.values { keys.append([a, b] + Array(repeating: RowValue.int(7), count: columns - 2)) }
                keys.append([.int(7)] + Array(repeating: a, count: columns - 1))
            }
        }
        var compared = 0
        var merged = 0
        for left in keys {
            let leftRow = Self.row(zip(names, left).map { ($0, $1) } + [("v", .int(1))])
            let leftKey = policy.key(of: leftRow)
            for right in keys {
                // Written in another column order: the key does not depend on it.
                let rightRow = Self.row([("v", .int(2))] + zip(names, right).map { ($0, $1) }.reversed())
                let rightKey = policy.key(of: rightRow)
                let same = Self.text(left) == Self.text(right)
                #expect((leftKey == rightKey) == same, "\(left) against \(right)")
                if same {
                    #expect(leftKey.hashValue == rightKey.hashValue)
                    merged += 1
                }
                compared += 1
            }
        }
        #expect(compared > 700 && merged > compared / 1000, "\(merged) of \(compared) pairs have the same text")
    }

    @Test("a table keyed by a json column keys its rows by their text; a missing key column is null")
    func jsonAndMissingColumns() throws {
        let table = TableSpec(
            name: "t", columns: [.init("k", "jsonb"), .init("v", "bigint")], primaryKey: ["k"], mode: .insert)
        let policy = MergePolicy(table)
        #expect(policy.key(of: ["k": .json(Data("1".utf8))]) == policy.key(of: ["k": .int(1)]))
        #expect(policy.key(of: ["k": .json(Data("\"a\"".utf8))]) == policy.key(of: ["k": .text("a")]))
        #expect(policy.key(of: ["k": .json(Data("null".utf8))]) == policy.key(of: ["v": .int(1)]))
        #expect(policy.key(of: ["k": .json(Data("2".utf8))]) != policy.key(of: ["k": .int(1)]))
        let plain = MergePolicy(
            TableSpec(name: "p", columns: [.init("k", "text")], primaryKey: ["k"], mode: .insert))
        #expect(plain.key(of: ["v": .int(1)]) == plain.key(of: ["k": .null]))
        #expect(plain.key(of: ["k": .double(.nan)]) == plain.key(of: ["k": .null]))
        // Insert mode keeps the first row of a key: the date and its text are one key, as the table sees it.
        var rows = KeyedRows()
        let at = Date(timeIntervalSince1970: 1_700_000_000)
        rows.add(["k": .date(at)], policy: plain)
        rows.add(["k": .text(RowValue.iso8601(at))], policy: plain)
        rows.add(["k": .date(at.addingTimeInterval(0.0004))], policy: plain)
        rows.add(["k": .date(at.addingTimeInterval(0.0015))], policy: plain)
        #expect(rows.rows == [["k": .date(at)], ["k": .date(at.addingTimeInterval(0.0015))]])
    }
}
