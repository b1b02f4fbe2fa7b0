import EventStore
import Foundation
import Postgres
import TestSupport
import Testing

/// Each test tampers as a superuser would (triggers off) and expects verification to name
/// the first bad position and the right kind of tampering.
@Suite("Hash chain: detecting tampering")
struct AuditTamperTests {
    @Test("changing one byte of an event's data is changed content at that position")
    func changedByte() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(20)
            try await Attacker.tamper(
                database, [#"UPDATE events SET data = jsonb_set(data, '{n}', '13') WHERE position = 12"#])
            let report = try await database.chainVerifier.verify()
            let first = try #require(report.findings.first)
            #expect(first.kind == .changedContent)
            #expect(first.position == 12)
            #expect(report.findings.count == 1)
            #expect(first.description.hasPrefix("position 12: changed content: the stored columns hash to "))
            print("changed byte: \(first)")

            // Verifying from after the edit does not look at it; from before, it does.
            #expect(try await database.chainVerifier.verify(from: 13).isIntact)
            #expect(try await database.chainVerifier.verify(from: 10).findings.first?.position == 12)
        }
    }

    @Test("editing metadata, type or recorded_at is changed content too, even with the trigger disabled by name")
    func otherColumns() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(10)
            try await database.pool.withConnection { connection in
                try await connection.withTransaction { connection in
                    try await connection.execute("ALTER TABLE events DISABLE TRIGGER USER")
                    try await connection.execute(
                        #"UPDATE events SET metadata = '{"actor": "mallory"}' WHERE position = 3"#)
                    try await connection.execute(
                        "UPDATE events SET recorded_at = recorded_at + interval '1 microsecond' WHERE position = 5")
                    try await connection.execute("UPDATE events SET type = 'thing.undone' WHERE position = 7")
                    try await connection.execute("ALTER TABLE events ENABLE TRIGGER USER")
                }
            }
            let report = try await database.chainVerifier.verify()
            #expect(report.findings.map(\.position) == [3, 5, 7])
            #expect(report.findings.allSatisfy { $0.kind == .changedContent })
        }
    }

    @Test("deleting an event in the middle is missing events at its position")
    func deletedMiddle() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(20, streams: 4)
            try await Attacker.tamper(database, ["DELETE FROM events WHERE position = 9"])
            let report = try await database.chainVerifier.verify()
            let first = try #require(report.findings.first)
            #expect(first.kind == .missingEvents)
            #expect(first.position == 9)
            #expect(first.description == "position 9: missing events: event 9 is gone: the log goes from 8 to 10")
            print("deleted middle: \(report.findings.map(\.description))")
        }
    }

    @Test("deleting a run of events names the whole run")
    func deletedRun() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(20)
            try await Attacker.tamper(database, ["DELETE FROM events WHERE position BETWEEN 4 AND 6"])
            let first = try #require(try await database.chainVerifier.verify().findings.first)
            #expect(first.kind == .missingEvents)
            #expect(first.description == "position 4: missing events: events 4–6 are gone: the log goes from 3 to 7")
        }
    }

    @Test("deleting the last events after a seal is a cut-off tail at the first deleted position")
    func deletedTail() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(10)
            let seal = try await ChainSealer(store: database.store).seal(actor: "auditor")
            #expect(seal.sealed.position == 10)
            #expect(seal.sealEventPosition == 11)
            try await database.appendAuditEvents(5)
            try await Attacker.tamper(database, ["DELETE FROM events WHERE position > 13"])
            let report = try await database.chainVerifier.verify()
            let first = try #require(report.findings.first)
            #expect(first.kind == .truncated)
            #expect(first.position == 14)
            #expect(
                first.description
                    == "position 14: cut-off tail: log_head is at 16 but the last event is at 13: events 14–16 were cut off"
            )
        }
    }

    @Test("a tail cut together with its seal and log_head passes alone, and is caught by the seal kept outside")
    func deletedTailAndSeal() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(10)
            let seal = try await ChainSealer(store: database.store).seal()
            try await Attacker.tamper(
                database,
                ["DELETE FROM events WHERE position >= 8", "UPDATE log_head SET position = 7"])
            // What verify cannot see on its own: a consistent, shorter log.
            #expect(try await database.chainVerifier.verify().isIntact)
            let anchor = ChainAnchor(position: seal.sealed.position, hash: seal.sealed.hash)
            let report = try await database.chainVerifier.verify(against: anchor)
            let first = try #require(report.findings.first)
            #expect(first.kind == .truncated)
            #expect(first.position == 8)
            #expect(first.description.contains("the seal kept outside covers position 10, but the log ends at 7"))
            let hashOnly = try await database.chainVerifier.verify(
                against: ChainAnchor(position: nil, hash: seal.sealed.hash))
            #expect(hashOnly.findings.first?.kind == .sealMismatch)
        }
    }

    @Test("swapping the positions of two events of different streams is a broken link at the first")
    func swappedPositions() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(12, streams: 3)
            // Positions 4 and 5 hold client-0 v1 and client-1 v1: swap them whole, hashes and all.
            try await Attacker.tamper(
                database,
                [
                    "UPDATE events SET position = 1000 WHERE position = 4",
                    "UPDATE events SET position = 4 WHERE position = 5",
                    "UPDATE events SET position = 5 WHERE position = 1000",
                ])
            let report = try await database.chainVerifier.verify()
            let first = try #require(report.findings.first)
            #expect(first.kind == .brokenLink)
            #expect(first.position == 4)
            #expect(first.description.contains("events reordered, replaced or inserted"))
            print("swapped positions: \(report.findings.map(\.description))")
        }
    }

    @Test("swapping two events of one stream breaks its version order at the first")
    func swappedWithinStream() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(12, streams: 3)
            // client-1 is at positions 2, 5, 8, 11 with versions 0–3.
            try await Attacker.tamper(
                database,
                [
                    "UPDATE events SET position = 1000 WHERE position = 5",
                    "UPDATE events SET position = 5 WHERE position = 8",
                    "UPDATE events SET position = 8 WHERE position = 1000",
                ])
            let first = try #require(try await database.chainVerifier.verify().findings.first)
            #expect(first.kind == .versionOrder)
            #expect(first.position == 5)
            #expect(
                first.description
                    == "position 5: version order: stream client-1 has version 2 right after version 0: events reordered or deleted"
            )
        }
    }

    @Test("swapping the data and type of two positions is changed content at the first")
    func swappedContent() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(10)
            try await Attacker.tamper(
                database,
                [
                    """
                    UPDATE events e SET data = o.data, type = o.type
                      FROM (SELECT position, data, type FROM events WHERE position IN (3, 6)) o
                     WHERE e.position IN (3, 6) AND o.position = 9 - e.position
                    """
                ])
            let report = try await database.chainVerifier.verify()
            #expect(report.findings.map(\.position) == [3, 6])
            #expect(report.findings.allSatisfy { $0.kind == .changedContent })
        }
    }

    @Test("a consistent rewrite of the chain is caught by a seal recorded after it, and by the one kept outside")
    func consistentRewrite() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(10)
            let seal = try await ChainSealer(store: database.store).seal(reason: "month end")
            try await database.appendAuditEvents(3)
            try await Attacker.tamper(
                database, [#"UPDATE events SET data = '{"n": 999}' WHERE position = 4"#])
            try await Attacker.rechain(database, from: 4)
            let report = try await database.chainVerifier.verify()
            let first = try #require(report.findings.first)
            #expect(first.kind == .sealMismatch)
            #expect(first.position == 10)
            #expect(first.description.contains("the seal at position 11 recorded hash"))
            #expect(report.findings.count == 1)

            let outside = try await database.chainVerifier.verify(
                against: ChainAnchor(position: seal.sealed.position, hash: seal.sealed.hash))
            #expect(outside.findings.contains { $0.kind == .sealMismatch && $0.detail.contains("kept outside") })
        }
    }

    @Test("events slipped in beyond log_head are reported")
    func beyondHead() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(5)
            _ = try await database.pool.withConnection { connection in
                try await connection.execute(
                    """
                    INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
                    VALUES (6, 'client-7', 0, gen_random_uuid(), 'x.y', 1, '{}', '{}')
                    """)
            }
            let first = try #require(try await database.chainVerifier.verify().findings.first)
            #expect(first.kind == .beyondHead)
            #expect(first.position == 6)
        }
    }

    @Test("verify against a seal kept outside confirms it and extends it to the head")
    func anchorMatches() async throws {
        try await TestDatabase.with { database in
            try await database.appendAuditEvents(8)
            let seal = try await ChainSealer(store: database.store).seal()
            try await database.appendAuditEvents(4)
            for (from, anchor) in [
                (Int64(10), ChainAnchor(position: seal.sealed.position, hash: seal.sealed.hash)),
                (1, ChainAnchor(position: nil, hash: seal.sealed.hash)),
            ] {
                let report = try await database.chainVerifier.verify(from: from, against: anchor)
                #expect(report.isIntact)
                #expect(report.matchedAnchor == seal.sealed)
                #expect(report.head?.position == 13)
                #expect(report.sealsChecked == 1)
                #expect(report.from == min(from, 8))
            }
        }
    }
}
