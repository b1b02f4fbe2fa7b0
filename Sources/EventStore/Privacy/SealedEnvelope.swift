import Crypto
import Foundation
import JSONNodes
import Postgres

/// A personal value as stored: `{"$sealed": {"v": 1, "k": key id, "n": nonce, "c": ciphertext and tag}}`.
///
/// AES-256-GCM under a key derived from the subject's key; the subject (stream name) is authenticated
/// with it, so a sealed value moved to another client's stream does not open.
struct SealedEnvelope: Codable {
    /// The member name that marks a sealed value.
    static let marker = "$sealed"
    /// The bytes `"$sealed"`, searched before parsing anything.
    static let markerBytes = Array("\"$sealed\"".utf8)

    struct Body: Codable {
        var v: Int
        var k: UUID
        var n: String
        var c: String
    }

    var body: Body

    enum CodingKeys: String, CodingKey {
        case body = "$sealed"
    }

    /// The associated data that binds a sealed value to its subject.
    static func associatedData(subject: String) -> Data {
        Data("stipple.personal.v1\u{0}\(subject)".utf8)
    }

    /// Seals `plaintext` for `subject`. The nonce is derived from the event id, the value's ordinal and the
    /// plaintext (synthetic IV), so sealing the same event again gives the same bytes: a retried append stays
    /// idempotent, while two different plaintexts never share a nonce under one key.
    static func seal(
        _ plaintext: Data, key: SubjectKey, subject: String, eventID: UUID, ordinal: Int
    ) throws -> Data {
        var input = Data()
        withUnsafeBytes(of: eventID.uuid) { input.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(ordinal).bigEndian) { input.append(contentsOf: $0) }
        input.append(plaintext)
        let tag = HMAC<SHA256>.authenticationCode(for: input, using: key.nonceKey)
        let nonce = try AES.GCM.Nonce(data: Array(tag).prefix(12))
        let box = try AES.GCM.seal(
            plaintext, using: key.encryptionKey, nonce: nonce, authenticating: associatedData(subject: subject))
        let envelope = SealedEnvelope(
            body: Body(
                v: 1, k: key.id, n: Data(nonce).base64EncodedString(),
                c: (box.ciphertext + box.tag).base64EncodedString()))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(envelope)
    }

    /// Opens the envelope with `key`; throws when the data was changed or the key is not the one it was sealed with.
    func open(with key: SubjectKey, subject: String) throws -> Data {
        guard let nonceBytes = Data(base64Encoded: body.n), let combined = Data(base64Encoded: body.c),
            combined.count >= 16
        else { throw SealedEnvelopeError.malformed }
        let box = try AES.GCM.SealedBox(
            nonce: try AES.GCM.Nonce(data: nonceBytes), ciphertext: combined.dropLast(16), tag: combined.suffix(16))
        return try AES.GCM.open(box, using: key.encryptionKey, authenticating: Self.associatedData(subject: subject))
    }
}

extension SealedEnvelope.Body {
    /// Reads a body in the form the store keeps it: one JSON object of exactly the members `c`, `k`, `n`
    /// (strings) and `v` (the integer 1), in any order, through `JSONDocument` (no `JSONDecoder`). Nil for
    /// anything else (the caller then decodes with `JSONDecoder`, which decides); for what it accepts, it
    /// gives exactly what `JSONDecoder` gives.
    init?(stored bytes: ArraySlice<UInt8>) {
        let body: Self? = bytes.withUnsafeBufferPointer { buffer in
            guard let document = try? JSONDocument(scanning: buffer) else { return nil }
            return Self(document: document, node: document.root)
        }
        guard let body else { return nil }
        self = body
    }

    /// `init?(stored:)` for the object at `node` of a document already scanned (an event's data).
    init?(document: JSONDocument, node: Int) {
        guard document.nodes[node].kind == .object, document.nodes[node].count == 4,
            let version = document.member("v", in: node), (try? document.integer(version)) == 1,
            let keyText = document.member("k", in: node).flatMap({ try? document.string($0) }),
            let key = Self.keyID(keyText),
            let nonce = document.member("n", in: node).flatMap({ try? document.string($0) }),
            let ciphertext = document.member("c", in: node).flatMap({ try? document.string($0) })
        else { return nil }
        self.init(v: 1, k: key, n: nonce, c: ciphertext)
    }

    /// A key id in the canonical text form, read as the store reads `uuid` cells (no `sscanf`, as
    /// `UUID(uuidString:)` does per call); nil for any other text, which `JSONDecoder` then decides on.
    private static func keyID(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { try? UUID.decode(fromTextSpan: $0.span) }
    }
}

enum SealedEnvelopeError: Error {
    case malformed
}

/// A subject's key, unwrapped, with the two keys derived from it.
struct SubjectKey: @unchecked Sendable {
    // @unchecked: `SymmetricKey` is not marked Sendable, but it is an immutable value (its bytes are never
    // changed after it is made), so sharing it between tasks only reads. Kept made, rather than made from
    // bytes on every use: opening a page's sealed values asks for the key once per value.
    var id: UUID
    var subject: String
    /// The AES-256-GCM key for personal values.
    let encryptionKey: SymmetricKey
    /// The HMAC key nonces are derived with.
    let nonceKey: SymmetricKey

    init(id: UUID, subject: String, raw: SymmetricKey) {
        self.id = id
        self.subject = subject
        // HKDF-SHA256 with no salt, one extraction for both keys: the same keys as `HKDF.deriveKey` with each info
        // (which extracts again for each), one HMAC fewer per key unwrapped (a rebuild unwraps every client's).
        let extracted = HKDF<SHA256>.extract(inputKeyMaterial: raw, salt: [UInt8]())
        encryptionKey = HKDF<SHA256>.expand(
            pseudoRandomKey: extracted, info: Data("stipple.personal.encryption.v1".utf8), outputByteCount: 32)
        nonceKey = HKDF<SHA256>.expand(
            pseudoRandomKey: extracted, info: Data("stipple.personal.nonce.v1".utf8), outputByteCount: 32)
    }
}
