import ClinicService
import Crypto
import Foundation
import TextCodecs

/// Signs delivery bodies the way integrators know from payment platforms:
/// `Stipple-Signature: t=<unix seconds>,v1=<hex>`, where `v1` is the HMAC-SHA256 of `"<t>.<body>"`
/// (the exact body bytes) keyed with the webhook's secret (the whole `whsec_…` string, as UTF-8).
///
/// The timestamp is signed with the body, so a receiver that refuses signatures older than a few
/// minutes (`verify`'s `tolerance`) cannot be fed a recorded delivery again. A header may carry
/// several `v1=` values (one per valid secret while a secret is being rotated); one must match.
public enum WebhookSignature {
    /// The default age past which `verify` refuses a signature: five minutes.
    public static let defaultTolerance: TimeInterval = 300

    /// The header value for `body`, signed at `time`.
    public static func header(body: Data, secret: String, time: Date = Date()) -> String {
        header(body: body, secrets: [secret], time: time)
    }

    /// The header value for `body` signed at `time` with each of `secrets`, in order: one `v1=` per
    /// secret, as during a rotation (`t=…,v1=<new>,v1=<old>`), so receivers holding either verify.
    public static func header(body: Data, secrets: [String], time: Date = Date()) -> String {
        let timestamp = Int64(time.timeIntervalSince1970.rounded(.down))
        let payload = signedPayload(timestamp: timestamp, body: body)
        return (["t=\(timestamp)"] + secrets.map { "v1=" + hex(body: payload, secret: $0) }).joined(separator: ",")
    }

    /// The lower-case hex HMAC-SHA256 of `body` keyed with `secret`.
    public static func hex(body: Data, secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        return Hex.encode(HMAC<SHA256>.authenticationCode(for: body, using: key))
    }

    /// Whether `header` signs `body` with `secret` at a time within `tolerance` of `now` (compared in constant time).
    public static func verify(
        header: String, body: Data, secret: String, now: Date = Date(), tolerance: TimeInterval = defaultTolerance
    ) -> Bool {
        var timestamp: Int64?
        var macs: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { return false }
            switch pair[0] {
            case "t": timestamp = Int64(pair[1])
            case "v1": if let mac = bytes(hex: pair[1]) { macs.append(mac) }
            default: continue
            }
        }
        guard let timestamp, !macs.isEmpty, abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else {
            return false
        }
        let key = SymmetricKey(data: Data(secret.utf8))
        let payload = signedPayload(timestamp: timestamp, body: body)
        return macs.contains { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: payload, using: key) }
    }

    static func signedPayload(timestamp: Int64, body: Data) -> Data {
        var payload = Data("\(timestamp).".utf8)
        payload.append(body)
        return payload
    }

    /// The 32 bytes of a signature's hex (either case), or nil.
    static func bytes(hex: String) -> [UInt8]? {
        hex.utf8.count == 64 ? Hex.decode(hex) : nil
    }
}
