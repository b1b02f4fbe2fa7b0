import Foundation

/// `client.deposit-forfeited` version 1: the reason in the clear.
public struct DepositForfeitedV1: LegacyEventPayload {
    /// Stored version.
    public static let schemaVersion = 1

    public var at: Date
    public var depositID: DepositID
    public var reason: String

    /// The same forfeit with the reason under `personal` (and no deposit policy: version 1 had none).
    public func upcast() -> DepositForfeited {
        DepositForfeited(at: at, depositID: depositID, reason: reason)
    }
}
