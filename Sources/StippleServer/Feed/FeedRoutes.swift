import EventStore
import Foundation
import HTTPTypes
import Hummingbird

/// The raw event feed: the whole log (or a category) in commit order, and single streams.
struct FeedRoutes {
    let routes: APIRoutes
    let store: EventStore
    let subscriptions: SubscriptionStreamer

    func register() {
        let store = self.store
        let access = APIAccessLog(pool: store.pool)
        routes.add(
            .get, "/v1/events", .readFeed, summary: "Read the log in commit order from a resume token",
            query: ["after", "limit", "category"]
        ) { request, _, caller in
            let after = try Self.checkpoint(request.query("after"), field: "after")
            let limit = try Self.limit(request.query("limit"))
            let category = try Self.category(request.query("category"), caller: caller)
            let page = try await store.readAll(after: after, limit: limit, category: category)
            try await access.record(
                caller, request, action: "events.read", clients: APIAccessLog.clientStreams(page.events))
            return JSONResponse.data(
                EventJSON.document([
                    "events": .events(page.events), "next": .string(page.next.token),
                    "has_more": .bool(page.events.count == limit),
                ]))
        }
        routes.add(
            .get, "/v1/streams/{stream}", .readFeed, summary: "Read one stream in version order",
            query: ["from", "limit"]
        ) { request, context, caller in
            guard let name = context.parameters.get("stream"), let stream = try? EventStreamName(name) else {
                throw Problem.notFound("no such stream")
            }
            guard caller.key?.mayRead(category: stream.category) ?? false else {
                throw Problem(
                    .forbidden, kind: "forbidden", title: "Not allowed for this key",
                    detail: "this key may not read the \(stream.category) category")
            }
            let from =
                try request.query("from").map { text -> Int in
                    guard let value = Int(text), value >= 0 else {
                        throw Problem.badRequest("from must be a non-negative version", field: "from")
                    }
                    return value
                } ?? 0
            let limit = try Self.limit(request.query("limit"))
            let events = try await store.readStream(stream, from: from, limit: limit)
            try await access.record(caller, request, action: "stream.read", clients: APIAccessLog.clientStreams(events))
            return JSONResponse.data(
                EventJSON.document([
                    "stream": .string(stream.rawValue), "events": .events(events),
                    "next_version": .integer((events.last?.version).map { $0 + 1 } ?? from),
                    "has_more": .bool(events.count == limit),
                ]))
        }
        let subscriptions = self.subscriptions
        routes.add(
            .get, "/v1/subscribe", .readFeed,
            summary: "Follow the log live as server-sent events (resume with Last-Event-ID)",
            query: ["after", "category"]
        ) { request, _, caller in
            let resume = request.headers[.lastEventID] ?? request.query("after")
            let after = try Self.checkpoint(resume, field: "Last-Event-ID")
            let category = try Self.category(request.query("category"), caller: caller)
            return try subscriptions.response(
                after: after, category: category, reader: (caller.actor, try APIAccessLog.reason(request)))
        }
    }

    static func checkpoint(_ text: String?, field: String) throws -> Checkpoint {
        guard let text, !text.isEmpty else { return .start }
        do {
            return try Checkpoint(token: text)
        } catch {
            throw Problem.badRequest("\(field) is not a resume token", field: field)
        }
    }

    static func limit(_ text: String?) throws -> Int {
        guard let text else { return 100 }
        guard let value = Int(text), (1...1000).contains(value) else {
            throw Problem.badRequest("limit must be between 1 and 1000", field: "limit")
        }
        return value
    }

    /// The category to read: the one asked for, checked against an integrator's allowed list.
    static func category(_ text: String?, caller: Caller) throws -> String? {
        if let text, !EventStreamName.isValidCategory(text) {
            throw Problem.badRequest("category is not a stream category", field: "category")
        }
        guard let key = caller.key, let allowed = key.categories else { return text }
        if let text {
            guard allowed.contains(text) else {
                throw Problem(
                    .forbidden, kind: "forbidden", title: "Not allowed for this key",
                    detail: "this key may not read the \(text) category")
            }
            return text
        }
        guard allowed.count == 1, let only = allowed.first else {
            throw Problem(
                .forbidden, kind: "forbidden", title: "Not allowed for this key",
                detail: "this key is limited to categories \(allowed.joined(separator: ", ")); name one with ?category="
            )
        }
        return only
    }
}
