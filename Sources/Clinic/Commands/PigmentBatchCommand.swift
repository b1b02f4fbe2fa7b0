/// A request to change a pigment batch's stream.
public enum PigmentBatchCommand: Hashable, Sendable {
    /// Record a batch received.
    case receive(PigmentBatchReceived)
    /// Recall a batch.
    case recall(PigmentBatchRecalled)
}
