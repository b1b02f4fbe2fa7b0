import Foundation

/// What a pigment batch's stream says: received with an expiry, maybe recalled.
public struct PigmentBatchState: Hashable, Sendable {
    /// The batch number.
    public let id: PigmentBatchNumber
    /// The receipt, once received.
    public internal(set) var received: PigmentBatchReceived?
    /// The recall, once recalled.
    public internal(set) var recall: PigmentBatchRecalled?
    /// Number of events folded.
    public internal(set) var version = 0

    /// The state of a batch stream with no events.
    public init(id: PigmentBatchNumber) {
        self.id = id
    }

    /// True when the batch is past its expiry date on that day.
    public func isExpired(on day: CalendarDay) -> Bool {
        guard let received else { return false }
        return day > received.expiresOn
    }

    /// True when the batch had been recalled by that day.
    public func isRecalled(on day: CalendarDay) -> Bool {
        guard let recall else { return false }
        return CalendarDay(recall.at) <= day
    }

    /// Folds one event in place.
    public mutating func apply(_ event: PigmentBatchEvent) {
        version += 1
        switch event {
        case .received(let e): received = e
        case .recalled(let e): recall = e
        }
    }

    /// Folds events into a new state.
    public static func replay(id: PigmentBatchNumber, _ events: some Sequence<PigmentBatchEvent>) -> PigmentBatchState {
        var state = PigmentBatchState(id: id)
        for event in events { state.apply(event) }
        return state
    }

    /// `evolve(state, event) -> state`.
    public static func evolve(_ state: PigmentBatchState, _ event: PigmentBatchEvent) -> PigmentBatchState {
        var next = state
        next.apply(event)
        return next
    }
}
