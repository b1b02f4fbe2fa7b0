import EventStore
import Foundation

/// A small event with a JSON body, for tests.
func event(_ type: String = "thing.happened", _ json: String = #"{"n": 1}"#, id: UUID = UUID()) -> NewEvent {
    NewEvent(id: id, type: type, json: json, metadata: EventMetadata(actor: "tests"))
}

func stream(_ name: String) throws -> StreamName { try StreamName(name) }
