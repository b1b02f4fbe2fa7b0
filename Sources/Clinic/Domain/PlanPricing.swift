/// The price of a treatment plan: per session or for the whole course.
public struct PlanPricing: Hashable, Sendable, Codable {
    /// Per session or package.
    public var model: PricingModel
    /// The price per session (per-session model) or of the whole course (package model).
    public var price: Money

    /// Creates pricing.
    public init(model: PricingModel, price: Money) {
        self.model = model
        self.price = price
    }

    /// The price of the whole course of `sessions` sessions.
    public func total(sessions: Int) -> Money {
        model == .package ? price : price.times(sessions)
    }
}
