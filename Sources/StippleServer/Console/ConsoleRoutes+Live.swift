import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

extension ConsoleRoutes {
    /// The stream categories whose events can change the schedule.
    static let liveCategories: Set<String> = ["client", "technician", "location"]
    /// How long the live stream holds an event back for the schedule projection to apply it (announced then
    /// anyway: the page looks again on the next change).
    static let scheduleWait: Duration = .seconds(10)

    /// `GET /console/live`: server-sent events telling the Today page that the schedule may have changed.
    ///
    /// It follows the server's shared log follower (no reader of its own) and sends, per event of a
    /// client, technician or location, only its resume token (`id:`) and type, never its data: the page
    /// then fetches the schedule fragment, which reads the projection and writes the access log. The
    /// projection follows the log a moment behind it, so an event is announced when the schedule projection
    /// has applied it (bounded by `scheduleWait`): the fetch it starts then shows it. An `EventSource` that
    /// reconnects sends `Last-Event-ID` and resumes after it.
    func registerLive(_ router: ConsoleRouter) {
        let routes = self
        router.get("/console/live") { request, _ -> Response in
            guard try await routes.session(request) != nil else { return Response(status: .unauthorized) }
            let resume = request.headers[.lastEventID] ?? request.query("after")
            let after: Checkpoint
            if let resume {
                guard let parsed = try? Checkpoint(token: resume) else { return Response(status: .badRequest) }
                after = parsed
            } else {
                after = Checkpoint(position: try await routes.store.headPosition())
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream"
            headers[.cacheControl] = "no-cache"
            headers[.accelBuffering] = "no"
            let follower = routes.follower
            let projections = routes.projections
            let body = ResponseBody { writer in
                let (frames, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            // The last event announced: each later one is announced once the schedule projection
                            // has applied it (or after `scheduleWait`), so the page's fetch shows it. (`wait`
                            // reads the checkpoint itself; one read per announced event, none when it is there.)
                            var applied = after.position
                            for try await event in follower.subscribe(after: after, category: nil, batchSize: 100)
                            where Self.liveCategories.contains(event.stream.category) {
                                if event.position > applied {
                                    await projections.wait(
                                        until: event.position, for: ["schedule"], timeout: Self.scheduleWait)
                                    applied = event.position
                                }
                                continuation.yield(
                                    "id: \(event.checkpoint.token)\nevent: change\ndata: {\"type\":\"\(event.type)\"}\n\n"
                                )
                            }
                        } catch {}
                        continuation.finish()
                    }
                    group.addTask {
                        while !Task.isCancelled {
                            try await Task.sleep(for: .seconds(15))
                            continuation.yield(": heartbeat\n\n")
                        }
                    }
                    try await writer.write(ByteBuffer(string: "retry: 2000\n: live after \(after.token)\n\n"))
                    try await withGracefulShutdownHandler {
                        for await frame in frames { try await writer.write(ByteBuffer(string: frame)) }
                    } onGracefulShutdown: {
                        continuation.finish()
                    }
                    group.cancelAll()
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: headers, body: body)
        }
    }
}
