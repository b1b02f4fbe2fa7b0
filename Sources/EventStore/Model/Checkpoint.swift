/// A place in the log to read on from: everything at or before `position` has been seen.
///
/// Its `token` is what clients store and send back (`?after=TOKEN`, `Last-Event-ID`).
public struct Checkpoint: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var position: Int64

    public init(position: Int64) {
        self.position = max(0, position)
    }

    /// Before the first event.
    public static let start = Checkpoint(position: 0)

    /// Parses a token; a typed error for anything that is not one.
    public init(token: String) throws {
        guard !token.isEmpty, token.count <= 19, token.utf8.allSatisfy({ (48...57).contains($0) }),
            let position = Int64(token)
        else { throw EventStoreError.invalidCheckpoint(token) }
        self.position = position
    }

    public var token: String { String(position) }
    public var description: String { token }

    public static func < (lhs: Checkpoint, rhs: Checkpoint) -> Bool { lhs.position < rhs.position }
}
