@testable import Projections
import Testing

@Suite("The stream-ordered pass's batches")
struct StreamPassTests {
    @Test(
        "each builder takes the batches at its own pace, the one furthest behind first; one that leaves holds none back; the pass ends after the empty batch"
    )
    func ownPace() async throws {
        let pass = StreamPass(builders: 2, window: 2)
        #expect(try await bounded(pass) { try await $0.put(ProjectionBatch(items: [])) })
        #expect(try await bounded(pass) { try await $0.put(ProjectionBatch(items: [])) })
        let first = try #require(try await bounded(pass) { try await $0.job() })
        let second = try #require(try await bounded(pass) { try await $0.job() })
        #expect([first.builder, second.builder] == [0, 1] && first.number == 0 && second.number == 0)
        _ = await pass.done(first, stays: true, statesHeld: 1)
        // Builder 1 still holds batch 0: builder 0 goes on without it.
        let ahead = try #require(try await bounded(pass) { try await $0.job() })
        #expect(ahead.builder == 0 && ahead.number == 1)
        _ = await pass.done(ahead, stays: true, statesHeld: 3)
        #expect(await pass.statesHeld == 3, "each builder's latest count")
        // Builder 1 leaves: the batches only it had not taken are dropped, so the reader has room again.
        _ = await pass.done(second, stays: false, statesHeld: 5)
        #expect(await pass.leavers == [1])
        #expect(await pass.statesHeld == 3, "a builder that left holds nothing")
        #expect(try await bounded(pass) { try await $0.put(ProjectionBatch(items: [])) })
        await pass.finishReading()
        let third = try #require(try await bounded(pass) { try await $0.job() })
        #expect(third.builder == 0 && third.number == 2)
        _ = await pass.done(third, stays: true, statesHeld: 1)
        let last = try #require(try await bounded(pass) { try await $0.job() })
        #expect(last.builder == 0 && last.number == 3, "the empty batch that ends the pass")
        _ = await pass.done(last, stays: true, statesHeld: 0)
        #expect(try await bounded(pass) { try await $0.job() } == nil)
    }

    @Test("when every builder has left, the reader is told to stop")
    func everyoneLeft() async throws {
        let pass = StreamPass(builders: 1, window: 4)
        #expect(try await bounded(pass) { try await $0.put(ProjectionBatch(items: [])) })
        let job = try #require(try await bounded(pass) { try await $0.job() })
        _ = await pass.done(job, stays: false, statesHeld: 0)
        #expect(try await bounded(pass) { try await $0.put(ProjectionBatch(items: [])) } == false)
        #expect(try await bounded(pass) { try await $0.job() } == nil)
    }

    struct NoAnswer: Error {}

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
