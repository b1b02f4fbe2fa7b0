import EventStore
import Foundation
import Hummingbird
import Projections

/// `/health`, `/metrics` and `/openapi.json`: public, no key needed.
struct SystemRoutes {
    let routes: APIRoutes
    let store: EventStore
    /// The server's one runner, read for where the projections stand.
    let projections: ProjectionRunner
    let metrics: Metrics

    /// Each projection's distance behind the head; nil when the database is unreachable.
    static func status(_ store: EventStore, _ projections: ProjectionRunner) async
        -> (head: Int64, lag: [String: Int64], failed: [String])?
    {
        do {
            let head = try await store.headPosition()
            let states = try await projections.states()
            var lag: [String: Int64] = [:]
            for state in states { lag[state.name] = max(0, head - state.position) }
            return (head, lag, states.filter(\.isFailed).map(\.name))
        } catch {
            return nil
        }
    }

    func register() {
        let store = self.store
        let projections = self.projections
        let metrics = self.metrics
        routes.add(.get, "/health", .public, summary: "Database reachability and projection lag") { _, _, _ in
            guard let status = await Self.status(store, projections) else {
                var response = try JSONResponse.object(
                    ["status": "unavailable", "database": "unreachable"], status: .serviceUnavailable)
                response.headers[.retryAfter] = "2"
                return response
            }
            return try JSONResponse.object([
                "status": status.failed.isEmpty ? "ok" : "degraded", "database": "ok", "head": status.head,
                "projections": status.lag.mapValues { ["lag": $0] }, "failedProjections": status.failed,
                "subscribers": metrics.subscribers,
            ])
        }
        routes.add(.get, "/metrics", .public, summary: "Prometheus metrics") { _, _, _ in
            let status = await Self.status(store, projections)
            let pool = (open: await store.pool.openConnections, maximum: store.pool.maximumConnections)
            return JSONResponse.data(
                Data(metrics.render(head: status?.head, lag: status?.lag ?? [:], pool: pool).utf8),
                contentType: "text/plain; version=0.0.4")
        }
        let routes = self.routes
        routes.add(.get, "/openapi.json", .public, summary: "This API as an OpenAPI 3.1 document") { _, _, _ in
            JSONResponse.data(try OpenAPIDocument.data(routes.endpoints))
        }
    }
}
