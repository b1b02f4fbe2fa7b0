/// The pigment used in a session, with batch and expiry for traceability (recalls, adverse reactions).
public struct PigmentUse: Hashable, Sendable, Codable {
    /// Product name, e.g. "Scalp Pigment Dark Brown".
    public var product: String
    /// The batch (lot) number.
    public var batchNumber: PigmentBatchNumber
    /// The batch's expiry date as recorded when it was received.
    public var batchExpiresOn: CalendarDay
    /// Dilution or shade, e.g. "shade 2, 30% diluted".
    public var dilution: String

    /// Creates a pigment use.
    public init(product: String, batchNumber: PigmentBatchNumber, batchExpiresOn: CalendarDay, dilution: String) {
        self.product = product
        self.batchNumber = batchNumber
        self.batchExpiresOn = batchExpiresOn
        self.dilution = dilution
    }
}
