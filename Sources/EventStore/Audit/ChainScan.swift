import Crypto
import Foundation
import Postgres
import TextCodecs

/// The state of one walk along the chain: checks each row against the one before it.
///
/// Memory stays bounded: one page of rows at a time (owned by the caller), the last
/// version of at most `maximumTrackedStreams` streams, and the (few) seals met on the way.
struct ChainScan {
    /// A seal event met in the log: at `sealPosition`, it recorded `claim` as the head.
    struct SealClaim {
        var sealPosition: Int64
        var claim: ChainLink
    }

    let anchor: ChainAnchor?
    let maximumTrackedStreams: Int
    /// The next position a gapless log must show.
    private(set) var expected: Int64
    /// The stored hash of the event before `expected` as hex, when known.
    private var previousHex: ArraySlice<UInt8>?
    private var versions: [String: Int] = [:]
    /// True while `versions` knows every stream seen since position 1.
    private var versionsComplete: Bool
    private var builder = ChainCanonicalForm.Builder()
    private let anchorHex: [UInt8]?

    private(set) var findings: [ChainFinding] = []
    private(set) var checkedCount = 0
    private(set) var matchedAnchor: ChainLink?
    private(set) var sealClaims: [SealClaim] = []
    /// The last event checked and its stored hash (hex).
    private var last: (position: Int64, hex: ArraySlice<UInt8>)?

    private static let sealStream = Array(ChainVerifier.sealStream.utf8)
    private static let sealType = Array(ChainVerifier.sealEventType.utf8)

    /// Starts at `start`, with the stored hash of `start - 1` (the genesis value when `start` is 1).
    init(start: Int64, previousHash: [UInt8]?, anchor: ChainAnchor?, maximumTrackedStreams: Int) {
        self.expected = start
        self.previousHex = previousHash.map { ArraySlice(Hex.encode($0).utf8) }
        self.anchor = anchor
        self.anchorHex = anchor.map { Array(Hex.encode($0.hash).utf8) }
        self.maximumTrackedStreams = maximumTrackedStreams
        self.versionsComplete = start == 1
    }

    /// The position of the last event checked.
    var lastPosition: Int64? { last?.position }

    /// The last event checked, with its stored hash.
    var head: ChainLink? {
        last.map { ChainLink(position: $0.position, hash: Hex.decode(String(decoding: $0.hex, as: UTF8.self)) ?? []) }
    }

    /// The columns `check` reads, in this order: each as PostgreSQL prints it, so that no
    /// function an attacker could replace takes part in verification.
    static let columns: SQL = """
        SELECT position, stream, version, event_id, type, schema_version, data::text, metadata::text, recorded_at,
               prev_hash, hash
          FROM events
        """

    mutating func add(_ kind: ChainFinding.Kind, at position: Int64, _ detail: String) {
        findings.append(ChainFinding(kind: kind, position: position, detail: detail))
    }

    /// A `bytea` cell's hex digits (PostgreSQL prints `\x` and lowercase hex); empty for NULL.
    private static func hex(_ row: PostgresRow, at column: Int) throws -> ArraySlice<UInt8> {
        guard let cell = try row.decode(RawText?.self, at: column)?.bytes else { return [] }
        return cell.count >= 2 ? cell.dropFirst(2) : []
    }

    /// Checks one row of `columns`.
    mutating func check(_ row: PostgresRow) throws {
        let position = try row.decode(Int64.self, at: 0)
        checkedCount += 1
        let stored = try Self.hex(row, at: 10)
        let prev = try Self.hex(row, at: 9)
        defer {
            previousHex = stored
            expected = position + 1
            last = (position, stored)
        }

        var linkKnown = previousHex != nil
        if position != expected {
            linkKnown = false
            let missing =
                position == expected + 1
                ? "event \(expected) is gone" : "events \(expected)–\(position - 1) are gone"
            add(.missingEvents, at: expected, "\(missing): the log goes from \(expected - 1) to \(position)")
        }

        if let finding = checkVersion(row, position: position) {
            findings.append(finding)
        } else if linkKnown, let previousHex, !prev.elementsEqual(previousHex) {
            add(
                .brokenLink, at: position,
                "prev_hash \(Self.short(prev)) is not the hash \(Self.short(previousHex)) of position \(position - 1): "
                    + "events reordered, replaced or inserted")
        } else {
            let recomputed = try recompute(row, previousHex: prev)
            if !recomputed.withUnsafeBytes({ Hex.equals($0, lowercaseHex: stored) }) {
                add(
                    .changedContent, at: position,
                    "the stored columns hash to \(ChainScan.short(Array(recomputed))), not to the stored hash "
                        + "\(Self.short(stored)): the event was edited")
            }
        }

        if let anchor, let anchorHex {
            if anchor.position == position {
                if stored.elementsEqual(anchorHex) {
                    matchedAnchor = ChainLink(position: position, hash: anchor.hash)
                } else {
                    add(
                        .sealMismatch, at: position,
                        "the log has hash \(Self.short(stored)) here, the seal kept outside says "
                            + "\(Self.short(anchor.hash)): history up to here was rewritten")
                }
            } else if anchor.position == nil, matchedAnchor == nil, stored.elementsEqual(anchorHex) {
                matchedAnchor = ChainLink(position: position, hash: anchor.hash)
            }
        }
        try collectSeal(row, position: position)
    }

