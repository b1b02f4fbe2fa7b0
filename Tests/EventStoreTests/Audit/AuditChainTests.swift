import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Hash chain: linking and verifying an untouched log")
struct AuditChainTests {
    @Test("an untouched log verifies and reports its head as the last event's stored hash")
    func untouchedLogVerifies() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(40, streams: 4, perAppend: 3)
            let report = try await database.chainVerifier.verify()
            #expect(report.findings == [])
            #expect(report.checkedCount == 40)
            #expect(report.head?.position == 40)
            #expect(try await report.head?.hash == database.storedChainHash(at: 40))
            #expect(report.summary.hasPrefix("40 events verified (positions 1–40), head 40:"))
            let partial = try await database.chainVerifier.verify(from: 31)
            #expect(partial.isIntact)
            #expect(partial.checkedCount == 10)
            #expect(partial.head == report.head)
        }
    }

    @Test("an empty log verifies with nothing to check")
    func emptyLog() async throws {
        try await TestDatabase.with { database in
            let report = try await database.chainVerifier.verify()
            #expect(report.isIntact)
            #expect(report.checkedCount == 0)
            #expect(report.head == nil)
        }
    }

    @Test("the database's link equals the Swift canonical form's, for unicode, escapes and odd timestamps")
    func swiftAndSQLAgree() async throws {
        try await TestDatabase.with { database in
            try await database.store.append(
                [
                    event("a.b", #"{"text": "naïve \"quoted\" \\ ☕ \u0001", "n": 1.50}"#),
                    event("c:d", #"{}"#),
                ], to: try stream("client-x"), expectedVersion: .noStream)
            let rows = try await database.pool.withConnection { connection in
                try await connection.query(
                    """
                    SELECT position, stream, version, event_id, type, schema_version, data::text, metadata::text,
                           (extract(epoch FROM recorded_at) * 1000000)::bigint, prev_hash, hash
                      FROM events ORDER BY position
                    """)
            }
            var previous = ChainCanonicalForm.genesis
            for row in rows {
                let hash = ChainCanonicalForm.hash(
                    previous: previous, position: try row.decode(at: 0), stream: try row.decode(at: 1),
                    version: try row.decode(at: 2), eventID: try row.decode(at: 3), type: try row.decode(at: 4),
                    schemaVersion: try row.decode(at: 5), data: try row.decode(at: 6), metadata: try row.decode(at: 7),
                    recordedAtMicroseconds: try row.decode(at: 8))
                #expect(try row.decode(Bytea.self, at: 9).bytes == previous)
                #expect(try row.decode(Bytea.self, at: 10).bytes == hash)
                previous = hash
            }
            #expect(rows.count == 2)
        }
    }

    @Test("an insert behind the append path's back still gets chained, and forged link columns are overwritten")
    func directInsertIsChained() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(3)
            try await database.pool.withConnection { connection in
                try await connection.execute(
                    """
                    INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata,
                                        prev_hash, hash)
                    VALUES (4, 'client-9', 0, gen_random_uuid(), 'x.y', 1, '{}', '{}',
                            decode(repeat('ab', 32), 'hex'), decode(repeat('cd', 32), 'hex'))
                    """)
                try await connection.execute("UPDATE log_head SET position = 4")
            }
            #expect(try await database.chainVerifier.verify().isIntact)
            let gap = await #expect(throws: PostgresError.self) {
                try await database.pool.withConnection { connection in
                    try await connection.execute(
                        """
                        INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
                        VALUES (9, 'client-9', 1, gen_random_uuid(), 'x.y', 1, '{}', '{}')
                        """)
                }
            }
            #expect(gap?.sqlState == "SE003")
        }
    }

    @Test("migrating a log that already has events backfills a chain that verifies, and appends continue it")
    func migrationBackfills() async throws {
        try await TestDatabase.with(migrated: false) { database in
            try await database.migrate(before: 3)
            try await database.appendAuditEvents(25, streams: 3, perAppend: 4)
            let before = try await database.eventsFingerprint()

            let applied = try await Migrator(directory: TestDatabase.schemaDirectory).migrate(pool: database.pool)
            #expect(applied.map(\.version).contains(3))
            #expect(try await database.eventsFingerprint() == before)
            let report = try await database.chainVerifier.verify()
            #expect(report.findings == [])
            #expect(report.checkedCount == 25)

            try await database.appendAuditEvents(5)
            #expect(try await database.chainVerifier.verify().checkedCount == 30)
            let stillImmutable = await #expect(throws: PostgresError.self) {
                try await database.pool.withConnection { try await $0.execute("UPDATE events SET type = 'x'") }
            }
            #expect(stillImmutable?.sqlState == "SE001")
        }
    }

    @Test("a 100k-event log verifies; the speed is printed, not asserted")
    func largeLogVerifies() async throws {
        try await TestDatabase.with { database in
            let clock = ContinuousClock()
            let generation = try await clock.measure {
                try await database.appendAuditBulk(streams: 100, perStream: 1000)
            }
            let report = try await database.chainVerifier.verify()
            #expect(report.findings == [])
            #expect(report.checkedCount == 100_000)
            #expect(report.head?.position == 100_000)
            print(
                "chain: generated 100000 events in \(generation); verified in \(report.duration), "
                    + String(format: "%.0f events/s", report.eventsPerSecond))
        }
    }
}

