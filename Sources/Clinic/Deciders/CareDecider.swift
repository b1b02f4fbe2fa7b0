import Foundation

/// Decides care instruction set commands: a set is published once, then revised version by version.
public enum CareDecider {
    /// Checks a command against the set's state; `now` is the decision time.
    public static func decide(_ command: CareCommand, set: InstructionSetState, now: Date) throws(Rejection)
        -> Decision
    {
        let event: CareEvent
        switch command {
        case .publish(let payload):
            guard !set.isPublished else { throw .instructionSetAlreadyPublished(set.id) }
            guard !payload.name.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "name", reason: "must not be blank")
            }
            try checkItems(payload.items)
            event = .published(payload)
        case .revise(let payload):
            guard let latest = set.latest else { throw .unknownInstructionSet(set.id) }
            guard payload.version == latest.number + 1 else {
                throw .invalidValue(field: "version", reason: "the next version is \(latest.number + 1)")
            }
            guard payload.at >= latest.since else {
                throw .invalidValue(
                    field: "at", reason: "version \(latest.number) is in force from \(BusinessTime.iso(latest.since))")
            }
            guard !payload.reason.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "reason", reason: "must not be blank")
            }
            try checkItems(payload.items)
            guard payload.items != latest.items else {
                throw .invalidValue(field: "items", reason: "they are the items of version \(latest.number)")
            }
            event = .revised(payload)
        }
        guard event.at <= now else { throw .inTheFuture(at: event.at, now: now) }
        return Decision([PendingEvent(stream: .instructionSet(set.id), event: .care(event))])
    }

    private static func checkItems(_ items: [CareItem]) throws(Rejection) {
        guard !items.isEmpty else { throw .invalidValue(field: "items", reason: "must list at least one item") }
        for (index, item) in items.enumerated() {
            if let problem = item.problem { throw .invalidValue(field: "items[\(index)]", reason: problem) }
        }
    }
}
