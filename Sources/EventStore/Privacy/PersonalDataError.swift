import Foundation
import Postgres

/// Why personal data could not be sealed or opened. Each case says what to do.
public enum PersonalDataError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Neither `STIPPLE_MASTER_KEY_FILE` nor `STIPPLE_MASTER_KEY` is set, and the data needs the master key.
    case masterKeyMissing
    /// `STIPPLE_MASTER_KEY_FILE` names a file that cannot be read.
    case masterKeyFileUnreadable(path: String, reason: String)
    /// The configured master key is not 32 bytes in base64 or hex.
    case masterKeyMalformed(source: String, reason: String)
    /// The master key is not the one this database's client keys are wrapped with.
    case wrongMasterKey
    /// The subject (e.g. `client-<id>`) was forgotten: its key is destroyed, no new personal data may be sealed.
    case subjectErased(subject: String)
    /// A sealed value names a key this database does not hold at all (not even as destroyed).
    case unknownKey(keyID: UUID, stream: String, position: Int64)
    /// A sealed value is not a well-formed envelope, or does not decrypt under its (live) key.
    case corruptEnvelope(stream: String, position: Int64, reason: String)
    /// The database lacks the key tables (migration 0007).
    case notMigrated
    /// A sealed blob (a photo) names a key this database does not hold at all.
    case unknownBlobKey(keyID: UUID, subject: String)
    /// A sealed blob does not open under its subject's live key: it was changed or moved.
    case corruptBlob(subject: String, label: String, reason: String)

    /// The environment variables that configure the master key.
    public static let howToConfigure =
        "set STIPPLE_MASTER_KEY_FILE to a file holding the 32-byte master key (base64 or 64 hex digits), "
        + "or STIPPLE_MASTER_KEY to the key itself"

    public var description: String {
        switch self {
        case .masterKeyMissing:
            return "personal data is encrypted; \(Self.howToConfigure) (the demo writes one to .stipple/master.key)"
        case .masterKeyFileUnreadable(let path, let reason):
            return "cannot read the master key file \(path) (STIPPLE_MASTER_KEY_FILE): \(reason); restore it from "
                + "your key backup: without it the clients' personal data cannot be read"
        case .masterKeyMalformed(let source, let reason):
            return "the master key in \(source) is not usable: \(reason); it must be 32 random bytes written as "
                + "base64 (44 characters) or hex (64 digits)"
        case .wrongMasterKey:
            return "the master key does not match the one this database's client keys were made with "
                + "(AES-GCM authentication failed); \(Self.howToConfigure), using the key this database was set up with"
        case .subjectErased(let subject):
            return "\(subject) was forgotten: its key is destroyed and no new personal data can be stored for it"
        case .unknownKey(let keyID, let stream, let position):
            return
                "position \(position) (\(stream)): the personal data is sealed with key "
                + "\(keyID.uuidString.lowercased()), "
                + "which this database does not hold; restore the client_keys table from the same backup as the events"
        case .corruptEnvelope(let stream, let position, let reason):
            return "position \(position) (\(stream)): the sealed personal data cannot be opened: \(reason)"
        case .notMigrated:
            return "the database lacks the client key table: run `stipple migrate`"
        case .unknownBlobKey(let keyID, let subject):
            return "a stored photo of \(subject) is sealed with key \(keyID.uuidString.lowercased()), which this "
                + "database does not hold; restore the client_keys table from the same backup as the photos"
        case .corruptBlob(let subject, let label, let reason):
            return "the stored photo \(label) of \(subject) cannot be opened: \(reason)"
        }
    }
}
