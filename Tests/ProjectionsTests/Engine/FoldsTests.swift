import Clinic
import EventStore
import Foundation
import Testing

@testable import Projections

@Suite("The events a projection folds")
struct FoldsTests {
    /// Folds `events` as the engine does (only those `folds` accepts), and folds each event it refuses anyway
    /// into a copy of its key's state: the copy must encode as the state does, with no row and no pending key.
    /// Also checks that `keyedItems` leaves out exactly the refused events. Returns how many were refused and
    /// how many folded.
    private func check<P: FoldingProjection>(_ projection: P, _ events: [RecordedEvent]) throws -> (
        refused: Int, folded: Int
    ) {
        let batch = ProjectionBatch(events: events)
        var states: [String: P.State] = [:]
        var refusedTypes: Set<String> = []
        var refused = 0
        var folded = 0
        var keyedIndices: [Int] = []
        for (index, item) in batch.items.enumerated() {
            guard let key = projection.stateKey(for: item.recorded.stream) else { continue }
            let event = try item.clinicEvent(for: projection.name)
            var output = ProjectionOutput(tables: projection.tables)
            var state = states[key] ?? projection.initialState(for: key)
            if projection.folds(event) {
                try projection.fold(&state, event, recorded: item.recorded, into: &output)
                states[key] = state
                folded += 1
                keyedIndices.append(index)
                continue
            }
            refused += 1
            refusedTypes.insert(item.recorded.type)
            let before = try projection.encodeState(state)
            try projection.fold(&state, event, recorded: item.recorded, into: &output)
            let after = try projection.encodeState(state)
            #expect(after == before, "\(projection.name) changed a state folding \(item.recorded.type)")
            for table in projection.tables {
                #expect(
                    output.rows(for: table.name).isEmpty,
                    "\(projection.name) wrote \(table.name) folding \(item.recorded.type)")
            }
            #expect(output.pendingTimes.isEmpty, "\(projection.name) marked a key folding \(item.recorded.type)")
        }
        #expect(projection.keyedItems(batch).keyed.map(\.index) == keyedIndices)
        return (refused, folded)
    }

    @Test("an event a projection does not fold would change neither its state nor its rows, and is left out")
    func refusedEventsChangeNothing() throws {
        let events = try InMemoryRebuildTests.history(4000)
        let types = Set(events.map(\.type))
        #expect(types.contains("client.photo-logged"))
        #expect(types.contains("technician.slot-reserved"))
        let timeline = try check(TimelineProjection(), events)
        #expect(timeline.refused == 0 && timeline.folded > 1000)
        for (refused, folded) in [
            try check(RevenueProjection(), events), try check(ScheduleProjection(), events),
            try check(PortfolioProjection(), events), try check(AftercareProjection(), events),
            try check(ForecastFold(), events), try check(TraceabilityProjection(), events),
            try check(SearchProjection(key: BlindIndexKey(bytes: Array(repeating: 7, count: 32))), events),
        ] {
            #expect(refused > 100)
            #expect(folded > 10)
        }
    }

    @Test("an event that does not decode is folded whatever the projection folds, and fails naming it")
    func undecodableEventsStillFail() throws {
        var events = try InMemoryRebuildTests.history(200)
        guard let photo = events.firstIndex(where: { $0.type == "client.photo-logged" }) else {
            Issue.record("no photo in the history")
            return
        }
        events[photo].data = Data("{}".utf8)
        let batch = ProjectionBatch(events: Array(events[...photo]))
        let traceability = TraceabilityProjection()
        #expect(traceability.keyedItems(batch).keyed.map(\.index).contains(photo))
        var states: [String: TraceabilityProjection.State] = [:]
        #expect(throws: ProjectionFailure.self) { _ = try traceability.foldInMemory(batch, states: &states) }
    }
}
