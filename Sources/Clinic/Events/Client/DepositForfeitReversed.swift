import Foundation

/// Staff reversed a deposit's forfeit (typically one the deposit policy made automatically): it is held again.
public struct DepositForfeitReversed: EventPayload {
    /// `client.deposit-forfeit-reversed`.
    public static let typeName = "client.deposit-forfeit-reversed"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The deposit.
    public var depositID: DepositID
    /// Who reversed it.
    public var reversedBy: String
    /// Why (personal: sealed with the client's key).
    public var personal: PersonalText

    /// Creates the payload.
    public init(at: Date, depositID: DepositID, reversedBy: String, reason: String) {
        self.at = at
        self.depositID = depositID
        self.reversedBy = reversedBy
        self.personal = PersonalText(reason)
    }

    /// Why ("(erased)" once the client was forgotten).
    public var reason: String { personal.text }
}
