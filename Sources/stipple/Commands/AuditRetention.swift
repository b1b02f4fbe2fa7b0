import ArgumentParser
import Clinic
import ClinicService
import EventStore
import Foundation

extension Audit {
    /// `stipple audit retention`: the clients whose records are past the clinic's retention period.
    struct Retention: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the clients past the retention period (deletes nothing).",
            discussion: """
                The period runs from a client's last treatment (a performed session or touch-up), or from \
                their last recorded activity when they were never treated. It is the clinic's setting: \
                `--set-years N` records it in the log as a settings.changed event (retentionYears, see \
                `stipple settings`); logs from before kept it as audit.retention-set on stream \
                \(Retention.settingStream), still read; until then it is \(RetentionReview.defaultYears) years. \
                `--years N` overrides it for one listing. Nothing is deleted: forget a client with \
                `stipple forget CLIENT --reason TEXT` once the clinic has decided.
                """)

        /// The stream older logs recorded the clinic's retention setting on (read when the settings stream has none).
        static let settingStream = "audit-retention"
        /// The event type of that older setting.
        static let settingType = "audit.retention-set"

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The period in years for this listing (default: the clinic's setting, else 10).")
        var years: Int?

        @Option(name: .customLong("as-of"), help: "The day to measure at (YYYY-MM-DD; default: today).")
        var asOf: String?

        @Option(name: .customLong("set-years"), help: "Record N years as the clinic's retention period first.")
        var setYears: Int?

        @Option(help: "Why the period is set (kept with --set-years).")
        var reason: String?

        @Flag(help: "List every client, marking those past the period.")
        var all = false

        @Option(help: "table (for people), csv or json.")
        var format: OutputFormat = .table

        func validate() throws {
            if let years, !(1...100).contains(years) { throw ValidationError("--years must be 1–100") }
            if let setYears, !(1...100).contains(setYears) { throw ValidationError("--set-years must be 1–100") }
            if let asOf { _ = try DateArgument.day(asOf) }
        }

        func run() async throws {
            try await reportingErrors {
                let pool = try database.pool(maximumConnections: 2)
                do {
                    let store = database.store(pool)
                    if let setYears {
                        try await Self.record(years: setYears, reason: reason, store: store)
                    }
                    let setting = try await Self.setting(store: store)
                    let period = years ?? setting?.years ?? RetentionReview.defaultYears
                    let source =
                        years != nil
                        ? "given with --years"
                        : setting.map { "the clinic's setting since \(DateArgument.isoDay($0.at))" } ?? "the default"
                    let day = try asOf.map { try DateArgument.parse($0, endOfDay: true) } ?? Date()
                    let review = try await Self.review(store: store)
                    await pool.close()
                    let past = Set(review.past(years: period, asOf: day).map(\.clientID))
                    let listed = all ? review.all : review.all.filter { past.contains($0.clientID) }
                    if format == .table {
                        print(
                            "retention: \(period) years after the last treatment (\(source)); as of "
                                + "\(DateArgument.isoDay(day)): \(past.count) of \(review.all.count) clients past it")
                        if listed.isEmpty { return }
                    }
                    print(Self.render(listed, past: past, years: period, asOf: day, format: format), terminator: "")
                } catch {
                    await pool.close()
                    throw error
                }
            }
        }

        static func render(
            _ entries: [RetentionReview.Entry], past: Set<ClientID>, years: Int, asOf: Date, format: OutputFormat
        ) -> String {
            let headers = ["client", "last_treatment", "years_since", "retained_until", "past", "erased"]
            let rows = entries.map { entry -> [String] in
                [
                    entry.clientID.uuidString.lowercased(),
                    entry.lastTreatment.map(DateArgument.isoDay)
                        ?? "none (last activity \(DateArgument.isoDay(entry.lastActivity)))",
                    String(format: "%.1f", entry.yearsSince(basis: asOf)),
                    DateArgument.isoDay(entry.retainedUntil(years: years)),
                    past.contains(entry.clientID) ? "yes" : "no",
                    entry.erased ? "yes" : "no",
                ]
            }
            return TableOutput.render(headers: headers, rows: rows, format: format)
        }

        /// Folds every client event into a review.
        static func review(store: EventStore) async throws -> RetentionReview {
            var review = RetentionReview()
            var checkpoint = Checkpoint.start
            let head = try await store.headPosition()
            while checkpoint.position < head {
                let page = try await store.readAll(after: checkpoint, limit: 2000, category: "client", upTo: head)
                for event in page.events {
                    guard let id = event.stream.id.flatMap(UUID.init(uuidString:)) else { continue }
                    let decoded: ClinicEvent
                    do {
                        decoded = try ClinicEvent(event)
                    } catch {
                        throw UserError(
                            "position \(event.position) (\(event.stream)): cannot read \(event.type): \(error)")
                    }
                    if case .client(let clientEvent) = decoded { review.apply(clientEvent, client: id) }
                }
                guard !page.events.isEmpty else { break }
                checkpoint = page.next
            }
            return review
        }

        /// The setting's body.
        struct Setting: Codable {
            var years: Int
        }

        /// The clinic's recorded period and when it was set, or nil when never set: the latest clinic-wide
        /// `retentionYears` on the settings stream, else the older `audit.retention-set`.
        static func setting(store: EventStore) async throws -> (years: Int, at: Date)? {
            let settings = try await CommandHandler(store: store).currentSettings()
            if let change = settings.changes.last(where: { $0.locationID == nil && $0.settings.retentionYears != nil }),
                let years = change.settings.retentionYears
            {
                return (years, change.at)
            }
            let stream = try EventStreamName(settingStream)
            guard let last = try await store.readStream(stream, direction: .backward, limit: 1).first else {
                return nil
            }
            let setting = try JSONDecoder().decode(Setting.self, from: last.data)
            return (setting.years, last.recordedAt)
        }

        static func record(years: Int, reason: String?, store: EventStore) async throws {
            let why = reason ?? "Retention period set with stipple audit retention"
            let change = ClinicSettingsChanged(
                at: Date(), settings: SettingValues(retentionYears: years), changedBy: AccessOptions.actor, reason: why)
            do {
                _ = try await CommandHandler(store: store).handle(
                    .change(change), metadata: EventMetadata(actor: AccessOptions.actor, reason: why))
            } catch CommandHandler.Failure.rejected(let rejection) {
                throw UserError("retention not set: \(rejection.message)")
            }
        }
    }
}
