import ClinicService
import Crypto
import Foundation

/// Signs delivery bodies: `Stipple-Signature: sha256=<hex>`, the HMAC-SHA256 of the exact body
/// bytes keyed with the webhook's secret (the whole `whsec_…` string, as UTF-8).
public enum WebhookSignature {
    /// The header value for `body`.
    public static func header(body: Data, secret: String) -> String {
        "sha256=" + hex(body: body, secret: secret)
    }

    /// The lower-case hex HMAC of `body`.
    public static func hex(body: Data, secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        return APIKeyStore.hex(Array(HMAC<SHA256>.authenticationCode(for: body, using: key)))
    }

    /// Whether `header` is a valid signature of `body` (compared in constant time).
    public static func verify(header: String, body: Data, secret: String) -> Bool {
        guard header.hasPrefix("sha256="), let mac = bytes(hex: String(header.dropFirst(7))) else { return false }
        let key = SymmetricKey(data: Data(secret.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 97...102: digit - 87
        case 65...70: digit - 55
        default: nil
        }
    }
}
