import Foundation

/// What a location's stream says.
public struct LocationState: Hashable, Sendable {
    /// The location.
    public let id: LocationID
    /// The opening, once opened.
    public internal(set) var opened: LocationOpened?
    /// Weekly opening hours.
    public internal(set) var hours: [OpeningHours] = []
    /// Number of events folded.
    public internal(set) var version = 0

    /// The state of a location stream with no events.
    public init(id: LocationID) {
        self.id = id
    }

    /// True once opened.
    public var isOpen: Bool { opened != nil }

    /// Folds one event in place.
    public mutating func apply(_ event: LocationEvent) {
        version += 1
        switch event {
        case .opened(let e): opened = e
        case .hoursSet(let e): hours = e.hours
        }
    }

    /// Folds events into a new state.
    public static func replay(id: LocationID, _ events: some Sequence<LocationEvent>) -> LocationState {
        var state = LocationState(id: id)
        for event in events { state.apply(event) }
        return state
    }

    /// `evolve(state, event) -> state`.
    public static func evolve(_ state: LocationState, _ event: LocationEvent) -> LocationState {
        var next = state
        next.apply(event)
        return next
    }
}