    /// Hashes the row's stored columns after `previousHex`, exactly as the canonical form says.
    private mutating func recompute(_ row: PostgresRow, previousHex: ArraySlice<UInt8>) throws -> SHA256Digest {
        guard builder.begin(previousHex: previousHex) else { return SHA256.hash(data: [UInt8]()) }
        for column in 0..<8 {
            builder.append(field: try row.decode(RawText?.self, at: column)?.bytes ?? [])
        }
        let recordedAt = try row.decode(RawText?.self, at: 8)?.bytes ?? []
        if let micros = ChainCanonicalForm.epochMicroseconds(fromTimestamp: recordedAt) {
            builder.append(decimal: micros)
        } else {
            builder.append(field: recordedAt)  // cannot match: the time is not one an append records
        }
        return builder.finish()
    }

    /// Within a stream, versions must follow each other in position order.
    private mutating func checkVersion(_ row: PostgresRow, position: Int64) -> ChainFinding? {
        guard let stream = try? row.decode(String.self, at: 1), let version = try? row.decode(Int.self, at: 2) else {
            return nil  // an unreadable value fails the hash check instead
        }
        defer {
            if versions[stream] == nil, versions.count >= maximumTrackedStreams {
                versions.removeAll(keepingCapacity: true)
                versionsComplete = false
            }
            versions[stream] = version
        }
        if let last = versions[stream] {
            guard version != last + 1 else { return nil }
            return ChainFinding(
                kind: .versionOrder, position: position,
                detail: "stream \(stream) has version \(version) right after version \(last): "
                    + (version <= last ? "events reordered" : "events reordered or deleted"))
        }
        guard versionsComplete, version != 0 else { return nil }
        return ChainFinding(
            kind: .versionOrder, position: position,
            detail: "stream \(stream) starts at version \(version), not 0: events reordered or deleted")
    }

    private mutating func collectSeal(_ row: PostgresRow, position: Int64) throws {
        guard let stream = try row.decode(RawText?.self, at: 1), stream.bytes.elementsEqual(Self.sealStream),
            let type = try row.decode(RawText?.self, at: 4), type.bytes.elementsEqual(Self.sealType),
            let data = try row.decode(RawText?.self, at: 6),
            let seal = try? JSONDecoder().decode(SealData.self, from: Data(data.bytes)),
            let hash = Hex.decode(seal.hash)
        else { return }
        sealClaims.append(SealClaim(sealPosition: position, claim: ChainLink(position: seal.position, hash: hash)))
    }

    /// The first 16 hex digits of a hash: enough to tell two apart in a message.
    static func short(_ hash: [UInt8]) -> String {
        hash.isEmpty ? "(none)" : Hex.encode(hash.prefix(8)) + "…"
    }

    /// The first 16 digits of a hash given as hex text.
    static func short(_ hex: ArraySlice<UInt8>) -> String {
        hex.isEmpty ? "(none)" : String(decoding: hex.prefix(16), as: UTF8.self) + "…"
    }
}

/// The data of an `audit.sealed` event.
struct SealData: Codable {
    var position: Int64
    var hash: String
}

/// A cell's text exactly as the server sent it, without copying.
struct RawText: PostgresDecodable {
    var bytes: ArraySlice<UInt8>
    static func decode(fromText bytes: ArraySlice<UInt8>) throws -> RawText { RawText(bytes: bytes) }
}
