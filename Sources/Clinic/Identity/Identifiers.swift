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
