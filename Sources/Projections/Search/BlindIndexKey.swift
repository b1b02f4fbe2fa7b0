import Crypto
import EventStore
import Foundation
import TextCodecs

/// The keyed hash behind the client search index: HMAC-SHA256 with a key derived from the master key,
/// so the index holds no name, e-mail or phone, and is useless without the master key.
public struct BlindIndexKey: Sendable {
    /// The purpose the key is derived for (`MasterKey.derivedKey`).
    public static let purpose = "stipple.client-search.v1"

    private let bytes: [UInt8]

    /// A key from raw bytes (at least 32).
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The index key of a vault's master key, or nil when the vault has none.
    public init?(vault: PersonalDataVault?) {
        guard let bytes = try? vault?.derivedKey(purpose: Self.purpose) else { return nil }
        self.bytes = bytes
    }

    /// The stored form of one normalised term: 128 bits of its HMAC, hex.
    public func hash(_ term: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(term.utf8), using: SymmetricKey(data: bytes))
        return Hex.encode(Array(code).prefix(16))
    }
}
