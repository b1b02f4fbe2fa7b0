import ClinicService
import EventStore
import Foundation
import Hummingbird

/// `/v1/webhooks`: integrators register, list and delete their webhooks (admins see and
/// delete all). The signing secret is in the answer to the create, and never again.
struct WebhookRoutes {
    let routes: APIRoutes
    let webhooks: WebhookStore
    let bodyLimit: Int
    /// Where deliveries may go: checked on the resolved address here, and again at each delivery.
    var destinations = WebhookDestinations()
    /// The deliveries' clock: a rotation's overlap ends on it.
    var now: @Sendable () -> Date = { Date() }

    /// The longest a rotated-out secret may keep signing: 7 days.
    static let maximumOverlapSeconds = 7 * 24 * 3600
    /// How long it does when the rotation does not say: 24 hours.
    static let defaultOverlapSeconds = 24 * 3600

    struct CreateBody: Decodable {
        var url: String
        var categories: [String]?
        /// A resume token: deliver the events after it (default: only events appended from now on).
        var after: String?
    }

    func register() {
        let webhooks = self.webhooks
        let limit = bodyLimit
        let destinations = self.destinations
        routes.add(
            .post, "/v1/webhooks", .manageWebhooks, summary: "Register a webhook (its signing secret is returned once)",
            body: "WebhookCreate", success: 201
        ) { request, _, caller in
            var request = request
            let object = try await RequestDecoding.jsonBody(&request, limit: limit)
            let body = try CommandBody.decode(CreateBody.self, from: object)
            guard let key = caller.key else { throw Problem.unauthorized }
            let categories = try Self.categories(body.categories, key: key)
            let after = try body.after.map { text -> Int64 in
                guard let checkpoint = try? Checkpoint(token: text) else {
                    throw Problem.badRequest("after is not a resume token", field: "after")
                }
                return checkpoint.position
            }
            do {
                let url = try WebhookStore.validateURL(body.url)
                do {
                    _ = try await destinations.checkedAddress(for: url)
                } catch let refusal as WebhookDestinations.Refusal {
                    throw Problem.badRequest(refusal.description, field: "url")
                }
                let (webhook, secret) = try await webhooks.create(
                    url: body.url, categories: categories, apiKeyID: key.id, after: after)
                var object = Self.object(webhook)
                object["secret"] = secret
                return try JSONResponse.object(object, status: .created)
            } catch let failure as WebhookStore.Failure {
                switch failure {
                case .invalidURL: throw Problem.badRequest(failure.description, field: "url")
                case .invalidCategory: throw Problem.badRequest(failure.description, field: "categories")
                }
            }
        }
        routes.add(
            .get, "/v1/webhooks", .manageWebhooks,
            summary: "List webhooks with their delivery status (an integrator sees its own)"
        ) { _, _, caller in
            let list = try await webhooks.list(apiKeyID: Self.owner(caller))
            return try JSONResponse.object(["webhooks": list.map(Self.object)])
        }
        routes.add(.delete, "/v1/webhooks/{id}", .manageWebhooks, summary: "Delete a webhook", success: 204) {
            _, context, caller in
            guard try await webhooks.delete(id: try Self.id(context), apiKeyID: Self.owner(caller)) else {
                throw Self.unknown
            }
            return Response(status: .noContent)
        }
        routes.add(
            .get, "/v1/webhooks/{id}", .manageWebhooks,
            summary: "A webhook with its delivery status, and why it is disabled if it is"
        ) { _, context, caller in
            guard let webhook = try await webhooks.webhook(id: try Self.id(context)),
                Self.owner(caller).map({ $0 == webhook.apiKeyID }) ?? true
            else { throw Self.unknown }
            return try JSONResponse.object(Self.object(webhook))
        }
        routes.add(
            .post, "/v1/webhooks/{id}/enable", .manageWebhooks,
            summary: "Re-enable a disabled webhook: deliveries resume from its checkpoint, nothing skipped"
        ) { _, context, caller in
            guard let webhook = try await webhooks.enable(id: try Self.id(context), apiKeyID: Self.owner(caller)) else {
                throw Self.unknown
            }
            return try JSONResponse.object(Self.object(webhook))
        }
        let now = self.now
        routes.add(
            .post, "/v1/webhooks/{id}/rotate-secret", .manageWebhooks,
            summary: "Give a webhook a new signing secret (returned once); the old one signs too during the overlap",
            body: "WebhookRotateSecret"
        ) { request, context, caller in
            let id = try Self.id(context)
            var request = request
            let object = try await RequestDecoding.jsonBody(&request, limit: limit)
            guard case .object = object else {
                throw Problem.badRequest("the body must be a JSON object", field: "(body)")
            }
            let seconds: Int
            switch object["overlap_seconds"] {
            case .none, .null: seconds = Self.defaultOverlapSeconds
            case .number(let text): seconds = Int(text) ?? -1
            default: seconds = -1
            }
            guard (0...Self.maximumOverlapSeconds).contains(seconds) else {
                throw Problem.badRequest(
                    "overlap_seconds must be an integer from 0 to \(Self.maximumOverlapSeconds) (7 days): how long "
                        + "the current secret keeps signing beside the new one (default \(Self.defaultOverlapSeconds))",
                    field: "overlap_seconds")
            }
            guard
                let (webhook, secret) = try await webhooks.rotateSecret(
                    id: id, apiKeyID: Self.owner(caller), overlap: .seconds(seconds), now: now())
            else { throw Self.unknown }
            var answer = Self.object(webhook)
            answer["secret"] = secret
            return try JSONResponse.object(answer)
        }
    }