@Suite("Canonical form")
struct AuditCanonicalFormTests {
    @Test("reads timestamptz text into exact epoch microseconds, and refuses what it cannot read")
    func timestamps() {
        let cases: [(String, Int64?)] = [
            ("1970-01-01 00:00:00+00", 0),
            ("1969-12-31 23:59:59.999999+00", -1),
            ("2026-11-28 02:16:45.479116+00", 1_795_832_205_479_116),
            ("2026-11-28 02:16:45.4791+00", 1_795_832_205_479_100),
            ("2000-02-29 12:00:00.5+01:30", 951_820_200_500_000),
            ("2000-02-29 12:00:00-00:00:30", 951_825_630_000_000),
            ("12026-01-01 00:00:00+00", 317_336_745_600_000_000),
            ("0044-03-15 12:00:00+00 BC", nil), ("2026-13-01 00:00:00+00", nil), ("2026-11-28", nil),
            ("2026-11-28 02:16:45.1234567+00", nil), ("", nil),
        ]
        for (text, expected) in cases {
            #expect(ChainCanonicalForm.epochMicroseconds(fromTimestamp: text) == expected, "\(text)")
        }
    }

    @Test("is length-prefixed, so moving bytes between fields changes the hash")
    func fieldBoundaries() {
        let id = UUID()
        func link(_ stream: String, _ type: String) -> [UInt8] {
            ChainCanonicalForm.hash(
                previous: ChainCanonicalForm.genesis, position: 1, stream: stream, version: 0, eventID: id, type: type,
                schemaVersion: 1, data: "{}", metadata: "{}", recordedAtMicroseconds: 0)
        }
        #expect(link("ab-c", "d") != link("ab-", "cd"))
        #expect(link("ab-c", "d") == link("ab-c", "d"))
        #expect(link("ab-c", "d").count == 32)
    }
}

@Suite("Seal anchors")
struct AuditAnchorTests {
    @Test("parse POSITION:HASH and HASH, and reject anything else with a message that says what to give")
    func parsing() throws {
        let hex = String(repeating: "ab", count: 32)
        let anchor = try ChainAnchor(parsing: "42:\(hex)")
        #expect(anchor.position == 42)
        #expect(anchor.hash == [UInt8](repeating: 0xab, count: 32))
        #expect(anchor.description == "42:\(hex)")
        #expect(try ChainAnchor(parsing: hex.uppercased()).position == nil)
        for bad in ["", "42", "x:\(hex)", "0:\(hex)", "42:\(hex.dropLast())", "1:2:\(hex)", "42:\(hex)zz"] {
            let error = #expect(throws: AuditError.self) { try ChainAnchor(parsing: bad) }
            #expect(error?.description.contains("expected POSITION:HASH") == true)
        }
    }
}
