import Postgres

/// Where a read of the log in stream order goes on from: after the event `version` of `stream`.
public struct StreamCursor: Sendable, Hashable {
    public var stream: String
    public var version: Int

    public init(stream: String, version: Int) {
        self.stream = stream
        self.version = version
    }
}

/// A page of the log in stream order (`EventStore.readInStreamOrder`) and the cursor to read on from.
public struct StreamOrderPage: Sendable {
    public var events: [RecordedEvent]
    /// After the last event of the page; nil when the page is empty (the read is over).
    public var next: StreamCursor?
}

/// A page of the log in stream order as the server sent it, not decoded yet, and the cursor to read on from
/// (`EventStore.fetchInStreamOrder`; `EventStore.events(of:)` decodes it).
public struct StreamOrderRows: Sendable {
    let rows: QueryResult
    /// After the last event of the page; nil when the page is empty (the read is over).
    public let next: StreamCursor?
}

extension EventStore {
    /// Reads the events at positions up to `head` (inclusive) in stream order: by stream name, each stream's
    /// events by version, a page of at most `limit` after `cursor` (from the start when nil).
    ///
    /// For a reader whose work on an event depends only on the events of its own stream (a rebuild of
    /// projections whose fold states are keyed by stream): each stream's events come one after another, so
    /// once a page ends with another stream, the streams before it are complete. A keyset read over the
    /// `UNIQUE (stream, version)` index, filtered to `position <= head`; the positions up to the head are
    /// committed (the log is gapless), so no event at or below it is skipped. Pages go through the same
    /// path as `readAll`'s (`run`, then `events(from:)`: personal data opened, keys checked).
    public func readInStreamOrder(after cursor: StreamCursor?, limit: Int, upTo head: Int64) async throws
        -> StreamOrderPage
    {
        let page = try await fetchInStreamOrder(after: cursor, limit: limit, upTo: head)
        return StreamOrderPage(events: try await events(of: page), next: page.next)
    }

    /// `readInStreamOrder` in two steps: the page as the server sent it, with the cursor to read on from, for a
    /// reader that decodes one page (`events(of:)`) while the next is read.
    public func fetchInStreamOrder(after cursor: StreamCursor?, limit: Int, upTo head: Int64) async throws
        -> StreamOrderRows
    {
        let limit = clamp(limit)
        // No stream is named "" (the table's CHECK): the start is a cursor before every stream, so every
        // page is the same statement, which the planner answers by the index.
        let start = cursor ?? StreamCursor(stream: "", version: -1)
        let sql: SQL =
            "\(fragment: selectColumns) WHERE (stream, version) > (\(start.stream), \(start.version)) AND position <= \(head) ORDER BY stream, version LIMIT \(limit)"
        let rows = try await run(sql)
        let next = try rows.last.map {
            StreamCursor(
                stream: try $0.decode(String.self, column: "stream"), version: try $0.decode(column: "version"))
        }
        return StreamOrderRows(rows: rows, next: next)
    }

    /// The events of a page `fetchInStreamOrder` read, decoded as every read decodes them (`events(from:)`:
    /// personal data opened, keys checked).
    public func events(of page: StreamOrderRows) async throws -> [RecordedEvent] {
        try await events(from: page.rows)
    }

    /// Reads the events of `streams` at positions up to `position` (inclusive), in stream order (by stream name, each
    /// stream's events by version): what those streams held when the log ended at `position`. For fold states a
    /// rebuild left to be folded again from their streams (`FoldingProjection.stream(forKey:)`). A keyset read over
    /// the `UNIQUE (stream, version)` index in pages of `maximumReadBatch`, through the same path as every read
    /// (personal data opened, keys checked).
    public func readStreams(_ streams: [StreamName], upTo position: Int64) async throws -> [RecordedEvent] {
        guard !streams.isEmpty else { return [] }
        // Each name quoted in the array (`StreamName` admits no quote, backslash, comma, brace or space; a quoted
        // `NULL` is a name, not a NULL).
        let names = Set(streams.map(\.rawValue)).sorted().map { "\"\($0)\"" }
        let list = "{" + names.joined(separator: ",") + "}"
        var read: [RecordedEvent] = []
        var after = StreamCursor(stream: "", version: -1)
        while true {
            let page = try await events(
                from: try await run(
                    """
                    \(fragment: selectColumns) WHERE stream = ANY(\(list)::text[]) \
                    AND (stream, version) > (\(after.stream), \(after.version)) AND position <= \(position) \
                    ORDER BY stream, version LIMIT \(limits.maximumReadBatch)
                    """))
            read += page
            guard page.count == limits.maximumReadBatch, let last = page.last else { return read }
            after = StreamCursor(stream: last.stream.rawValue, version: last.version)
        }
    }
}
