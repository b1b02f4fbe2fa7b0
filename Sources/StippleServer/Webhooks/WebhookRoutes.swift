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
            let owner = caller.key?.role == .admin ? nil : caller.key?.id
            let list = try await webhooks.list(apiKeyID: owner)
            return try JSONResponse.object(["webhooks": list.map(Self.object)])
        }
        routes.add(.delete, "/v1/webhooks/{id}", .manageWebhooks, summary: "Delete a webhook", success: 204) {
            _, context, caller in
            let owner = caller.key?.role == .admin ? nil : caller.key?.id
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text),
                try await webhooks.delete(id: id, apiKeyID: owner)
            else { throw Problem.notFound("no webhook with that id") }
            return Response(status: .noContent)
        }
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
            ] as [String: Any],
        ]
    }
}
