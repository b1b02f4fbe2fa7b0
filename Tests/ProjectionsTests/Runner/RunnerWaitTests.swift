import EventStore
import Foundation
import Projections
import TestSupport
import Testing

@Suite("Waiting for the projections to reach a position, through the runner's own read of its checkpoints")
struct RunnerWaitTests {
    @Test("the wait times out while a projection is behind, and returns as soon as another task catches it up")
    func waitsForCatchUp() async throws {
        try await TestDatabase.with { database in
            let runner = ProjectionRunner(store: database.store, projections: [StreamCounts(), TypeCounts()])
            #expect(try await runner.position(of: "stream_counts") == nil, "no checkpoint before it is prepared")
            try await runner.prepare()
            try await appendSome(database.store, streams: 2, perStream: 3)
            let head = try await database.store.headPosition()
            #expect(try await runner.position(of: "stream_counts") == 0)

            let early = ContinuousClock.now
            #expect(!(await runner.wait(until: head, for: ["stream_counts"], timeout: .milliseconds(300))))
            #expect(ContinuousClock.now - early >= .milliseconds(250), "it waited out its timeout")

            async let reached = runner.wait(until: head, for: ["stream_counts", "type_counts"], timeout: .seconds(20))
            try await Task.sleep(for: .milliseconds(100))
            try await runner.catchUp()
            #expect(await reached)
            #expect(try await runner.position(of: "type_counts") == head)
            #expect(await runner.wait(until: head, for: ["stream_counts"], timeout: .zero), "already there: no wait")
        }
    }
}