    static let unknown = Problem.notFound("no webhook with that id")

    /// The webhook id in the path; 404 when it is not a UUID (no webhook has such an id).
    static func id(_ context: BasicRequestContext) throws -> UUID {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw Problem.notFound("no webhook with that id (webhook ids are UUIDs)")
        }
        return id
    }

    /// Whose webhooks the caller may see and change: an integrator its own, an admin all (nil).
    static func owner(_ caller: Caller) -> UUID? {
        caller.key?.role == .admin ? nil : caller.key?.id
    }

    /// The categories a webhook gets: those asked for, within what the key may read.
    static func categories(_ asked: [String]?, key: APIKey) throws -> [String]? {
        if let asked {
            guard !asked.isEmpty, asked.count <= 50 else {
                throw Problem.badRequest("categories must list 1–50 categories (or be left out)", field: "categories")
            }
            if let bad = asked.first(where: { !EventStreamName.isValidCategory($0) }) {
                throw Problem.badRequest("'\(bad.prefix(40))' is not a stream category", field: "categories")
            }
            if let bad = asked.first(where: { !key.mayRead(category: $0) }) {
                throw Problem(
                    .forbidden, kind: "forbidden", title: "Not allowed for this key",
                    detail: "this key may not read the \(bad.prefix(40)) category")
            }
            return Array(Set(asked)).sorted()
        }
        return key.role == .admin ? nil : key.categories
    }

    static func object(_ webhook: Webhook) -> [String: Any] {
        let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let status = webhook.status
        return [
            "id": webhook.id.uuidString.lowercased(),
            "url": webhook.url.absoluteString,
            "categories": webhook.categories.map { $0 as Any } ?? NSNull(),
            "api_key_id": webhook.apiKeyID.uuidString.lowercased(),
            "created_at": time.format(webhook.createdAt),
            "delivery": [
                "checkpoint": String(status.checkpoint),
                "delivered": status.delivered,
                "attempts": status.attempts,
                "last_error": status.lastError.map { $0 as Any } ?? NSNull(),
                "last_attempt_at": status.lastAttemptAt.map { time.format($0) as Any } ?? NSNull(),
                "last_success_at": status.lastSuccessAt.map { time.format($0) as Any } ?? NSNull(),
                "failing_since": status.failingSince.map { time.format($0) as Any } ?? NSNull(),
            ] as [String: Any],
            "disabled": status.disabled.map { ["at": time.format($0.at), "reason": $0.reason] as Any } ?? NSNull(),
            "previous_secret_expires_at": status.previousSecretExpiresAt.map { time.format($0) as Any } ?? NSNull(),
        ]
    }
}
