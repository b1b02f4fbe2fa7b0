import EventStore
import Foundation
import TestSupport
import Testing

/// The events of a loop over `readAll`, the way readers read before `pages` existed.
private func readAllLoop(
    _ store: EventStore, after: Checkpoint = .start, limit: Int, category: String? = nil, upTo: Int64? = nil
) async throws -> [RecordedEvent] {
    var events: [RecordedEvent] = []
    var checkpoint = after
    while true {
        let page = try await store.readAll(after: checkpoint, limit: limit, category: category, upTo: upTo)
        guard !page.events.isEmpty else { return events }
        events += page.events
        checkpoint = page.next
    }
}

@Suite("Reading the log page by page with pages read ahead")
struct LogPagesTests {
    @Test("pages read ahead give exactly the events and checkpoints of a readAll loop, with category, upTo and a start")
    func sameAsReadAll() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            for index in 0..<23 {
                let name = index % 3 == 0 ? "order-\(index)" : "stock-\(index % 4)"
                try await store.append(
                    [event("e\(index)"), event("f\(index)")], to: try stream(name), expectedVersion: .any)
            }
            let cases: [(after: Checkpoint, limit: Int, category: String?, upTo: Int64?)] = [
                (.start, 5, nil, nil), (.start, 1, nil, nil), (.start, 46, nil, nil), (.start, 1000, nil, nil),
                (Checkpoint(position: 7), 4, nil, 31), (.start, 3, "order", nil),
                (Checkpoint(position: 10), 2, "stock", 40),
                (Checkpoint(position: 46), 5, nil, nil),
            ]
            for item in cases {
                let expected = try await readAllLoop(
                    store, after: item.after, limit: item.limit, category: item.category, upTo: item.upTo)
                var got: [RecordedEvent] = []
                var checkpoints: [Int64] = []
                for try await page in try store.pages(
                    after: item.after, limit: item.limit, category: item.category, upTo: item.upTo)
                {
                    #expect(!page.events.isEmpty && page.events.count <= item.limit)
                    #expect(page.next == page.events.last?.checkpoint)
                    got += page.events
                    checkpoints.append(page.next.position)
                }
                #expect(got == expected, "\(item)")
                #expect(checkpoints == checkpoints.sorted() && Set(checkpoints).count == checkpoints.count)
            }
            #expect(try await readAllLoop(store, limit: 1000).count == 46)
        }
    }

    @Test("events appended while the pages are read are handed out too, each once, in log order")
    func appendsDuringTheRead() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            for index in 0..<10 {
                try await store.append(
                    [event("before\(index)")], to: try stream("order-\(index)"), expectedVersion: .any)
            }
            var positions: [Int64] = []
            var appended = 0
            for try await page in try store.pages(limit: 3) {
                positions += page.events.map(\.position)
                // Append while the next page is already being read: the reader must still reach them.
                if appended < 6 {
                    try await store.append(
                        [event("during\(appended)")], to: try stream("order-late"), expectedVersion: .any)
                    appended += 1
                }
            }
            // Gapless and in order; only the appends made while the last (empty) page was already read (up
            // to two pages ahead) can be after the end, and a reader going on from the last checkpoint finds
            // them. How many pages there were depends on when each read began: the ten events before make
            // at least four.
            #expect(appended >= 4)
            #expect(positions == Array(1...Int64(positions.count)))
            #expect(positions.count >= 10 + appended - 2)
            let rest = try await store.readAll(after: Checkpoint(position: positions.last ?? 0))
            #expect(positions + rest.events.map(\.position) == Array(1...Int64(10 + appended)))
        }
    }

    @Test("an unknown category is refused before anything is read")
    func invalidCategory() async throws {
        try await TestDatabase.with { database in
            let refused = #expect(throws: EventStoreError.self) {
                _ = try database.store.pages(category: "not-a-category")
            }
            #expect(refused == .invalidStreamName("not-a-category"))
        }
    }
}
