import ArgumentParser
import ClinicService
import EventStore
import Foundation

/// `stipple import`: appends the events of a JSON Lines export, keeping their ids, streams, versions and order.
///
/// Semantics, and why:
/// - **Exact expected versions from the file.** The first event of each run of a stream appends with
///   `.noStream` (version 0) or `.exact(version - 1)`, later ones follow in the same append. Importing a
///   complete export into an empty database therefore reproduces every stream with the same versions, and
///   (appends keep file order) the same global order and positions. A file that does not continue the
///   stream as stored (an export taken with `--from` into a database that lacks the start, or another
///   history) fails with the stream, the expected and the actual version, instead of silently renumbering
///   events as `.any` would.
/// - **Re-importing is a no-op.** The store checks event ids before versions: the same ids with the same
///   stream, type, schema version and data return the original result and write nothing.
/// - **Validate first, then append.** The whole file is read and checked before anything is written
///   (JSON, fields, stream names, types, versions continuing per stream, ids unique): a bad line N fails
///   with "line N: …" and the store untouched. Appends then go in atomic multi-stream chunks, so a failure
///   from the store (a version conflict) leaves whole chunks only, every stream a valid prefix of the file,
///   and running the same import again resumes where it stopped. A chunk that overlaps events already
///   stored (a later, longer export of the same log) is checked event by event and only the missing ones
///   are appended.
/// Standard input (`-`) is spooled to a temporary file first, so it too is validated before any write.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Append the events of a JSON Lines file (from `stipple export`) with their original ids.",
        discussion: """
            Required per line: stream, version, id, type, schema_version, data (object); optional: \
            metadata (object), position, recorded_at (the database records its own time). The whole file \
            is checked before anything is written; importing the same file again changes nothing.
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "The JSON Lines file, or - for standard input.")
    var file: String

    // 500: the store's cost per stream run in one append grows with the runs already in it, and an export
    // interleaves streams, so mid-sized chunks import fastest (measured: 2000 → 64 s, 500 → 37 s for 10,819).
    @Option(name: .customLong("chunk-size"), help: "Events per append (1–10000).")
    var chunkSize: Int = 500

    @Option(help: "Restore photos written by `stipple export --photos DIR` (after the events).")
    var photos: String?

    func validate() throws {
        guard (1...10_000).contains(chunkSize) else { throw ValidationError("--chunk-size must be 1–10000") }
    }

    func run() async throws {
        try await reportingErrors {
            let source = try ImportSource(path: file)
            defer { source.remove() }
            let limits = EventStore.Limits()
            let check = try Self.check(source, maximumDataBytes: limits.maximumDataBytes)
            let pool = try database.pool(maximumConnections: 2)
            let store = database.store(pool, limits: limits)
            let reporter = ProgressReporter("import", total: check.events)
            do {
                let outcome = try await append(source, to: store, reporter: reporter)
                reporter.finish(outcome.events)
                var restored: (restored: Int, alreadyStored: Int)?
                if let photos {
                    restored = try await PhotoExport(store: store, access: nil, pool: pool).restore(from: photos)
                }
                await pool.close()
                print(
                    "imported \(outcome.events) events in \(check.streams) streams from \(file): "
                        + "\(outcome.events - outcome.alreadyStored) appended, \(outcome.alreadyStored) already stored")
                if let restored {
                    print("restored \(restored.restored) photos (\(restored.alreadyStored) already stored)")
                }
            } catch {
                reporter.clear()
                await pool.close()
                throw error
            }
        }
    }

    // MARK: - Pass 1: check the whole file

    struct LineError: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    /// Reads every line and checks it alone and against the lines before it; returns the counts.
    static func check(_ source: ImportSource, maximumDataBytes: Int) throws -> (events: Int, streams: Int) {
        var reader = LineReader(handle: try source.open())
        var lastVersion: [String: Int] = [:]
        var ids = Set<UUID>()
        var events = 0
        while let line = try reader.next() {
            let number = reader.lineNumber
            guard !Self.isBlank(line) else { continue }
            let event: EventLine
            do {
                event = try EventLine(parsing: line, maximumDataBytes: maximumDataBytes)
            } catch {
                throw LineError(line: number, reason: error.description + "; nothing was imported")
            }
            if let last = lastVersion[event.stream.rawValue], event.version != last + 1 {
                throw LineError(
                    line: number,
                    reason: "stream \(event.stream) goes from version \(last) to \(event.version) "
                        + "(versions of a stream must follow each other in the file); nothing was imported")
            }
            lastVersion[event.stream.rawValue] = event.version
            guard ids.insert(event.id).inserted else {
                throw LineError(
                    line: number,
                    reason: "event id \(event.id.uuidString.lowercased()) appears twice; nothing was imported")
            }
            events += 1
        }
        return (events, lastVersion.count)
    }

    static func isBlank(_ line: Data) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    // MARK: - Pass 2: append

    private struct Entry {
        var line: Int
        var stream: EventStreamName
        var version: Int
        var event: NewEvent
    }

    private func append(_ source: ImportSource, to store: EventStore, reporter: ProgressReporter) async throws
        -> (events: Int, alreadyStored: Int)
    {
        var reader = LineReader(handle: try source.open())
        var chunk: [Entry] = []
        var events = 0
        var alreadyStored = 0
        func flush() async throws {
            alreadyStored += try await Self.appendChunk(chunk, to: store, importedBefore: events)
            events += chunk.count
            chunk.removeAll(keepingCapacity: true)
            reporter.update(events)
        }
        while let line = try reader.next() {
            guard !Self.isBlank(line) else { continue }
            // Checked in pass 1; a file changed in between fails here with its line number.
            let parsed: EventLine
            do {
                parsed = try EventLine(parsing: line, maximumDataBytes: store.limits.maximumDataBytes)
            } catch {
                throw LineError(line: reader.lineNumber, reason: "\(error) (the file changed during the import)")
            }
            chunk.append(
                Entry(
                    line: reader.lineNumber, stream: parsed.stream, version: parsed.version,
                    event: try parsed.newEvent()))
            if chunk.count >= chunkSize { try await flush() }
        }
        if !chunk.isEmpty { try await flush() }
        return (events, alreadyStored)
    }

    /// Appends one chunk atomically; returns how many of its events were already stored.
    private static func appendChunk(_ chunk: [Entry], to store: EventStore, importedBefore: Int) async throws -> Int {
        var batch = AppendBatch()
        for entry in chunk {
            batch.add(entry.event, to: entry.stream, expectedVersion: expected(before: entry.version), tag: entry.line)
        }
        let (appends, _) = batch.take()
        do {
            let results = try await store.append(appends)
            return zip(appends, results).reduce(0) { $0 + ($1.1.wasDuplicate ? $1.0.events.count : 0) }
        } catch EventStoreError.idempotencyConflict, EventStoreError.wrongExpectedVersion {
            // Part of the chunk may already be stored (an overlapping import): compare event by event.
            return try await appendMissing(chunk, to: store, importedBefore: importedBefore)
        }
    }

    /// The careful path: reads each stream where the chunk touches it, skips events stored with the same id at
    /// the same version, and appends the rest; a different event at a version is an error naming the line.
    private static func appendMissing(_ chunk: [Entry], to store: EventStore, importedBefore: Int) async throws
        -> Int
    {
        let outcome =
            importedBefore == 0
            ? "nothing was imported"
            : "the \(importedBefore) events before this line's chunk were imported, and running the same import "
                + "again resumes there"
        var runs: [[Entry]] = []
        for entry in chunk {
            if let last = runs.indices.last, runs[last][0].stream == entry.stream {
                runs[last].append(entry)
            } else {
                runs.append([entry])
            }
        }
        var batch = AppendBatch()
        var skipped = 0
        for run in runs {
            let first = run[0]
            var storedIDs: [Int: UUID] = [:]
            for event in try await store.readStream(first.stream, from: first.version, limit: run.count) {
                storedIDs[event.version] = event.id
            }
            for entry in run {
                switch storedIDs[entry.version] {
                case entry.event.id?:
                    skipped += 1
                case let other?:
                    throw LineError(
                        line: entry.line,
                        reason: "stream \(entry.stream) already holds another event (id "
                            + "\(other.uuidString.lowercased())) at version \(entry.version); the file does not "
                            + "continue the stream as stored; \(outcome)")
                case nil:
                    batch.add(
                        entry.event, to: entry.stream, expectedVersion: expected(before: entry.version),
                        tag: entry.line)
                }
            }
        }
        guard !batch.isEmpty else { return skipped }
        let (appends, lines) = batch.take()
        do {
            try await store.append(appends)
        } catch let error as EventStoreError {
            let line = appends.indices.first { appends[$0].stream.rawValue == failingStream(error) }.map { lines[$0] }
            throw UserError(
                (line.map { "line \($0): " } ?? "") + "\(error); \(outcome)")
        }
        return skipped
    }

    private static func expected(before version: Int) -> ExpectedVersion {
        version == 0 ? .noStream : .exact(version - 1)
    }

    private static func failingStream(_ error: EventStoreError) -> String? {
        switch error {
        case .wrongExpectedVersion(let stream, _, _), .idempotencyConflict(let stream, _): stream
        default: nil
        }
    }
}
