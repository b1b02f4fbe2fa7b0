import EventStore
import Foundation
@testable import Projections
import Synchronization
import Testing

@Suite("The stream-ordered pass's batches")
struct StreamPassTests {
    @Test(
        "each builder takes the batches at its own pace, the one furthest behind first; one that leaves holds none back; the pass ends after the empty batch"
    )
    func ownPace() async throws {
        let reports = Mutex<[Int]>([])
        let pass = StreamPass(builders: 2, window: 2) { applied, _ in reports.withLock { $0.append(applied) } }
        #expect(try await bounded(pass) { try await $0.put(try Self.batch(events: 3)) })
        #expect(try await bounded(pass) { try await $0.put(try Self.batch(events: 2)) })
        let first = try #require(try await bounded(pass) { try await $0.job() })
        let second = try #require(try await bounded(pass) { try await $0.job() })
        #expect([first.builder, second.builder] == [0, 1] && first.number == 0 && second.number == 0)
        await pass.done(first, stays: true, statesHeld: 1)
        // Builder 1 still holds batch 0: builder 0 goes on without it.
        let ahead = try #require(try await bounded(pass) { try await $0.job() })
        #expect(ahead.builder == 0 && ahead.number == 1)
        await pass.done(ahead, stays: true, statesHeld: 3)
        #expect(await pass.statesHeld == 3, "each builder's latest count")
        #expect(reports.withLock { $0 }.isEmpty, "builder 1 has not taken batch 0 yet")
        // Builder 1 leaves: the batches only it had not taken are dropped, so the reader has room again.
        await pass.done(second, stays: false, statesHeld: 5)
        #expect(await pass.leavers == [1])
        #expect(await pass.statesHeld == 3, "a builder that left holds nothing")
        #expect(reports.withLock { $0 } == [5], "the events of the batches every builder still in the pass has taken")
        #expect(try await bounded(pass) { try await $0.put(ProjectionBatch(items: [])) })
        await pass.finishReading()
        let third = try #require(try await bounded(pass) { try await $0.job() })
        #expect(third.builder == 0 && third.number == 2)
        await pass.done(third, stays: true, statesHeld: 1)
        let last = try #require(try await bounded(pass) { try await $0.job() })
        #expect(last.builder == 0 && last.number == 3, "the empty batch that ends the pass")
        await pass.done(last, stays: true, statesHeld: 0)
        #expect(try await bounded(pass) { try await $0.job() } == nil)
    }

    @Test("when every builder has left, the reader is told to stop")
    func everyoneLeft() async throws {
        let pass = StreamPass(builders: 1, window: 4)
        #expect(try await bounded(pass) { try await $0.put(ProjectionBatch(items: [])) })
        let job = try #require(try await bounded(pass) { try await $0.job() })
        await pass.done(job, stays: false, statesHeld: 0)
        #expect(try await bounded(pass) { try await $0.put(ProjectionBatch(items: [])) } == false)
        #expect(try await bounded(pass) { try await $0.job() } == nil)
    }

    @Test(
        "a failure ends every wait in the pass: the reader's for room and a worker's for a batch",
        .timeLimit(.minutes(1)))
    func failureEndsEveryWait() async throws {
        struct Broken: Error {}
        let pass = StreamPass(builders: 1, window: 1)
        #expect(try await bounded(pass) { try await $0.put(try Self.batch(events: 1)) })
        let held = try #require(try await bounded(pass) { try await $0.job() })
        #expect(held.number == 0)
        // The window is full and the only builder busy: the reader waits for room, a second worker for a batch.
        let batch = try Self.batch(events: 1)
        let reader = Task { try await pass.put(batch) }
        let worker = Task { try await pass.job() }
        try await Task.sleep(for: .milliseconds(200))  // lets both reach their waits (either way they must throw)
        await pass.fail(Broken())
        await #expect(throws: Broken.self) { try await reader.value }
        await #expect(throws: Broken.self) { try await worker.value }
        await #expect(throws: Broken.self, "a pass that failed gives no more jobs") { try await pass.job() }
    }

    struct NoAnswer: Error {}

    /// A batch of `events` events (their content does not matter to the pass).
    private static func batch(events: Int) throws -> ProjectionBatch {
        ProjectionBatch(
            events: try (0..<events).map { index in
                RecordedEvent(
                    position: Int64(index + 1), stream: try EventStreamName("client-\(index)"), version: 0, id: UUID(),
                    type: "thing.happened", schemaVersion: 1, data: Data("{}".utf8), metadataJSON: Data("{}".utf8),
                    recordedAt: Date())
            })
    }

    /// `body` over `pass`, failing the pass (which ends every wait in it) if no answer comes within 10 s: a
    /// scheduling mistake fails the test instead of hanging it.
    private func bounded<T: Sendable>(_ pass: StreamPass, _ body: (StreamPass) async throws -> T) async throws -> T {
        let watchdog = Task {
            try await Task.sleep(for: .seconds(10))
            await pass.fail(NoAnswer())
        }
        defer { watchdog.cancel() }
        return try await body(pass)
    }
}
