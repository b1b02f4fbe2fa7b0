import Clinic
import EventStore
import Foundation
import Projections

/// Runs a command: loads the streams it involves, folds them, asks the decider, and appends
/// every resulting event in one atomic multi-stream append.
///
/// Each stream the handler folded is appended with the exact version it folded (`noStream`
/// when it had no events), so a concurrent writer to any of them makes the append fail with
/// `wrongExpectedVersion`; the handler then re-loads and re-decides, up to `maxAttempts`
/// times. Two concurrent bookings of one technician's slot therefore end with one booking and
/// one `technicianUnavailable` rejection, never a double booking or a 500. Streams a decision
/// writes without having folded them (the old technician's release on a reschedule) are
/// appended with `any`: releases do not depend on that stream's state.
public struct CommandHandler: Sendable {
    /// The result of an accepted command.
    public struct Outcome: Sendable, Encodable {
        public struct Event: Sendable, Encodable {
            public var id: UUID
            public var stream: String
            public var version: Int
            public var position: Int64
            public var type: String
        }

        public var events: [Event]
        /// The resume token just after the last event written.
        public var token: String
        /// How many attempts the decision needed (1 unless a concurrent writer intervened).
        public var attempts: Int
    }

    /// Why a command did not produce events.
    public enum Failure: Error, Sendable {
        case rejected(Rejection)
        /// A stored event could not be read back (a bug or an unknown newer version).
        case unreadableHistory(stream: String, reason: String)
    }

    public let store: EventStore
    /// The settings before any `settings.changed` event: every decision folds the clinic settings stream over them.
    public let settings: ClinicSettings
    public let maxAttempts: Int
    /// Told how long each successful append took (the server's metrics); nil when nobody listens.
    let appendObserver: (@Sendable (Duration) -> Void)?
    /// The time decisions are made at.
    public let clock: @Sendable () -> Date

    /// A handler over `store`; `appendObserver` is told the duration of every successful append.
    public init(
        store: EventStore, settings: ClinicSettings = .standard, maxAttempts: Int = 5,
        appendObserver: (@Sendable (Duration) -> Void)? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.settings = settings
        self.maxAttempts = max(1, maxAttempts)
        self.appendObserver = appendObserver
        self.clock = clock
    }

    // MARK: - Commands per stream kind

    /// A client command; loads the technician, location and pigment batch it names, and the clinic settings
    /// (read, not guarded: a settings change racing a command applies from the next command on).
    public func handle(_ command: ClientCommand, client id: ClientID, metadata: EventMetadata) async throws -> Outcome {
        let references = command.references
        let clientStream = Clinic.StreamName.client(id)
        var streams = [clientStream, .clinicSettings]
        if let technician = references.technician { streams.append(.technician(technician)) }
        if let location = references.location { streams.append(.location(location)) }
        if let batch = references.pigmentBatch { streams.append(.pigmentBatch(batch)) }
        if let set = references.instructionSet { streams.append(.instructionSet(set)) }
        let settings = self.settings
        return try await execute(streams: streams, metadata: metadata) { histories, now throws(Rejection) in
            let client = ClientState.replay(id: id, (histories[clientStream] ?? []).compactMap(\.clientEvent))
            let settingsState = ClinicSettingsState.replay(
                defaults: settings, (histories[.clinicSettings] ?? []).compactMap(\.settingsEvent))
            let context = DecisionContext(
                now: now, settings: settingsState,
                technician: references.technician.map { technician in
                    TechnicianState.replay(
                        id: technician, (histories[.technician(technician)] ?? []).compactMap(\.technicianEvent))
                },
                location: references.location.map { location in
                    LocationState.replay(
                        id: location, (histories[.location(location)] ?? []).compactMap(\.locationEvent))
                },
                pigmentBatch: references.pigmentBatch.map { batch in
                    PigmentBatchState.replay(
                        id: batch, (histories[.pigmentBatch(batch)] ?? []).compactMap(\.pigmentBatchEvent))
                },
                instructionSet: references.instructionSet.map { set in
                    InstructionSetState.replay(id: set, (histories[.instructionSet(set)] ?? []).compactMap(\.careEvent))
                })
            return try ClientDecider.decide(command, client: client, context: context)
        }
    }

