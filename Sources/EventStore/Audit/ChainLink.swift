import Foundation
import TextCodecs

/// One link of the chain: an event's position and its hash.
public struct ChainLink: Sendable, Hashable, CustomStringConvertible {
    public var position: Int64
    /// The 32-byte SHA-256 link.
    public var hash: [UInt8]

    public init(position: Int64, hash: [UInt8]) {
        self.position = position
        self.hash = hash
    }

    /// The hash as lowercase hex.
    public var hex: String { Hex.encode(hash) }

    /// `POSITION:HASH`, the form `stipple audit verify --against` takes.
    public var description: String { "\(position):\(hex)" }
}
