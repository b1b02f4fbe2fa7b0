import Foundation
import Postgres
import TextCodecs

/// The append-only record of every verification of the hash chain (`Schema/0018_verifications.sql`): what was
/// found, when, by whom and through which door, so an auditor sees when the log was last shown intact.
public struct ChainVerifications: Sendable {
    /// One recorded verification.
    public struct Record: Sendable, Hashable {
        public var id: Int64
        public var at: Date
        public var actor: String
        public var channel: AccessChannel
        public var isIntact: Bool
        /// The first position checked.
        public var from: Int64
        /// How many events were checked.
        public var checked: Int64
        /// The last link checked (the head when intact).
        public var head: ChainLink?
        /// `log_head` when verification started.
        public var logHead: Int64
        public var findings: Int
        public var sealsChecked: Int
        /// The outside seal the verification was asked to find, `POSITION:HASH`.
        public var anchor: String?
        /// One line: the summary of an intact log, or the count and the first finding.
        public var summary: String
        public var durationMilliseconds: Double
    }

    public let pool: ConnectionPool

    public init(pool: ConnectionPool) {
        self.pool = pool
    }

    /// Verifies the chain with `verifier` and records the result; returns both.
    public func verify(
        with verifier: ChainVerifier, from position: Int64 = 1, against anchor: ChainAnchor? = nil, actor: String,
        channel: AccessChannel
    ) async throws -> (report: ChainReport, record: Record) {
        let report = try await verifier.verify(from: position, against: anchor)
        return (report, try await record(report, anchor: anchor, actor: actor, channel: channel))
    }

    /// Records a verification's result as it ended.
    @discardableResult
    public func record(_ report: ChainReport, anchor: ChainAnchor? = nil, actor: String, channel: AccessChannel)
        async throws -> Record
    {
        try AccessLog.validate(actor: actor, action: "chain.verify", subject: "log", reason: nil)
        let summary = Self.summary(report)
        let milliseconds =
            Double(report.duration.components.seconds) * 1000 + Double(report.duration.components.attoseconds) / 1e15
        let anchorText = anchor.map { "\($0)" }
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO chain_verifications (actor, channel, intact, from_position, checked, head_position,
                    head_hash, log_head, findings, seals_checked, anchor, summary, duration_ms)
                VALUES (\(actor), \(channel.rawValue), \(report.isIntact), \(report.from), \(Int64(report.checkedCount)),
                    \(report.head?.position), \(report.head?.hex), \(report.logHead), \(report.findings.count),
                    \(report.sealsChecked), \(anchorText), \(summary), \(milliseconds))
                RETURNING \(fragment: Self.columns)
                """)
        }
        guard let row = rows.first else { throw AuditError.invalidAccessRecord("the database stored nothing") }
        return try Self.decode(row)
    }

    /// The latest verification, if any was recorded.
    public func latest() async throws -> Record? {
        try await pool.withConnection { connection in
            try await connection.query(
                "SELECT \(fragment: Self.columns) FROM chain_verifications ORDER BY id DESC LIMIT 1")
        }.first.map(Self.decode)
    }

    /// The one line kept: an intact log's summary, or how many findings and the first of them.
    static func summary(_ report: ChainReport) -> String {
        guard let first = report.findings.first else { return report.summary }
        let line = "verification FAILED: \(report.findings.count) finding(s), first: \(first.description)"
        return String(line.prefix(2000))
    }

    static let columns: SQL = """
        id, at, actor, channel, intact, from_position, checked, head_position, head_hash, log_head, findings,
        seals_checked, anchor, summary, duration_ms
        """

    static func decode(_ row: PostgresRow) throws -> Record {
        let (
            id, at, actor, channel, intact, from, checked, headPosition, headHash, logHead, findings, seals, anchor,
            summary, duration
        ) = try row.decode(
            (
                Int64, Date, String, String, Bool, Int64, Int64, Int64?, String?, Int64, Int, Int, String?, String,
                Double
            ).self)
        var head: ChainLink?
        if let headPosition, let headHash, let bytes = Hex.decode(headHash) {
            head = ChainLink(position: headPosition, hash: bytes)
        }
        return Record(
            id: id, at: at, actor: actor, channel: AccessChannel(rawValue: channel) ?? .cli, isIntact: intact,
            from: from, checked: checked, head: head, logHead: logHead, findings: findings, sealsChecked: seals,
            anchor: anchor, summary: summary, durationMilliseconds: duration)
    }
}
