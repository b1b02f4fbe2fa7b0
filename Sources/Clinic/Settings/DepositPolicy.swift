import Foundation

/// A location's deposit policy: what a client must have paid as a deposit before a course session can be booked,
/// and what happens to held deposits when the client misses or cancels.
///
/// With a policy in force the decider appends, in the same append as the no-show or cancellation:
/// a forfeit of every held deposit on a no-show or a client's cancellation inside the cancellation window; a
/// refund of every held refundable deposit on any other cancellation. Non-refundable deposits stay held then
/// (they can still be applied to the rebooked session).
public struct DepositPolicy: Hashable, Sendable, Codable {
    /// A fixed deposit, in the clinic's currency; nil when the deposit is a percentage.
    public var fixedAmount: Money?
    /// A deposit of this percentage (1–100) of the course price; nil when the deposit is a fixed amount.
    public var percentOfPrice: Int?

    /// Creates a policy; exactly one of `fixedAmount` and `percentOfPrice` should be set.
    public init(fixedAmount: Money? = nil, percentOfPrice: Int? = nil) {
        self.fixedAmount = fixedAmount
        self.percentOfPrice = percentOfPrice
    }

    /// The deposit required for a course at `price` (percentages round down to whole minor units).
    public func required(forCoursePrice price: Money) -> Money {
        if let fixedAmount { return fixedAmount }
        let percent = Int64(percentOfPrice ?? 0)
        return Money(minorUnits: price.minorUnits * percent / 100, currency: price.currency)
    }

    /// Why the policy is not usable, or nil: exactly one form, a positive amount, a percentage 1–100.
    public func problem(currency: Currency) -> String? {
        switch (fixedAmount, percentOfPrice) {
        case (nil, nil): return "must set fixedAmount or percentOfPrice"
        case (.some, .some): return "must set only one of fixedAmount and percentOfPrice"
        case (.some(let amount), nil):
            guard amount.isPositive else { return "fixedAmount must be above zero" }
            guard amount.currency == currency else {
                return "fixedAmount must be in \(currency), not \(amount.currency)"
            }
            return nil
        case (nil, .some(let percent)):
            return (1...100).contains(percent) ? nil : "percentOfPrice must be 1–100, not \(percent)"
        }
    }
}

/// Why the deposit policy moved a deposit (carried by the forfeit or refund it appended).
public struct DepositPolicyAction: Hashable, Sendable, Codable {
    /// What triggered it.
    public enum Trigger: String, Hashable, Sendable, Codable, CaseIterable {
        /// The client did not come: the deposit is forfeited.
        case noShow = "no-show"
        /// The client cancelled inside the cancellation window: the deposit is forfeited.
        case lateCancellation = "late-cancellation"
        /// The client cancelled with notice, or the clinic cancelled: the refundable deposit is refunded.
        case cancellationWithNotice = "cancellation-with-notice"
    }

    /// What triggered it.
    public var trigger: Trigger
    /// The appointment missed or cancelled.
    public var appointmentID: AppointmentID
    /// The location whose policy applied.
    public var locationID: LocationID

    /// Creates the action.
    public init(trigger: Trigger, appointmentID: AppointmentID, locationID: LocationID) {
        self.trigger = trigger
        self.appointmentID = appointmentID
        self.locationID = locationID
    }
}
