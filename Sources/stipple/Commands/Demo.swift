import ArgumentParser
import Clinic
import ClinicService
import EventStore
import Foundation
import Projections

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "A demo clinic: migrate, generate a seeded history, rebuild the projections, print the headline reports.",
        discussion: "Running it again with the same seed adds nothing: the generated events have stable ids.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "How many clients the demo clinic has.") var clients = 60
    @Option(help: "The generator's seed (same seed, same history).") var seed: UInt64 = 2026

    func validate() throws {
        guard (1...200_000).contains(clients) else { throw ValidationError("--clients must be 1...200000") }
    }

    func run() async throws {
        try await reportingErrors {
            let database = try Self.withMasterKey(self.database)
            let pool = try database.pool()
            let store = database.store(pool)
            let applied = try await database.migrator().migrate(pool: pool)
            print(
                "== Schema: \(applied.isEmpty ? "up to date" : "applied \(applied.map(\.name).joined(separator: ", "))")"
            )

            let configuration = HistoryConfiguration(seed: seed, clientCount: clients)
            let progress = SharedProgress("generate")
            let summary = try await HistoryWriter(store: store).write(ClinicHistory(configuration)) { update in
                progress.update(done: update.events, total: 0)
            }
            progress.finish(summary.events)
            print(
                "== History: \(summary.events) events for \(clients) clients (seed \(seed)); "
                    + "\(summary.alreadyStored) were already stored; \(Int(summary.rate)) events/s")

            let photos = try await DemoPhotos(service: PhotoService(store: store), clientLimit: min(clients, 12))
                .upload(ClinicHistory(configuration))
            print(
                "== Photos: \(photos.stored + photos.alreadyStored) synthetic scalp images for \(photos.clients) clients "
                    + "(\(photos.alreadyStored) already stored), stripped and sealed with each client's key")
            if let example = photos.example {
                print(
                    "   fetch one (stipple serve; stipple keys create --role operator --name demo):\n"
                        + "   curl -s http://127.0.0.1:8080/v1/clients/\(example.client.uuidString.lowercased())/photos/"
                        + "\(example.hash) -H \"Authorization: Bearer $KEY\" -o photo.jpg")
            }

            let rebuildProgress = SharedProgress("rebuild")
            let runner = ProjectionRunner(store: store, projections: ClinicProjections.all(for: store)) { update in
                rebuildProgress.update(done: Int(update.position), total: Int(update.head))
            }
            let started = Date()
            if let failure = try await runner.rebuildAll(ClinicProjections.names(for: store)).first { throw failure }
            let head = try await store.headPosition()
            rebuildProgress.finish(Int(head))
            let seconds = Date().timeIntervalSince(started)
            print(
                "== Projections rebuilt over \(head) events in " + String(format: "%.1f s", seconds)
                    + " (\(Int(Double(head) / max(seconds, 0.001))) events/s for all \(ClinicProjections.names(for: store).count))\n"
            )

            if let client = try await TimelineQueries.busiestClient(pool: pool),
                let timeline = try await TimelineQueries.timeline(client: client, store: store)
            {
                print("== A client's timeline\n")
                print(Timeline.render(timeline, format: .table))
            }
            let end = configuration.end
            let yearAgo = end.addingTimeInterval(-365 * 86_400)
            let report = try await RevenueQueries.report(
                from: DateArgument.isoDay(yearAgo), to: DateArgument.isoDay(end), by: .month, pool: pool)
            print("== Revenue, the last twelve months of the history\n")
            print(RevenueReportCommand.render(report, format: .table))
            let byLocation = try await RevenueQueries.report(
                from: DateArgument.isoDay(configuration.start), to: DateArgument.isoDay(end), by: .location, pool: pool)
            print("== Revenue by location, whole history\n")
            print(RevenueReportCommand.render(byLocation, format: .table))

            let recalls = RecallQueries(pool: pool)
            for batch in try await recalls.recalledBatches().prefix(1) {
                if let report = try await recalls.recall(batch: batch) {
                    print("== Recall: who was treated with pigment batch \(batch)?\n")
                    print(Recall.render(report, format: .table))
                }
            }
            let due = try await ForecastQueries(pool: pool).due(asOf: end, withinDays: 90)
            print("== Touch-ups due within 90 days of \(DateArgument.isoDay(end)) (the recall list)\n")
            print(Forecast.render(Array(due.prefix(15)), format: .table))
            if due.count > 15 { print("… and \(due.count - 15) more (stipple forecast --due-within 90d)\n") }
            await pool.close()
        }
    }

    /// The demo's default master key file, relative to the working directory (gitignored).
    static let defaultKeyFile = ".stipple/master.key"

    /// Makes sure a master key is configured, creating a key file when none exists, and says where it is.
    static func withMasterKey(_ options: DatabaseOptions) throws -> DatabaseOptions {
        let environment = ProcessInfo.processInfo.environment
        var options = options
        let path: String
        if let file = options.masterKeyFile ?? environment[MasterKey.fileVariable], !file.isEmpty {
            path = file
        } else if let value = environment[MasterKey.valueVariable], !value.isEmpty {
            print("== Master key: from $\(MasterKey.valueVariable)")
            return options
        } else {
            path = defaultKeyFile
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if FileManager.default.fileExists(atPath: path) {
            print("== Master key: \(absolute)")
        } else {
            _ = try MasterKey.writeNewFile(at: path)
            print(
                "== Master key: created \(absolute) (32 random bytes, base64, mode 600); keep a copy somewhere safe: "
                    + "without it the clients' personal data cannot be read")
        }
        print("   (for other commands: export \(MasterKey.fileVariable)=\(absolute))")
        options.masterKeyFile = path
        return options
    }
}
