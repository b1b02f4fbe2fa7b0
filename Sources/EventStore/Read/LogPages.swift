import Postgres

/// The log read page by page with pages read ahead (`EventStore.pages`): while the caller decodes and
/// handles a page, the database already produces the next ones on other pooled connections.
///
/// Each page handed out was read after the last position of the page before it, exactly as a loop over
/// `EventStore.readAll` reads, so the order and the never-skip guarantee are the same; a page's personal
/// data is opened (and its keys checked) when the page is handed out, as `readAll` does.
///
/// Reading the whole log (no category), a second page is read ahead on a guess: the log is gapless, so
/// after a full page ending at position P the next one ends at P + limit while the log goes on, and the
/// page after it can be asked for at once, so the database never waits for this process between pages.
/// A guess is used only when it is exactly the read that comes next (after the last position handed
/// out); any other is dropped and that page read again.
public struct LogPages: AsyncSequence, Sendable {
    public typealias Element = EventPage

    let store: EventStore
    let after: Checkpoint
    let limit: Int
    let category: String?
    let upTo: Int64?

    public func makeAsyncIterator() -> Iterator {
        Iterator(pages: self)
    }

    /// Hands out the pages, reading ahead.
    public final class Iterator: AsyncIteratorProtocol {
        private let pages: LogPages
        private var checkpoint: Checkpoint
        /// Reads started ahead, in order, each of the page after position `after`.
        private var ahead: [(after: Int64, rows: Task<QueryResult, any Error>)] = []
        private var finished = false

        init(pages: LogPages) {
            self.pages = pages
            self.checkpoint = pages.after
        }

        deinit {
            for read in ahead { read.rows.cancel() }
        }

        public func next() async throws -> EventPage? {
            guard !finished else { return nil }
            do {
                return try await read()
            } catch {
                // Never hand out a page after one that failed.
                finished = true
                dropAhead()
                throw error
            }
        }

        private func read() async throws -> EventPage? {
            let rows: QueryResult
            if let first = ahead.first, first.after == checkpoint.position {
                ahead.removeFirst()
                rows = try await first.rows.value
            } else {
                dropAhead()
                rows = try await pages.store.run(sql(after: checkpoint.position))
            }
            guard let lastRow = rows.last else {
                finished = true
                dropAhead()
                return nil
            }
            let last = try lastRow.decode(Int64.self)
            let end = pages.upTo ?? Int64.max
            if last >= end {
                finished = true
                dropAhead()
            } else {
                if ahead.first?.after != last { dropAhead() }
                if ahead.isEmpty { start(after: last) }
                // A full page right after the one before: the log goes on, so the page after the next one
                // starts where the next one will end (a guess, used only if it comes true).
                let guess = last + Int64(pages.limit)
                if pages.category == nil, ahead.count == 1, rows.count == pages.limit,
                    last == checkpoint.position + Int64(pages.limit), guess < end
                {
                    start(after: guess)
                }
            }
            let events = try await pages.store.events(from: rows)
            checkpoint = Checkpoint(position: last)
            return EventPage(events: events, next: checkpoint)
        }

        private func start(after position: Int64) {
            let store = pages.store
            let statement = sql(after: position)
            ahead.append((position, Task { try await store.run(statement) }))
        }

        private func dropAhead() {
            for read in ahead { read.rows.cancel() }
            ahead = []
        }

        private func sql(after position: Int64) -> SQL {
            pages.store.pageSQL(after: position, limit: pages.limit, category: pages.category, upTo: pages.upTo)
        }
    }
}
