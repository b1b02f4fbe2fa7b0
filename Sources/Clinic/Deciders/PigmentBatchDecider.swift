import Foundation

/// Decides pigment batch commands.
public enum PigmentBatchDecider {
    /// Checks a command against the batch's state; `now` is the decision time.
    public static func decide(
        _ command: PigmentBatchCommand, batch: PigmentBatchState, now: Date
    ) throws(Rejection) -> Decision {
        let event: PigmentBatchEvent
        switch command {
        case .receive(let payload):
            guard batch.received == nil else { throw .pigmentBatchAlreadyReceived(batch.id) }
            guard payload.batchNumber == batch.id else {
                throw .invalidValue(field: "batchNumber", reason: "\(payload.batchNumber) is not this stream's batch")
            }
            guard !payload.product.allSatisfy(\.isWhitespace), !payload.supplier.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "product/supplier", reason: "must not be blank")
            }
            event = .received(payload)
        case .recall(let payload):
            guard batch.received != nil else { throw .unknownPigmentBatch(batch.id) }
            if let recall = batch.recall {
                throw .pigmentBatchRecalled(batch.id, on: CalendarDay(recall.at), reason: recall.reason)
            }
            guard !payload.reason.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "reason", reason: "must not be blank")
            }
            event = .recalled(payload)
        }
        guard event.at <= now else { throw .inTheFuture(at: event.at, now: now) }
        return Decision([PendingEvent(stream: .pigmentBatch(batch.id), event: .pigmentBatch(event))])
    }
}
