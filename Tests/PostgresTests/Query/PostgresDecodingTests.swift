import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Decoding cells")
struct PostgresDecodingTests {
    @Test("UUID text decodes exactly when UUID(uuidString:) accepts it, on random canonical-looking text")
    func uuidTextRandom() throws {
        var generator = SystemRandomNumberGenerator()
        // Not `-` in place of a digit: Foundation's sscanf reads "-5" as a hex byte, PostgreSQL never prints it,
        // and this decoder (like the one before it) refuses it.
        let alphabet = Array("0123456789abcdefABCDEFgG/:@`".utf8)
        for _ in 0..<20000 {
            var bytes = Array(UUID().uuidString.utf8)
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                bytes[Int.random(in: 0..<36, using: &generator)] = alphabet.randomElement(using: &generator) ?? 0
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let decoded = try? UUID.decode(fromText: ArraySlice(bytes))
            #expect(decoded == UUID(uuidString: text), "\(text)")
        }
    }

    @Test(
        "a UUID cell decodes exactly when UUID(uuidString:) accepts its text, to the same value",
        arguments: [
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "a0EEbc99-9c0B-4eF8-bB6d-6bb9BD380a11", "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff", "a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g",
            "a0eebc999-c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d_6bb9bd380a11",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1 ", "", "not a uuid at all, but thirty-six",
            "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380aG1",
        ])
    func uuidText(_ text: String) async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        let rows = try await connection.query("SELECT \(text)::text")
        await connection.close()
        let row = try #require(rows.first)
        if let expected = UUID(uuidString: text) {
            #expect(try row.decode(UUID.self, at: 0) == expected)
        } else {
            #expect(throws: PostgresError.self) { try row.decode(UUID.self, at: 0) }
        }
    }

    @Test("a row decodes into a typed tuple, column by column, with NULL only where the type is optional")
    func typedTuple() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        let rows = try await connection.query("SELECT 42::bigint, 'hairline'::text, NULL::timestamptz, true")
        await connection.close()
        let row = try #require(rows.first)
        let (number, text, at, flag) = try row.decode((Int64, String, Date?, Bool).self)
        #expect(number == 42)
        #expect(text == "hairline")
        #expect(at == nil)
        #expect(flag)
        #expect(throws: PostgresError.self) { try row.decode((Int64, String, Date).self) }
        #expect(throws: PostgresError.self) { try row.decode((Int64, String, Date?, Bool, Int).self) }
    }

    @Test("a column read whole gives each row's own text: repeats share a string, bytes are slices of one buffer")
    func wholeColumns() async throws {
        let repeated = ["client-1", "client-2", "", "naïve ✓ café", String(repeating: "x", count: 300), "client.paid"]
        var values: [String] = []
        for _ in 0..<600 {
            // Runs of one value, values seen a while ago, and values seen once.
            let value =
                Bool.random() ? (repeated.randomElement() ?? "") : (values.last ?? UUID().uuidString.lowercased())
            values.append(Int.random(in: 0..<10) == 0 ? UUID().uuidString : value)
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: values), as: UTF8.self)
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        let rows = try await connection.query(
            "SELECT n, v AS text, v AS bytes FROM json_array_elements_text(\(json)::json) WITH ORDINALITY AS t(v, n) ORDER BY n"
        )
        let nulls = try await connection.query("SELECT 'a'::text AS v UNION ALL SELECT NULL")
        await connection.close()
        #expect(try rows.map { try $0.decode((Int64, String).self).1 } == values)
        for recent in [0, 1, 2, 32] {
            #expect(try rows.strings(column: "text", reusingRecent: recent) == values, "reusing \(recent)")
        }
        let bytes = try rows.sharedBytes(column: "bytes")
        #expect(bytes.map { Array($0) } == values.map { Array($0.utf8) })
        #expect(bytes.map { String(decoding: $0, as: UTF8.self) } == values)
        #expect(throws: PostgresError.self) { try rows.strings(column: "missing", reusingRecent: 2) }
        #expect(throws: PostgresError.self) { try nulls.strings(column: "v", reusingRecent: 2) }
        #expect(throws: PostgresError.self) { try nulls.sharedBytes(column: "v") }
    }

    @Test("uuid columns decode to the values bound, whatever their bytes")
    func uuidColumns() async throws {
        let connection = try await PostgresConnection.connect(try TestDatabase.serverConfiguration())
        let ids = (0..<50).map { _ in UUID() }
        var decoded: [UUID] = []
        for id in ids {
            let rows = try await connection.query("SELECT \(id)::uuid")
            if let row = rows.first { decoded.append(try row.decode(UUID.self, at: 0)) }
        }
        await connection.close()
        #expect(decoded == ids)
    }
}
