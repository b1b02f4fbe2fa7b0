import ArgumentParser
import ClinicService
import EventStore
import Foundation

/// `stipple export`: the log (or a stream, or a category) as JSON Lines, re-importable with `stipple import`.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write events as JSON Lines, one event a line, in log order.",
        discussion: """
            Each line holds position, stream, version, id, type, schema_version, data (object), \
            metadata (object) and recorded_at (UTC, microseconds): everything `stipple import` needs. \
            The export stops at the head of the log when it starts, and pages through it with bounded \
            memory. With --output the file appears only when complete. Client personal data is written \
            decrypted (it needs the master key), and as {"erased": true} for forgotten clients; import seals \
            it again under the target database's keys.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var access: AccessOptions

    @Option(help: "Only this stream.")
    var stream: String?

    @Option(help: "Only streams of this category (the text before the first '-').")
    var category: String?

    @Option(help: "Only events after this position token (as printed by export, tail or status).")
    var from: String?

    @Option(help: "Write to this file instead of stdout.")
    var output: String?

    @Option(name: .customLong("page-size"), help: "Events read per query (1–10000).")
    var pageSize: Int = 2000

    @Option(
        help: """
            Also write the clients' stored photos, decrypted, to DIR/client-<id>/<hash>.<ext> (a legal request \
            about one client: with --stream client-<id>). Every photo written is recorded in the access log.
            """)
    var photos: String?

    func validate() throws {
        guard stream == nil || category == nil else { throw ValidationError("give --stream or --category, not both") }
        if let stream { _ = try EventStreamName(stream) }
        if let category, !EventStreamName.isValidCategory(category) {
            throw ValidationError("--category must be letters, digits and _ (no '-')")
        }
        if let from { _ = try Checkpoint(token: from) }
        guard (1...10_000).contains(pageSize) else { throw ValidationError("--page-size must be 1–10000") }
    }

    func run() async throws {
        try await reportingErrors {
            let pool = try database.pool(maximumConnections: 1)
            let store = database.store(pool)
            // Client streams hold personal data: the export is logged before anything is written.
            let subject = stream ?? category.map { "category:\($0)" } ?? "all events"
            if stream.map({ $0.hasPrefix("client-") }) ?? (category == nil || category == "client") {
                try await access.record("export", subject: subject, pool: pool)
            }
            let sink = try OutputSink(path: output)
            do {
                let count = try await export(store: store, to: sink)
                try sink.commit()
                if let photos {
                    let written = try await PhotoExport(store: store, access: access, pool: pool).write(
                        to: photos, stream: stream, category: category)
                    FileHandle.standardError.write(Data("exported \(written) photos to \(photos)\n".utf8))
                }
                await pool.close()
                if let output { FileHandle.standardError.write(Data("exported \(count) events to \(output)\n".utf8)) }
            } catch {
                sink.abandon()
                await pool.close()
                throw error
            }
        }
    }

    private func export(store: EventStore, to sink: OutputSink) async throws -> Int {
        let start = try from.map { try Checkpoint(token: $0) } ?? .start
        let head = try await store.headPosition()
        var count = 0
        var buffer = Data()
        func emit(_ events: [RecordedEvent]) throws {
            buffer.removeAll(keepingCapacity: true)
            for event in events where event.position > start.position && event.position <= head {
                buffer.append(EventLine(event).encoded())
                buffer.append(0x0A)
                count += 1
            }
            try sink.write(buffer)
        }
        if let stream {
            let name = try EventStreamName(stream)
            var version = 0
            while true {
                let page = try await store.readStream(name, from: version, limit: pageSize)
                try emit(page)
                guard page.count == pageSize, let last = page.last, last.position <= head else { break }
                version = last.version + 1
            }
        } else {
            // The next page is read while this one is written out.
            for try await page in try store.pages(after: start, limit: pageSize, category: category, upTo: head) {
                try emit(page.events)
            }
        }
        return count
    }
}
