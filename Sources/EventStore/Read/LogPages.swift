import Postgres

/// The log read page by page with one page read ahead (`EventStore.pages`): while the caller decodes and
/// handles a page, the database already produces the next one on another pooled connection.
///
/// Each page is read after the last position of the page before it, exactly as a loop over
/// `EventStore.readAll` reads, so the order and the never-skip guarantee are the same; a page's personal
/// data is opened (and its keys checked) when the page is handed out, as `readAll` does.
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

    /// Hands out the pages; reading one ahead.
    public final class Iterator: AsyncIteratorProtocol {
        private let pages: LogPages
        private var checkpoint: Checkpoint
        /// The read of the next page, started as soon as the current page's rows arrived.
        private var ahead: Task<QueryResult, any Error>?
        private var finished = false

        init(pages: LogPages) {
            self.pages = pages
            self.checkpoint = pages.after
        }

        deinit {
            ahead?.cancel()
        }

        public func next() async throws -> EventPage? {
            guard !finished else { return nil }
            do {
                return try await read()
            } catch {
                // Never hand out a page after one that failed.
                finished = true
                ahead?.cancel()
                ahead = nil
                throw error
            }
        }

        private func read() async throws -> EventPage? {
            let rows: QueryResult
            if let ahead {
                self.ahead = nil
                rows = try await ahead.value
            } else {
                rows = try await pages.store.run(sql(after: checkpoint.position))
            }
            guard let lastRow = rows.last else {
                finished = true
                return nil
            }
            let last = try lastRow.decode(Int64.self)
            if last >= (pages.upTo ?? Int64.max) {
                finished = true
            } else {
                let store = pages.store
                let next = sql(after: last)
                ahead = Task { try await store.run(next) }
            }
            let events = try await pages.store.events(from: rows)
            checkpoint = Checkpoint(position: last)
            return EventPage(events: events, next: checkpoint)
        }

        private func sql(after position: Int64) -> SQL {
            pages.store.pageSQL(after: position, limit: pages.limit, category: pages.category, upTo: pages.upTo)
        }
    }
}
