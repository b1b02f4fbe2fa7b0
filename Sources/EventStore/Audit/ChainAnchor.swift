import Foundation
import TextCodecs

/// A hash kept outside the database (a printed seal), to check the log against.
///
/// Written `POSITION:HASH` as `stipple audit seal` prints it, or just `HASH`, in which case
/// the verifier looks for it anywhere in the range it checks.
public struct ChainAnchor: Sendable, Hashable, CustomStringConvertible {
    public var position: Int64?
    public var hash: [UInt8]

    public init(position: Int64?, hash: [UInt8]) {
        self.position = position
        self.hash = hash
    }

    /// Parses `POSITION:HASH` or `HASH` (64 hex digits).
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        var position: Int64?
        let hashText: Substring
        switch parts.count {
        case 1:
            hashText = parts[0]
        case 2:
            guard let value = Int64(parts[0]), value >= 1 else { throw AuditError.invalidAnchor(text) }
            position = value
            hashText = parts[1]
        default:
            throw AuditError.invalidAnchor(text)
        }
        guard hashText.count == 64, let hash = Hex.decode(hashText) else { throw AuditError.invalidAnchor(text) }
        self.init(position: position, hash: hash)
    }

    public var description: String {
        position.map { "\($0):\(Hex.encode(hash))" } ?? Hex.encode(hash)
    }
}
