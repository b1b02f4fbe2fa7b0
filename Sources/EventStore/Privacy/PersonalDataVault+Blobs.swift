import Crypto
import Foundation

/// Personal bytes kept outside the log (a client's photos and their thumbnails), sealed with the same subject
/// key as the personal fields of that subject's events: destroying the key when the subject is forgotten makes
/// them unreadable in the same transaction, in every backup too.
public struct SealedBlob: Sendable, Hashable {
    /// The subject key it is sealed with.
    public var keyID: UUID
    /// nonce (12) || ciphertext || tag (16), AES-256-GCM.
    public var combined: Data

    /// A stored blob.
    public init(keyID: UUID, combined: Data) {
        self.keyID = keyID
        self.combined = combined
    }
}

extension PersonalDataVault {
    /// Seals `plaintext` for `subject` under `label` (e.g. `<content hash>/image`), creating the subject's key on
    /// first use. The label is authenticated: a blob moved to another label or subject does not open.
    ///
    /// The nonce is derived from the label and the plaintext (synthetic IV), so the same bytes sealed twice give
    /// the same blob: concurrent uploads of one photo write identical rows.
    /// Throws `PersonalDataError.subjectErased` for a forgotten subject.
    public func sealBlob(_ plaintext: Data, subject: String, label: String) async throws -> SealedBlob {
        let key = try await key(forSubject: subject)
        var input = Data("stipple.blob.nonce.v1\u{0}\(label)\u{0}".utf8)
        input.append(plaintext)
        let tag = HMAC<SHA256>.authenticationCode(for: input, using: key.nonceKey)
        let nonce = try AES.GCM.Nonce(data: Array(tag).prefix(12))
        let box = try AES.GCM.seal(
            plaintext, using: key.encryptionKey, nonce: nonce,
            authenticating: Self.blobAssociatedData(subject: subject, label: label))
        guard let combined = box.combined else { throw EventStoreError.protocolViolation("AES-GCM gave no sealed box") }
        return SealedBlob(keyID: key.id, combined: combined)
    }

    /// Opens a blob sealed by `sealBlob`. Throws `PersonalDataError.subjectErased` when the subject's key was
    /// destroyed (checked against the database on every call, never only a cache), and `corruptBlob` when the
    /// bytes were changed or belong to another subject or label.
    public func openBlob(_ blob: SealedBlob, subject: String, label: String) async throws -> Data {
        switch try await keys([blob.keyID])[blob.keyID] {
        case nil:
            throw PersonalDataError.unknownBlobKey(keyID: blob.keyID, subject: subject)
        case .destroyed?:
            throw PersonalDataError.subjectErased(subject: subject)
        case .live(let key)?:
            guard key.subject == subject else {
                throw PersonalDataError.corruptBlob(
                    subject: subject, label: label, reason: "sealed for another subject")
            }
            do {
                let box = try AES.GCM.SealedBox(combined: blob.combined)
                return try AES.GCM.open(
                    box, using: key.encryptionKey,
                    authenticating: Self.blobAssociatedData(subject: subject, label: label))
            } catch {
                throw PersonalDataError.corruptBlob(
                    subject: subject, label: label, reason: "it does not decrypt (AES-GCM authentication failed)")
            }
        }
    }

    private static func blobAssociatedData(subject: String, label: String) -> Data {
        Data("stipple.blob.v1\u{0}\(subject)\u{0}\(label)".utf8)
    }
}
