import Crypto
import Foundation
import TextCodecs

/// The key that wraps (encrypts) every client key: 32 random bytes kept outside the database.
///
/// Given as base64 (44 characters) or hex (64 digits), in the file `STIPPLE_MASTER_KEY_FILE`
/// (surrounding whitespace ignored) or in `STIPPLE_MASTER_KEY`. The file wins when both are set.
public struct MasterKey: Sendable {
    /// The environment variable naming the key file.
    public static let fileVariable = "STIPPLE_MASTER_KEY_FILE"
    /// The environment variable holding the key itself.
    public static let valueVariable = "STIPPLE_MASTER_KEY"

    private let bytes: [UInt8]

    /// The key for CryptoKit calls (made on use: `SymmetricKey` is not `Sendable`).
    var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// A key from its 32 raw bytes.
    public init(bytes: [UInt8]) throws(PersonalDataError) {
        guard bytes.count == 32 else {
            throw .masterKeyMalformed(source: "the given bytes", reason: "it is \(bytes.count) bytes, not 32")
        }
        self.bytes = bytes
    }

    /// A key from its text form (base64 or hex); `source` names where it came from, for errors.
    public init(text: String, source: String) throws(PersonalDataError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes: [UInt8]
        if trimmed.count == 64, let hex = Hex.decode(trimmed) {
            bytes = hex
        } else if let data = Data(base64Encoded: trimmed) {
            bytes = Array(data)
        } else {
            throw .masterKeyMalformed(source: source, reason: "it is neither base64 nor 64 hex digits")
        }
        guard bytes.count == 32 else {
            throw .masterKeyMalformed(source: source, reason: "it decodes to \(bytes.count) bytes, not 32")
        }
        self.bytes = bytes
    }

    /// A new random key.
    public static func generate() -> MasterKey {
        MasterKey(random: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    private init(random bytes: [UInt8]) { self.bytes = bytes }

    /// The key as base64, the form `writeNewFile` stores.
    public var base64: String { Data(bytes).base64EncodedString() }

    /// A one-way fingerprint of the key (HMAC-SHA256 of a fixed label), stored to recognise a wrong key.
    var fingerprint: [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data("stipple.master-key.check.v1".utf8), using: key))
    }

    /// A 32-byte key for one purpose, derived from this one (HKDF-SHA256 with `purpose` as its info).
    ///
    /// Derived keys let a feature key its own data (the console's blind search index) without ever
    /// holding the master key, and change whenever the master key changes.
    public func derivedKey(purpose: String) -> [UInt8] {
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, salt: Data("stipple.derived-key.v1".utf8), info: Data(purpose.utf8),
            outputByteCount: 32)
        return derived.withUnsafeBytes { Array($0) }
    }

    /// Reads the key the environment configures: the file first, then the value; nil when neither is set.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(PersonalDataError) -> MasterKey?
    {
        if let path = environment[fileVariable], !path.isEmpty { return try load(file: path) }
        if let value = environment[valueVariable], !value.isEmpty {
            return try MasterKey(text: value, source: valueVariable)
        }
        return nil
    }

    /// Reads a key file.
    public static func load(file path: String) throws(PersonalDataError) -> MasterKey {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "it is not readable text" : "no such file"
            throw .masterKeyFileUnreadable(path: path, reason: reason)
        }
        return try MasterKey(text: text, source: path)
    }

    /// Creates a key file with a new random key (owner read/write only, its folder created with 0700).
    ///
    /// Refuses to overwrite an existing file: losing a master key makes every client's personal data unreadable.
    public static func writeNewFile(at path: String) throws -> MasterKey {
        let manager = FileManager.default
        guard !manager.fileExists(atPath: path) else {
            throw PersonalDataError.masterKeyFileUnreadable(path: path, reason: "it already exists; not overwritten")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !manager.fileExists(atPath: folder) {
            try manager.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let key = generate()
        guard
            manager.createFile(
                atPath: path, contents: Data((key.base64 + "\n").utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw PersonalDataError.masterKeyFileUnreadable(path: path, reason: "it could not be created")
        }
        return key
    }
}
