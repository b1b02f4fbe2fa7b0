import Foundation

/// A client's identity: the UUID in its `client-<uuid>` stream name.
public typealias ClientID = UUID

/// Identifies one booked appointment (consultation, session or touch-up) across client and technician streams.
public typealias AppointmentID = UUID

/// Identifies one logged photo of a client.
public typealias PhotoID = UUID

/// Identifies one deposit taken from a client.
public typealias DepositID = UUID

/// Identifies one payment received from a client.
public typealias PaymentID = UUID

/// Identifies one signed consent form.
public typealias ConsentID = UUID

/// Identifies one refund issued to a client.
public typealias RefundID = UUID

enum IdentifierRules {
    /// Short ids are restricted to `[A-Za-z0-9._-]`, 1–64 characters, so that they are safe in stream names and URLs.
    static func isValid(_ raw: String) -> Bool {
        guard (1...64).contains(raw.utf8.count) else { return false }
        return raw.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }
}

extension UUID {
    /// A version 4 UUID from 16 bytes, its version and variant bits set: ids the generator draws, and ids a decider
    /// derives from others so that deciding stays deterministic.
    init(version4 bytes: [UInt8]) {
        var b = bytes + [UInt8](repeating: 0, count: max(0, 16 - bytes.count))
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        self.init(
            uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])
        )
    }
}
