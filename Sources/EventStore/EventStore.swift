import Foundation
import Tracing
import Postgres

/// A generic event store over PostgreSQL: append with optimistic concurrency and
/// idempotent event ids, read streams, categories and the whole log in commit order.
///
/// The log is gapless and numbered in commit order (see `Schema/0001_event_store.sql`),
/// so reading "all events after position P" never skips an event that commits late.
public final class EventStore: Sendable {
    /// Bounds that keep one request from exhausting the server.
    public struct Limits: Sendable, Hashable {
        /// Largest data of one event, in bytes of JSON (default 1 MiB).
        public var maximumDataBytes: Int
        /// Most events in one append call.
        public var maximumEventsPerAppend: Int
        /// Most events one read returns.
        public var maximumReadBatch: Int

        public init(
            maximumDataBytes: Int = 1 << 20, maximumEventsPerAppend: Int = 10_000, maximumReadBatch: Int = 10_000
        ) {
            self.maximumDataBytes = maximumDataBytes
            self.maximumEventsPerAppend = maximumEventsPerAppend
            self.maximumReadBatch = maximumReadBatch
        }
    }

    /// The channel appends notify on, with the new head position as payload.
    public static let notificationChannel = "stipple_events"

    public let pool: ConnectionPool
    public let limits: Limits
    /// Encrypts personal data on append and decrypts it on read; nil stores and returns data as given.
    public let vault: PersonalDataVault?
    /// The one listening connection every live reader over this store waits on (see `LogTail`).
    public let notifier: LogNotifier
    private let committer: GroupCommitter
    private let validator: EventValidator

    /// A store over `pool`. Give a `vault` wherever events may hold personal data (the clinic's do):
    /// without one, `personal` values are stored as given.
    public init(pool: ConnectionPool, limits: Limits = Limits(), vault: PersonalDataVault? = nil) {
        self.pool = pool
        self.limits = limits
        self.vault = vault
        self.notifier = LogNotifier(configuration: pool.configuration, channel: Self.notificationChannel)
        self.committer = GroupCommitter(pool: pool)
        self.validator = EventValidator(limits: limits)
    }

    /// Opens a pool for `configuration` and a store over it.
    public convenience init(
        configuration: PostgresConfiguration, maximumConnections: Int = 8, limits: Limits = Limits()
    ) {
        self.init(
            pool: ConnectionPool(configuration: configuration, maximumConnections: maximumConnections), limits: limits,
            vault: nil)
    }

    // MARK: - Append

    /// Appends events to one stream in one transaction.
    ///
    /// Throws `EventStoreError.wrongExpectedVersion` naming the stream, the expected and the
    /// actual version when the check fails. Appending the same event ids again with the same
    /// content returns the original result and writes nothing.
    @discardableResult
    public func append(_ events: [NewEvent], to stream: StreamName, expectedVersion: ExpectedVersion) async throws
        -> AppendResult
    {
        let results = try await append([StreamAppend(stream: stream, expectedVersion: expectedVersion, events: events)])
        guard let result = results.first else { throw EventStoreError.protocolViolation("no result for \(stream)") }
        return result
    }

