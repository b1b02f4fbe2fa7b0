import Foundation

/// The client agreed a treatment plan; its currency becomes the client's account currency.
public struct TreatmentPlanAgreed: EventPayload {
    /// `client.treatment-plan-agreed`.
    public static let typeName = "client.treatment-plan-agreed"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Sessions in the course (1–6).
    public var sessionsPlanned: Int
    /// Price.
    public var pricing: PlanPricing
    /// Deposit asked for.
    public var depositDue: Money

    /// Creates the payload.
    public init(at: Date, sessionsPlanned: Int, pricing: PlanPricing, depositDue: Money) {
        self.at = at
        self.sessionsPlanned = sessionsPlanned
        self.pricing = pricing
        self.depositDue = depositDue
    }
}
