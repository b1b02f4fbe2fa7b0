import ArgumentParser
import Clinic
import EventStore
import Foundation
import Projections
import ClinicService

/// `stipple forget CLIENT --reason TEXT`: erase a client's personal data without rewriting history.
struct Forget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forget a client: append client.forgotten and destroy the client's key.",
        discussion: """
            The client's personal data (name, contact, date of birth, medical notes) is stored encrypted \
            with a key of their own; forgetting destroys that key in the same transaction as the event, so \
            the data becomes unreadable everywhere (projections, exports, the API) while the events and the \
            hash chain stay unchanged. Treatment facts (dates, pigment batches, amounts) remain. Booked \
            appointments are cancelled and their technician slots released, and the projections are \
            brought up to date so they no longer hold the client's name or birth date. It cannot be undone.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The client's id (a UUID).")
    var client: String

    @Option(help: "Why, e.g. \"GDPR art. 17 request of 2026-11-02\" (kept in the event).")
    var reason: String

    @Option(help: "Who asks for it (default: the operating-system user).")
    var actor: String?

    func validate() throws {
        guard UUID(uuidString: client) != nil else { throw ValidationError("CLIENT must be a client id (a UUID)") }
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("--reason must not be blank")
        }
    }

    func run() async throws {
        try await reportingErrors {
            guard let id = UUID(uuidString: client) else { throw ValidationError("CLIENT must be a UUID") }
            let pool = try database.pool(maximumConnections: 2)
            do {
                let store = database.store(pool)
                let subject = Clinic.StreamName.client(id).rawValue
                guard try await store.streamVersion(try Clinic.StreamName.client(id).eventStreamName) != nil else {
                    throw UserError("no client \(id.uuidString.lowercased()) in this log")
                }
                let metadata = EventMetadata(actor: actor ?? AccessOptions.actor, reason: reason)
                let outcome: CommandHandler.Outcome
                do {
                    outcome = try await CommandHandler(store: store).handle(
                        .forget(ClientForgotten(at: Date(), reason: reason)), client: id, metadata: metadata)
                } catch CommandHandler.Failure.rejected(let rejection) {
                    throw UserError("not forgotten: \(rejection.message)")
                }
                let forgotten = outcome.events.first { $0.type == ClientForgotten.typeName }
                let key = try await database.vault(pool).keyStatus(subject: subject)
                // The read models keep live clients' names and birth dates; bring them past the forgotten
                // event now, so they do not hold this client's until the next `stipple project`.
                try await ProjectionRunner(store: store, projections: ClinicProjections.all(for: store)).catchUp()
                await pool.close()
                print("forgot client \(id.uuidString.lowercased()) at position \(forgotten?.position ?? 0)")
                if let destroyed = key?.destroyedAt {
                    print("key destroyed at \(DateArgument.iso(destroyed)): personal data is unreadable")
                }
                let releases = outcome.events.count - 1
                if releases > 0 { print("released \(releases) booked technician slot(s)") }
            } catch {
                await pool.close()
                throw error
            }
        }
    }
}