    /// Appends to several streams atomically: all of them or none, each with its own check.
    ///
    /// Each call is a span (`eventstore.append`: its streams' categories, the events, the last position),
    /// a no-op unless the process bootstrapped a tracer: the attributes are built only while the span records.
    @discardableResult
    public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
        try await withSpan("eventstore.append") { span in
            if span.isRecording {
                span.attributes["stipple.append.streams"] = appends.count
                span.attributes["stipple.append.events"] = appends.reduce(0) { $0 + $1.events.count }
                span.attributes["stipple.append.categories"] = Array(Set(appends.map(\.stream.category))).sorted()
            }
            guard !appends.isEmpty else { throw EventStoreError.noEvents(stream: "(none)") }
            try validator.validate(appends)
            let results =
                if let vault {
                    try await committer.submit(try await vault.seal(appends))
                } else {
                    try await committer.submit(appends)
                }
            if span.isRecording, let last = results.compactMap(\.positions.last).max() {
                span.attributes["stipple.append.position"] = last
            }
            return results
        }
    }

    // MARK: - Reads

    /// The direction of a stream read.
    public enum Direction: Sendable { case forward, backward }

    /// Reads one stream: forward from `version`, or backward from `version` (nil: the end).
    public func readStream(
        _ stream: StreamName, from version: Int? = nil, direction: Direction = .forward, limit: Int = 1000
    ) async throws -> [RecordedEvent] {
        let limit = clamp(limit)
        let sql: SQL
        switch direction {
        case .forward:
            sql =
                "\(fragment: selectColumns) WHERE stream = \(stream.rawValue) AND version >= \(version ?? 0) ORDER BY version LIMIT \(limit)"
        case .backward:
            sql =
                "\(fragment: selectColumns) WHERE stream = \(stream.rawValue) AND version <= \(version ?? Int(Int32.max)) ORDER BY version DESC LIMIT \(limit)"
        }
        return try await fetch(sql)
    }

    /// Reads every event of a stream, in order.
    public func readWholeStream(_ stream: StreamName) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        while true {
            let page = try await readStream(stream, from: events.count, limit: limits.maximumReadBatch)
            events += page
            if page.count < limits.maximumReadBatch { return events }
        }
    }

    /// The version of a stream's last event, or nil when it has none.
    public func streamVersion(_ stream: StreamName) async throws -> Int? {
        let rows = try await run("SELECT max(version) FROM events WHERE stream = \(stream.rawValue)")
        return try rows.first?.decode(Int?.self)
    }

    /// Reads the log after `checkpoint`, in commit order, never skipping an event.
    ///
    /// `category` limits it to streams `category-*`; `upTo` stops at a position (inclusive).
    public func readAll(
        after checkpoint: Checkpoint = .start, limit: Int = 1000, category: String? = nil, upTo: Int64? = nil
    ) async throws -> EventPage {
        let limit = clamp(limit)
        if let category, !StreamName.isValidCategory(category) { throw EventStoreError.invalidStreamName(category) }
        let events = try await fetch(
            pageSQL(after: checkpoint.position, limit: limit, category: category, upTo: upTo))
        return EventPage(events: events, next: events.last?.checkpoint ?? checkpoint)
    }

    /// Reads the log after `checkpoint` page by page, in commit order, as `readAll` does, but asks the
    /// database for the next page as soon as a page's rows have arrived, so that the server produces page
    /// N+1 while this process decodes (and opens the personal data of) page N and the caller handles it.
    ///
    /// The sequence ends at the first empty page (read while the caller still handled the page before:
    /// a reader that goes on waiting, live, does so from the last page's `next`), or after the page that
    /// reaches `upTo`. Every page handed out was read after the position of the previous page's last
    /// event, exactly as a loop over `readAll` reads, so it never skips an event that commits late. Without
    /// a category a second page is read ahead on a guess that the log goes on (`LogPages`). For readers
    /// that go through many pages in one go (export, the bench); a reader that stops early leaves at most
    /// two pages' reads running, whose rows are dropped.
    public func pages(
        after checkpoint: Checkpoint = .start, limit: Int = 1000, category: String? = nil, upTo: Int64? = nil
    ) throws -> LogPages {
        if let category, !StreamName.isValidCategory(category) { throw EventStoreError.invalidStreamName(category) }
        return LogPages(store: self, after: checkpoint, limit: clamp(limit), category: category, upTo: upTo)
    }

    /// The position of the last committed event (0 for an empty log).
    public func headPosition() async throws -> Int64 {
        let rows = try await run("SELECT position FROM log_head")
        return try rows.first?.decode(Int64.self) ?? 0
    }

    /// The position of the last event recorded at or before `date` (0 if none).
    public func position(asOf date: Date) async throws -> Int64 {
        let rows = try await run("SELECT coalesce(max(position), 0) FROM events WHERE recorded_at <= \(date)")
        return try rows.first?.decode(Int64.self) ?? 0
    }

    /// How many events the log holds.
    public func eventCount() async throws -> Int64 {
        try await headPosition()
    }

    /// Follows the log from `checkpoint`: catches up, then waits for new events (woken by NOTIFY).
    public func subscribe(
        after checkpoint: Checkpoint = .start, category: String? = nil, batchSize: Int = 500
    ) -> EventSubscription {
        EventSubscription(store: self, after: checkpoint, category: category, batchSize: clamp(batchSize))
    }

    // MARK: - Plumbing

    static let columns: SQL = """
        SELECT position, version, event_id, schema_version, recorded_at, stream, type, data::text, metadata::text
        FROM events
        """

    /// With a vault, a tenth column: the count of destroyed keys (`Schema/0022_client_key_epoch.sql`), read
    /// once per statement, which lets the vault open a page with the keys it checked before when no key was
    /// destroyed since (`PersonalDataVault.open`).
    static let columnsAndKeyEpoch: SQL = """
        SELECT position, version, event_id, schema_version, recorded_at, stream, type, data::text, metadata::text,
               (SELECT destroyed FROM client_key_epoch) AS destroyed_keys FROM events
        """

    /// The count rides along only once the vault found it in the database: a database migrated below 0022
    /// (or before the vault's first key check) is read with the nine columns.
    var selectColumns: SQL { vault?.readsKeyEpoch == true ? Self.columnsAndKeyEpoch : Self.columns }

    func clamp(_ limit: Int) -> Int { min(max(1, limit), limits.maximumReadBatch) }

    /// Runs `sql` on a pooled connection; rows not yet decoded. A page of many rows (`LogPages`) is read
    /// in one go once it starts arriving (`PostgresConnection.query`).
    func run(_ sql: SQL) async throws -> QueryResult {
        try await onPool { try await $0.query(sql) }
    }

    /// `body` on a pooled connection, its database errors as `EventStoreError.database`.
    private func onPool(_ body: (PostgresConnection) async throws -> QueryResult) async throws -> QueryResult {
        do {
            return try await pool.withConnection(body)
        } catch let error as PostgresError {
            throw EventStoreError.database(error)
        }
    }

    /// The `readAll` statement: events after `position` (only `category`, none after `upTo`), in log order.
    func pageSQL(after position: Int64, limit: Int, category: String?, upTo: Int64?) -> SQL {
        let end = upTo ?? Int64.max
        if let category {
            return
                "\(fragment: selectColumns) WHERE category = \(category) AND position > \(position) AND position <= \(end) ORDER BY position LIMIT \(limit)"
        }
        return
            "\(fragment: selectColumns) WHERE position > \(position) AND position <= \(end) ORDER BY position LIMIT \(limit)"
    }

    private func fetch(_ sql: SQL) async throws -> [RecordedEvent] {
        try await events(from: try await run(sql))
    }

    /// Decodes `rows` and opens their personal data.
    func events(from rows: QueryResult) async throws -> [RecordedEvent] {
        let events = try Self.decodeEvents(rows)
        guard let vault else { return events }
        let keyEpoch =
            rows.columns.last == PersonalDataVault.keyEpochColumn
            ? try rows.first?.decode(Int64?.self, column: PersonalDataVault.keyEpochColumn) ?? nil : nil
        return try await vault.open(events, keyEpoch: keyEpoch)
    }

    /// The events of `rows` (`columns`' statement). Stream names and types repeat from row to row (about
    /// three in four events follow one of the same stream) and share one `String` per value; data and
    /// metadata are slices of one buffer per column: about one heap allocation per event instead of seven.
    static func decodeEvents(_ rows: QueryResult) throws -> [RecordedEvent] {
        let streams = try rows.strings(column: "stream", reusingRecent: 2)
        let types = try rows.strings(column: "type", reusingRecent: 32)
        let data = try rows.sharedBytes(column: "data")
        let metadata = try rows.sharedBytes(column: "metadata")
        var events: [RecordedEvent] = []
        events.reserveCapacity(rows.count)
        var stream: StreamName?
        for (index, row) in rows.enumerated() {
            let (position, version, id, schemaVersion, recordedAt) = try row.decode((Int64, Int, UUID, Int, Date).self)
            // The table's CHECK admits exactly the names `StreamName` does: no second validation.
            let name = stream.flatMap { $0.rawValue == streams[index] ? $0 : nil } ?? StreamName(stored: streams[index])
            stream = name
            events.append(
                RecordedEvent(
                    position: position, stream: name, version: version, id: id, type: types[index],
                    schemaVersion: schemaVersion, data: data[index], metadataJSON: metadata[index],
                    recordedAt: recordedAt))
        }
        return events
    }
}

/// A page of the log and the checkpoint to read on from.
public struct EventPage: Sendable {
    public var events: [RecordedEvent]
    /// After the last event of the page (or the checkpoint read from, when empty).
    public var next: Checkpoint
}
