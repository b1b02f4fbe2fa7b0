import EventStore
import Foundation
import Postgres
import TestSupport

/// Tampering the way an attacker with superuser rights would: triggers off, then edits.
enum Attacker {
    /// Runs `statements` in one transaction with every trigger off (`session_replication_role = replica`).
    static func tamper(_ database: TestDatabase, _ statements: [SQL]) async throws {
        try await database.pool.withConnection { connection in
            try await connection.withTransaction { connection in
                try await connection.execute("SET LOCAL session_replication_role = replica")
                for statement in statements { try await connection.execute(statement) }
            }
        }
    }

    /// Recomputes `prev_hash` and `hash` from `position` to the end, so the chain is
    /// consistent again: what an attacker who knows the canonical form does after an edit.
    static func rechain(_ database: TestDatabase, from position: Int64) async throws {
        try await tamper(
            database,
            [
                "SELECT set_config('audit_tests.rechain_from', \(String(position)), true)",
                """
                DO $$
                DECLARE r record; prev bytea; link bytea;
                BEGIN
                    SELECT hash INTO prev FROM events
                     WHERE position = current_setting('audit_tests.rechain_from')::bigint - 1;
                    prev := coalesce(prev, decode(repeat('00', 32), 'hex'));
                    FOR r IN SELECT * FROM events WHERE position >= current_setting('audit_tests.rechain_from')::bigint
                               ORDER BY position LOOP
                        link := stipple_chain_hash(prev, r.position, r.stream, r.version, r.event_id, r.type,
                                                   r.schema_version, r.data, r.metadata, r.recorded_at);
                        UPDATE events SET prev_hash = prev, hash = link WHERE position = r.position;
                        prev := link;
                    END LOOP;
                END;
                $$
                """,
            ])
    }
}

extension TestDatabase {
    /// Appends `count` events spread round-robin over `streams` streams, `perAppend` at a time.
    func appendAuditEvents(_ count: Int, streams: Int = 3, perAppend: Int = 1) async throws {
        var appended = 0
        var round = 0
        while appended < count {
            let stream = try StreamName("client-\(round % streams)")
            let batch = (0..<min(perAppend, count - appended)).map { index in
                event("thing.happened", #"{"n": \#(appended + index), "note": "café ☕ \#(round)"}"#)
            }
            try await store.append(batch, to: stream, expectedVersion: .any)
            appended += batch.count
            round += 1
        }
    }

    /// Appends `streams` × `perStream` events in one statement through the append function.
    func appendAuditBulk(streams: Int, perStream: Int) async throws {
        _ = try await pool.withConnection { connection in
            try await connection.execute(
                """
                SELECT count(stipple_append_batch(jsonb_build_array(jsonb_build_object('appends', jsonb_build_array(
                    jsonb_build_object('stream', 'load-' || s, 'expected', 'any', 'events',
                        (SELECT jsonb_agg(jsonb_build_object('id', gen_random_uuid(), 'type', 'load.tick',
                                'schema_version', 1, 'data', jsonb_build_object('n', g, 's', s),
                                'metadata', jsonb_build_object('actor', 'load')))
                           FROM generate_series(1, \(perStream)) g)))))))
                  FROM generate_series(1, \(streams)) s
                """)
        }
    }

    /// The stored hash at a position.
    func storedChainHash(at position: Int64) async throws -> [UInt8]? {
        try await pool.withConnection { connection in
            try await connection.query("SELECT hash FROM events WHERE position = \(position)").first?
                .decode(Bytea.self, at: 0).bytes
        }
    }

    var chainVerifier: ChainVerifier { ChainVerifier(pool: pool) }
}
