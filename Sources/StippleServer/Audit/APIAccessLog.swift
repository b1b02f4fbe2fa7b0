import ClinicService
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import Postgres

/// Records reads of clients' personal data made through the API in the access log
/// (`Schema/0004_access_log.sql`, channel `api`): who (the API key's name), when (the
/// database's clock), what (an action such as `timeline.read` and the client's stream name),
/// and why (the optional `Stipple-Access-Reason` header).
///
/// A route records after it has gathered the data and before it answers; when the record
/// cannot be written the request fails, so nothing is read without a trace.
struct APIAccessLog: Sendable {
    let pool: ConnectionPool

    /// The header a caller gives its reason in.
    static let reasonHeader = HTTPField.Name("Stipple-Access-Reason") ?? .contentType

    /// The request's reason, checked: at most 1,000 characters, no control characters (400 otherwise).
    static func reason(_ request: Request) throws -> String? {
        guard let text = request.headers[reasonHeader]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return nil
        }
        guard text.count <= 1000, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw Problem.badRequest(
                "Stipple-Access-Reason must be at most 1,000 characters without control characters",
                field: "Stipple-Access-Reason")
        }
        return text
    }

    /// One entry per distinct client in `clients` (ids or `client-<id>` stream names), in one statement;
    /// values that cannot be a client's stream name are skipped.
    func record(
        actor: String, action: String, clients: some Sequence<String>, reason: String?, channel: AccessChannel = .api
    ) async throws {
        var seen = Set<String>()
        var subjects: [String] = []
        for client in clients {
            let subject = ClinicPrivacy.accessSubject(client: client.lowercased())
            guard (8...200).contains(subject.count), !subject.contains(","),
                !subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
                seen.insert(subject).inserted
            else { continue }
            subjects.append(subject)
        }
        try await AccessLog(pool: pool).record(
            actor: String(actor.prefix(200)), action: action, subjects: subjects, reason: reason, channel: channel)
    }

    /// Records a read by `caller` through `request` (whose reason header it takes).
    func record(_ caller: Caller, _ request: Request, action: String, clients: some Sequence<String>) async throws {
        try await record(actor: caller.actor, action: action, clients: clients, reason: try Self.reason(request))
    }

    /// Every `clientID` value anywhere in a JSON value (the clients a query answer names).
    static func clientIDs(in value: Any) -> [String] {
        var found: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                for (key, inner) in object {
                    if key.lowercased() == "clientid", let id = inner as? String {
                        found.append(id)
                    } else {
                        walk(inner)
                    }
                }
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(value)
        return found
    }

    /// The client streams among `events`.
    static func clientStreams(_ events: [RecordedEvent]) -> [String] {
        events.filter { $0.stream.category == "client" }.map(\.stream.rawValue)
    }
}
