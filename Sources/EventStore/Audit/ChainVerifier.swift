import Foundation
import Postgres

/// Re-derives every link of the hash chain from the stored columns and reports where the
/// log was tampered with.
///
/// The hashes are recomputed here, in Swift, from the columns as stored; no SQL function
/// takes part, so altering the database's functions cannot make a tampered log pass. The
/// log is read in pages inside one repeatable-read transaction (one consistent snapshot,
/// memory bounded by the page size). Checks, in position order: no position is missing;
/// each stream's versions follow each other; each event's `prev_hash` is its predecessor's
/// stored hash; the stored columns hash to the stored hash; the log ends at `log_head`;
/// every seal recorded in the log, and the one kept outside when given, still matches.
public struct ChainVerifier: Sendable {
    /// The stream `stipple audit seal` records seals on.
    public static let sealStream = "audit-seals"
    /// The type of a seal event; its data is `{"position": P, "hash": "<hex>"}`.
    public static let sealEventType = "audit.sealed"

    public let pool: ConnectionPool
    /// Events read per query.
    public var pageSize: Int
    /// Verification stops reading after this many findings (the first is what matters most).
    public var maximumFindings: Int
    /// Streams whose last version is remembered for the version-order check.
    public var maximumTrackedStreams: Int

    public init(
        pool: ConnectionPool, pageSize: Int = 5000, maximumFindings: Int = 10, maximumTrackedStreams: Int = 100_000
    ) {
        self.pool = pool
        self.pageSize = max(1, pageSize)
        self.maximumFindings = max(1, maximumFindings)
        self.maximumTrackedStreams = max(1, maximumTrackedStreams)
    }

    /// Verifies the chain from `position` (or from an earlier position `anchor` names) to the end.
    ///
    /// `anchor` is a hash kept outside the database (a printed seal): the log must still hold
    /// it, at its position when it names one, and the chain must run on from it.
    public func verify(from position: Int64 = 1, against anchor: ChainAnchor? = nil) async throws -> ChainReport {
        let clock = ContinuousClock()
        let started = clock.now
        let start = max(1, min(position, anchor?.position ?? position))
        do {
            var report = try await pool.withConnection { connection in
                try await connection.withTransaction(isolation: .repeatableRead) { connection in
                    try await scan(connection, start: start, anchor: anchor)
                }
            }
            report.duration = clock.now - started
            return report
        } catch let error as PostgresError {
            throw AuditError.database(error)
        }
    }

    private func scan(_ connection: PostgresConnection, start: Int64, anchor: ChainAnchor?) async throws
        -> ChainReport
    {
        let bounds = try await connection.query(
            "SELECT (SELECT position FROM log_head), (SELECT coalesce(max(position), 0) FROM events)")
        let (logHead, last): (Int64, Int64) = try bounds.first?.decode((Int64, Int64).self) ?? (0, 0)

        var previous: [UInt8]? = ChainCanonicalForm.genesis
        var before: [ChainFinding] = []
        if start > 1 {
            previous = try await connection.query("SELECT hash FROM events WHERE position = \(start - 1)")
                .first?.decode(Bytea?.self)?.bytes
            if previous == nil, start - 1 <= last {
                before.append(
                    ChainFinding(
                        kind: .missingEvents, position: start - 1,
                        detail: "event \(start - 1), just before the checked range, is gone"))
            }
        }

        var scan = ChainScan(
            start: start, previousHash: previous, anchor: anchor, maximumTrackedStreams: maximumTrackedStreams)
        var next = start
        while next <= last, scan.findings.count + before.count < maximumFindings {
            let rows = try await connection.query(
                "\(fragment: ChainScan.columns) WHERE position >= \(next) AND position <= \(last) ORDER BY position LIMIT \(pageSize)"
            )
            for row in rows { try scan.check(row) }
            guard let tail = scan.lastPosition, !rows.isEmpty else { break }
            next = tail + 1
        }
        var findings = before + scan.findings
        let reachedEnd = next > last || scan.lastPosition == nil

        if reachedEnd {
            if last < logHead {
                findings.append(
                    ChainFinding(
                        kind: .truncated, position: last + 1,
                        detail: "log_head is at \(logHead) but the last event is at \(last): "
                            + "events \(last + 1)–\(logHead) were cut off"))
            } else if last > logHead {
                findings.append(
                    ChainFinding(
                        kind: .beyondHead, position: logHead + 1,
                        detail: "events \(logHead + 1)–\(last) lie beyond log_head \(logHead): "
                            + "written outside the append path"))
            }
            if let anchor, scan.matchedAnchor == nil {
                findings.append(anchorFinding(anchor, start: start, last: last))
            }
        }
        findings += try await checkSeals(scan.sealClaims, last: last, connection: connection)

        return ChainReport(
            from: start, checkedCount: scan.checkedCount, head: scan.head, logHead: logHead,
            findings: findings.enumerated().sorted {
                ($0.element.position, $0.offset) < ($1.element.position, $1.offset)
            }
            .map(\.element),
            matchedAnchor: scan.matchedAnchor, sealsChecked: scan.sealClaims.count, duration: .zero)
    }

    /// Why the outside seal was not found.
    private func anchorFinding(_ anchor: ChainAnchor, start: Int64, last: Int64) -> ChainFinding {
        guard let position = anchor.position else {
            return ChainFinding(
                kind: .sealMismatch, position: start,
                detail: "the sealed hash \(ChainScan.short(anchor.hash)) is nowhere in the log from position \(start): "
                    + "the history it sealed was rewritten or cut off")
        }
        if position > last {
            return ChainFinding(
                kind: .truncated, position: last + 1,
                detail: "the seal kept outside covers position \(position), but the log ends at \(last): "
                    + "events \(last + 1)–\(position) or more were cut off")
        }
        return ChainFinding(
            kind: .sealMismatch, position: position,
            detail: "the seal kept outside names this position, which is not in the log")
    }

    /// Checks each seal recorded in the log against the hash the log now holds at its position.
    private func checkSeals(_ claims: [ChainScan.SealClaim], last: Int64, connection: PostgresConnection)
        async throws -> [ChainFinding]
    {
        guard !claims.isEmpty else { return [] }
        let list = "{" + Set(claims.map(\.claim.position)).map(String.init).joined(separator: ",") + "}"
        var hashes: [Int64: [UInt8]] = [:]
        for row in try await connection.query(
            "SELECT position, hash FROM events WHERE position = ANY(\(list)::bigint[])")
        {
            let (position, hash) = try row.decode((Int64, Bytea?).self)
            hashes[position] = hash?.bytes ?? []
        }
        var findings: [ChainFinding] = []
        for seal in claims {
            let claim = seal.claim
            if claim.position > last {
                findings.append(
                    ChainFinding(
                        kind: .truncated, position: last + 1,
                        detail: "the seal at position \(seal.sealPosition) covers position \(claim.position), "
                            + "but the log ends at \(last)"))
            } else if let hash = hashes[claim.position] {
                if hash != claim.hash {
                    findings.append(
                        ChainFinding(
                            kind: .sealMismatch, position: claim.position,
                            detail: "the seal at position \(seal.sealPosition) recorded hash "
                                + "\(ChainScan.short(claim.hash)) here, the log has \(ChainScan.short(hash)): "
                                + "history up to here was rewritten after it was sealed"))
                }
            } else {
                findings.append(
                    ChainFinding(
                        kind: .sealMismatch, position: claim.position,
                        detail:
                            "the seal at position \(seal.sealPosition) covers this position, which is not in the log"
                    ))
            }
        }
        return findings
    }
}
