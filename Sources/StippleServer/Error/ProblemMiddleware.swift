import ClinicService
import EventStore
import Foundation
import Hummingbird
import Logging
import Postgres

/// Turns every error into a problem-details response: 4xx with a reason, 503 when the
/// database is unreachable, and a bare 500 (logged, never described) for anything else.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: Metrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let record = RequestRecord(id: RequestRecord.id(from: RequestRecord.idHeader.flatMap { request.headers[$0] }))
        var response: Response
        do {
            response = try await RequestRecord.$current.withValue(record) { try await next(request, context) }
        } catch {
            response = Self.problem(for: error, logger: context.logger).response()
        }
        let duration = ContinuousClock.now - started
        let route = context.endpointPath ?? "unmatched"
        let status = Int(response.status.code)
        metrics.recordRequest(method: request.method.rawValue, route: route, status: status, duration: duration)
        if let header = RequestRecord.idHeader { response.headers[header] = record.id }
        // One structured line per request: the route template, never the path's ids or the query's values.
        context.logger.info(
            "request",
            metadata: [
                "request_id": .string(record.id), "method": .string(request.method.rawValue), "route": .string(route),
                "status": .stringConvertible(status),
                "duration_ms": .string(String(format: "%.2f", duration.inSeconds * 1000)),
                "key": .string(record.keyName ?? "-"),
            ])
        return response
    }

    static func problem(for error: any Error, logger: Logger) -> Problem {
        // The store's one connection-problem test, whichever layer wrapped the PostgreSQL error.
        if EventStoreError.isConnectionProblem(error) {
            return .unavailable("the database is unreachable; retry shortly")
        }
        switch error {
        case let problem as Problem:
            return problem
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound("no such route")
            case .contentTooLarge:
                return Problem(
                    .contentTooLarge, kind: "too-large", title: "The request body is too large",
                    detail: "the body is over the limit")
            case .methodNotAllowed:
                return Problem(
                    .methodNotAllowed, kind: "method-not-allowed", title: "Method not allowed",
                    detail: "this route does not accept that method")
            default:
                return Problem(
                    error.status, kind: "http-\(error.status.code)", title: error.status.reasonPhrase,
                    detail: error.body ?? error.status.reasonPhrase)
            }
        case let error as EventStoreError:
            switch error {
            case .wrongExpectedVersion, .idempotencyConflict:
                return .conflict(error.description)
            case .database, .protocolViolation:
                logger.error("event store failure", metadata: ["error": "\(error)"])
                return internalError
            default:
                return .badRequest(error.description)
            }
        default:
            logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            return internalError
        }
    }

    static var internalError: Problem { .internal }
}

extension Problem {
    static let `internal` = Problem(
        .internalServerError, kind: "internal", title: "Internal error",
        detail: "the server failed; the failure was logged")
}
