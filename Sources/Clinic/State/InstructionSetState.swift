import Foundation

/// What a care instruction set's stream says: its name and every version with the time it came into force.
public struct InstructionSetState: Hashable, Sendable {
    /// One version of the set.
    public struct Version: Hashable, Sendable {
        /// 1, 2, …
        public var number: Int
        /// When it came into force.
        public var since: Date
        /// Its items.
        public var items: [CareItem]
    }

    /// The set.
    public let id: InstructionSetID
    /// Its name, once published.
    public internal(set) var name: String?
    /// Versions, oldest first.
    public internal(set) var versions: [Version] = []
    /// Number of events folded.
    public internal(set) var version = 0

    /// The state of a set stream with no events.
    public init(id: InstructionSetID) {
        self.id = id
    }

    /// True once published.
    public var isPublished: Bool { name != nil }

    /// The latest version.
    public var latest: Version? { versions.last }

    /// The version in force at a time: the latest that came into force at or before it.
    public func version(inForceAt date: Date) -> Version? { versions.last { $0.since <= date } }

    /// A version by number.
    public func version(_ number: Int) -> Version? { versions.first { $0.number == number } }

    /// Folds one event in place.
    public mutating func apply(_ event: CareEvent) {
        version += 1
        switch event {
        case .published(let e):
            name = e.name
            versions = [Version(number: 1, since: e.at, items: e.items)]
        case .revised(let e):
            versions.append(Version(number: e.version, since: e.at, items: e.items))
        }
    }

    /// Folds events into a new state.
    public static func replay(id: InstructionSetID, _ events: some Sequence<CareEvent>) -> InstructionSetState {
        var state = InstructionSetState(id: id)
        for event in events { state.apply(event) }
        return state
    }
}
