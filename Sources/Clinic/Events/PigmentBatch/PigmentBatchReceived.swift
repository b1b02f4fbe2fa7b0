import Foundation

/// A pigment batch was received.
public struct PigmentBatchReceived: EventPayload {
    /// `pigment.batch-received`.
    public static let typeName = "pigment.batch-received"
    /// The current schema version.
    public static let schemaVersion = 1

    /// When it happened, in business time.
    public var at: Date
    /// Product name.
    public var product: String
    /// Batch (lot) number.
    public var batchNumber: PigmentBatchNumber
    /// Last day it may be used.
    public var expiresOn: CalendarDay
    /// Supplier.
    public var supplier: String
    /// Where it was received.
    public var locationID: LocationID?

    /// Creates the payload.
    public init(
        at: Date, product: String, batchNumber: PigmentBatchNumber, expiresOn: CalendarDay, supplier: String,
        locationID: LocationID? = nil
    ) {
        self.at = at
        self.product = product
        self.batchNumber = batchNumber
        self.expiresOn = expiresOn
        self.supplier = supplier
        self.locationID = locationID
    }
}
