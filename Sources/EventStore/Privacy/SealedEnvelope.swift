import Crypto
import Foundation

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
    /// (strings of printable ASCII without escapes) and `v` (the number 1), in any order, with JSON
    /// whitespace. Nil for anything else (the caller then decodes with `JSONDecoder`, which decides);
    /// for what it accepts, it gives exactly what `JSONDecoder` gives.
    init?(stored bytes: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        let end = bytes.endIndex
        func skipWhitespace() {
            while index < end,
                bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
            {
                index += 1
            }
        }
        /// A string at `index` (its opening quote): printable ASCII, no escapes.
        func string() -> ArraySlice<UInt8>? {
            guard index < end, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let start = index + 1
            index = start
            while index < end {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return bytes[start..<(index - 1)]
                }
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            return nil
        }
        skipWhitespace()
        guard index < end, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var version = false
        var keyText: ArraySlice<UInt8>?
        var nonce: ArraySlice<UInt8>?
        var ciphertext: ArraySlice<UInt8>?
        while true {
            skipWhitespace()
            guard let name = string(), name.count == 1 else { return nil }
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            skipWhitespace()
            switch name.first {
            case UInt8(ascii: "v"):
                // Exactly the number 1, then a separator.
                guard !version, index < end, bytes[index] == UInt8(ascii: "1") else { return nil }
                index += 1
                guard index < end,
                    bytes[index] == UInt8(ascii: ",") || bytes[index] == UInt8(ascii: "}") || bytes[index] == 0x20
                        || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
                else { return nil }
                version = true
            case UInt8(ascii: "k"):
                guard keyText == nil, let value = string() else { return nil }
                keyText = value
            case UInt8(ascii: "n"):
                guard nonce == nil, let value = string() else { return nil }
                nonce = value
            case UInt8(ascii: "c"):
                guard ciphertext == nil, let value = string() else { return nil }
                ciphertext = value
            default:
                return nil
            }
            skipWhitespace()
            guard index < end else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
            break
        }
        skipWhitespace()
        guard index == end, version, let keyText, let nonce, let ciphertext,
            let key = UUID(uuidString: String(decoding: keyText, as: UTF8.self))
        else { return nil }
        self.init(
            v: 1, k: key, n: String(decoding: nonce, as: UTF8.self), c: String(decoding: ciphertext, as: UTF8.self))
    }
}

enum SealedEnvelopeError: Error {
    case malformed
}

/// A subject's key, unwrapped, with the two keys derived from it.
struct SubjectKey: Sendable {
    var id: UUID
    var subject: String
    private var encryptionBytes: [UInt8]
    private var nonceBytes: [UInt8]

    /// The AES-256-GCM key for personal values.
    var encryptionKey: SymmetricKey { SymmetricKey(data: encryptionBytes) }
    /// The HMAC key nonces are derived with.
    var nonceKey: SymmetricKey { SymmetricKey(data: nonceBytes) }

    init(id: UUID, subject: String, raw: SymmetricKey) {
        self.id = id
        self.subject = subject
        encryptionBytes = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: raw, info: Data("stipple.personal.encryption.v1".utf8), outputByteCount: 32
        ).withUnsafeBytes { Array($0) }
        nonceBytes = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: raw, info: Data("stipple.personal.nonce.v1".utf8), outputByteCount: 32
        ).withUnsafeBytes { Array($0) }
    }
}
