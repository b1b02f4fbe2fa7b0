import Foundation
import TestSupport
import Testing

@testable import EventStore

@Suite("Stream names")
struct StreamNameTests {
    static let names = [
        "client-6f1c9c1e-4d8b-4e5e-9a43-1a2b3c4d5e6f", "pigment-DB.91024110", "nodash", "a-b-c-d", "x-", "x--y",
        "location-main:1@north", "Z9_under_score-id",
    ]

    @Test("a name read back from the store splits as a validated one does", arguments: names)
    func storedNamesSplitAlike(_ raw: String) throws {
        let validated = try StreamName(raw)
        let stored = StreamName(stored: raw)
        #expect(stored.rawValue == raw)
        #expect(stored.category == validated.category)
        #expect(stored.id == validated.id)
        #expect(stored == validated)
        #expect(stored.hashValue == validated.hashValue)
    }

    @Test("category is the text before the first dash and id the rest")
    func split() throws {
        #expect(try StreamName("a-b-c-d").category == "a")
        #expect(try StreamName("a-b-c-d").id == "b-c-d")
        #expect(try StreamName("nodash").category == "nodash")
        #expect(try StreamName("nodash").id == nil)
        #expect(try StreamName("x-").id == "")
    }

    @Test("names decoded from JSON are still validated")
    func jsonValidates() throws {
        let good = try JSONDecoder().decode([StreamName].self, from: Data(#"["client-1"]"#.utf8))
        #expect(good.first?.id == "1")
        #expect(throws: EventStoreError.invalidStreamName("client 1")) {
            try JSONDecoder().decode([StreamName].self, from: Data(#"["client 1"]"#.utf8))
        }
    }

    @Test("events read back carry their stream, category, id, event id and order")
    func readBack() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            var appended: [(stream: String, id: UUID)] = []
            for (index, raw) in Self.names.enumerated() {
                let ids = (0...index % 3).map { _ in UUID() }
                try await store.append(ids.map { event(id: $0) }, to: try StreamName(raw), expectedVersion: .any)
                appended += ids.map { (raw, $0) }
            }
            let page = try await store.readAll(limit: 1000)
            #expect(page.events.map(\.id) == appended.map(\.id))
            #expect(page.events.map(\.stream.rawValue) == appended.map(\.stream))
            for recorded in page.events {
                let validated = try StreamName(recorded.stream.rawValue)
                #expect(recorded.stream.category == validated.category)
                #expect(recorded.stream.id == validated.id)
            }
            let pigment = try await store.readAll(category: "pigment")
            #expect(pigment.events.map(\.stream.id) == ["DB.91024110", "DB.91024110"])
        }
    }
}