    /// A technician command.
    public func handle(_ command: TechnicianCommand, technician id: TechnicianID, metadata: EventMetadata)
        async throws -> Outcome
    {
        let stream = Clinic.StreamName.technician(id)
        return try await execute(streams: [stream], metadata: metadata) { histories, now throws(Rejection) in
            let state = TechnicianState.replay(id: id, (histories[stream] ?? []).compactMap(\.technicianEvent))
            return try TechnicianDecider.decide(command, technician: state, now: now)
        }
    }

    /// A location command.
    public func handle(_ command: LocationCommand, location id: LocationID, metadata: EventMetadata) async throws
        -> Outcome
    {
        let stream = Clinic.StreamName.location(id)
        return try await execute(streams: [stream], metadata: metadata) { histories, now throws(Rejection) in
            let state = LocationState.replay(id: id, (histories[stream] ?? []).compactMap(\.locationEvent))
            return try LocationDecider.decide(command, location: state, now: now)
        }
    }

    /// A change of the clinic settings (clinic-wide, or for the location it names), or a consent form published.
    public func handle(_ command: SettingsCommand, metadata: EventMetadata) async throws -> Outcome {
        let stream = Clinic.StreamName.clinicSettings
        let location: LocationID? =
            switch command {
            case .change(let payload): payload.locationID
            case .publishConsentForm: nil
            }
        var streams = [stream]
        if let location { streams.append(.location(location)) }
        let defaults = settings
        return try await execute(streams: streams, metadata: metadata) { histories, now throws(Rejection) in
            let state = ClinicSettingsState.replay(
                defaults: defaults, (histories[stream] ?? []).compactMap(\.settingsEvent))
            let locationState = location.map { id in
                LocationState.replay(id: id, (histories[.location(id)] ?? []).compactMap(\.locationEvent))
            }
            return try SettingsDecider.decide(command, settings: state, location: locationState, now: now)
        }
    }

    /// The clinic settings as the settings stream says now, over the handler's defaults.
    public func currentSettings() async throws -> ClinicSettingsState {
        let events = try await history(of: .clinicSettings)
        return ClinicSettingsState.replay(defaults: settings, events.compactMap(\.settingsEvent))
    }

    /// A pigment batch command.
    public func handle(_ command: PigmentBatchCommand, batch id: PigmentBatchNumber, metadata: EventMetadata)
        async throws -> Outcome
    {
        let stream = Clinic.StreamName.pigmentBatch(id)
        return try await execute(streams: [stream], metadata: metadata) { histories, now throws(Rejection) in
            let state = PigmentBatchState.replay(id: id, (histories[stream] ?? []).compactMap(\.pigmentBatchEvent))
            return try PigmentBatchDecider.decide(command, batch: state, now: now)
        }
    }

    /// A care instruction set command.
    public func handle(_ command: CareCommand, instructionSet id: InstructionSetID, metadata: EventMetadata)
        async throws -> Outcome
    {
        let stream = Clinic.StreamName.instructionSet(id)
        return try await execute(streams: [stream], metadata: metadata) { histories, now throws(Rejection) in
            let state = InstructionSetState.replay(id: id, (histories[stream] ?? []).compactMap(\.careEvent))
            return try CareDecider.decide(command, set: state, now: now)
        }
    }

    // MARK: - The loop

    /// A stream's whole history as clinic events (one per stored event, so its count is the stream's length).
    private func history(of stream: Clinic.StreamName) async throws -> [ClinicEvent] {
        try await store.readWholeStream(try stream.eventStreamName).map { event in
            do {
                return try ClinicEvent(event)
            } catch {
                throw Failure.unreadableHistory(stream: stream.rawValue, reason: "\(error)")
            }
        }
    }

