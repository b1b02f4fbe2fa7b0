import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

extension ConsoleRoutes {
    /// The stream categories whose events can change the schedule.
    static let liveCategories: Set<String> = ["client", "technician", "location"]

    /// `GET /console/live`: server-sent events telling the Today page that the schedule may have changed.
    ///
    /// It follows the server's shared log follower (no reader of its own) and sends, per event of a
    /// client, technician or location, only its resume token (`id:`) and type, never its data: the page
    /// then fetches the schedule fragment, which reads the projection and writes the access log. An
    /// `EventSource` that reconnects sends `Last-Event-ID` and resumes after it.
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
            let body = ResponseBody { writer in
                let (frames, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            for try await event in follower.subscribe(after: after, category: nil, batchSize: 100)
                            where Self.liveCategories.contains(event.stream.category) {
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
