import Foundation

/// Money was received (positive, in the account currency).
public struct PaymentReceived: EventPayload {
    /// `client.payment-received`.
    public static let typeName = "client.payment-received"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// The payment.
    public var paymentID: PaymentID
    /// Amount.
    public var amount: Money
    /// How.
    public var method: PaymentMethod
    /// What for.
    public var purpose: PaymentPurpose
    /// The appointment paid for.
    public var appointmentID: AppointmentID?
    /// Where it was taken (revenue by location).
    public var locationID: LocationID?
    /// The technician credited (revenue by technician).
    public var technicianID: TechnicianID?

    /// Creates the payload.
    public init(
        at: Date, paymentID: PaymentID, amount: Money, method: PaymentMethod, purpose: PaymentPurpose,
        appointmentID: AppointmentID? = nil, locationID: LocationID? = nil, technicianID: TechnicianID? = nil
    ) {
        self.at = at
        self.paymentID = paymentID
        self.amount = amount
        self.method = method
        self.purpose = purpose
        self.appointmentID = appointmentID
        self.locationID = locationID
        self.technicianID = technicianID
    }
}