    private func execute(
        streams: [Clinic.StreamName], metadata: EventMetadata,
        decide: ([Clinic.StreamName: [ClinicEvent]], Date) throws(Rejection) -> Decision
    ) async throws -> Outcome {
        var attempt = 0
        while true {
            attempt += 1
            var histories: [Clinic.StreamName: [ClinicEvent]] = [:]
            var counts: [Clinic.StreamName: Int] = [:]
            for stream in streams {
                let events = try await history(of: stream)
                histories[stream] = events
                counts[stream] = events.count
            }
            let decision: Decision
            do {
                decision = try decide(histories, clock())
            } catch {
                throw Failure.rejected(error)
            }
            let appends = try decision.streams.map { stream in
                let expected: ExpectedVersion = counts[stream].map { $0 == 0 ? .noStream : .exact($0 - 1) } ?? .any
                let events = try decision.events(for: stream).map { try $0.newEvent(metadata: metadata) }
                return StreamAppend(
                    stream: try stream.eventStreamName, expectedVersion: expected, events: events)
            }
            let started = ContinuousClock.now
            do {
                let results = try await store.append(appends)
                appendObserver?(ContinuousClock.now - started)
                var written: [Outcome.Event] = []
                for (append, result) in zip(appends, results) {
                    let firstVersion = result.streamVersion - append.events.count + 1
                    for (index, (event, position)) in zip(append.events, result.positions).enumerated() {
                        written.append(
                            Outcome.Event(
                                id: event.id, stream: append.stream.rawValue, version: firstVersion + index,
                                position: position, type: event.type))
                    }
                }
                written.sort { $0.position < $1.position }
                let last = written.last?.position ?? 0
                return Outcome(events: written, token: Checkpoint(position: last).token, attempts: attempt)
            } catch EventStoreError.wrongExpectedVersion(let stream, let expected, let actual) {
                guard attempt < maxAttempts else {
                    throw EventStoreError.wrongExpectedVersion(stream: stream, expected: expected, actual: actual)
                }
            }
        }
    }
}

/// The other streams a client command's decision needs.
struct CommandReferences {
    var technician: TechnicianID?
    var location: LocationID?
    var pigmentBatch: PigmentBatchNumber?
    var instructionSet: InstructionSetID?
}

extension ClientCommand {
    var references: CommandReferences {
        switch self {
        case .bookConsultation(let event):
            CommandReferences(technician: event.technicianID, location: event.locationID)
        case .rescheduleConsultation(let event):
            CommandReferences(technician: event.technicianID, location: event.locationID)
        case .bookSession(let event):
            CommandReferences(technician: event.technicianID, location: event.locationID)
        case .bookTouchUp(let event):
            CommandReferences(technician: event.technicianID, location: event.locationID)
        case .performSession(let event):
            CommandReferences(
                technician: event.technicianID, location: event.locationID,
                pigmentBatch: event.treatment.pigment.batchNumber)
        case .performTouchUp(let event):
            CommandReferences(
                technician: event.technicianID, location: event.locationID,
                pigmentBatch: event.treatment.pigment.batchNumber)
        case .giveInstructions(let event):
            CommandReferences(instructionSet: event.instructionSetID)
        case .bookCorrection(let event):
            CommandReferences(technician: event.technicianID, location: event.locationID)
        case .performCorrection(let event):
            CommandReferences(technician: event.technicianID)
        default:
            CommandReferences()
        }
    }
}

extension ClinicEvent {
    public var clientEvent: ClientEvent? {
        if case .client(let event) = self { event } else { nil }
    }

    public var technicianEvent: TechnicianEvent? {
        if case .technician(let event) = self { event } else { nil }
    }

    public var locationEvent: LocationEvent? {
        if case .location(let event) = self { event } else { nil }
    }

    public var pigmentBatchEvent: PigmentBatchEvent? {
        if case .pigmentBatch(let event) = self { event } else { nil }
    }

    public var careEvent: CareEvent? {
        if case .care(let event) = self { event } else { nil }
    }

    public var settingsEvent: SettingsEvent? {
        if case .settings(let event) = self { event } else { nil }
    }
}
