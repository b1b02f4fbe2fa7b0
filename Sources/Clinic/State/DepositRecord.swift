import Foundation

/// A deposit as the client stream knows it.
public struct DepositRecord: Hashable, Sendable {
    /// The deposit.
    public var depositID: DepositID
    /// Amount.
    public var amount: Money
    /// Whether it may be refunded.
    public var refundable: Bool
    /// Status.
    public var status: DepositStatus
    /// How it was paid (an automatic refund goes back the same way).
    public var method: PaymentMethod = .card
    /// When it was taken.
    public var takenAt: Date = .distantPast

    /// True when the clinic keeps this money whatever happens: non-refundable, or forfeited.
    public var isLocked: Bool { status != .refunded && (!refundable || status == .forfeited) }
}
