import Crypto
import EventStore
import Foundation
import TextCodecs

/// The content hash a consent form version is published and signed with.
public enum ConsentFormText {
    /// The lower-case hex SHA-256 of the form's text, byte for byte as published.
    public static func contentHash(_ text: Data) -> String {
        Hex.encode(SHA256.hash(data: text))
    }
}
