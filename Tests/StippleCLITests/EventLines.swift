import Foundation
import Testing

/// One parsed line of `stipple export` / `stipple tail --format json`.
struct ExportedEvent {
    var object: [String: Any]
    var line: String

    var position: Int { object["position"] as? Int ?? -1 }
    var stream: String { object["stream"] as? String ?? "" }
    var version: Int { object["version"] as? Int ?? -1 }
    var id: String { object["id"] as? String ?? "" }
    var type: String { object["type"] as? String ?? "" }
    var data: [String: Any] { object["data"] as? [String: Any] ?? [:] }
    var metadata: [String: Any] { object["metadata"] as? [String: Any] ?? [:] }
    var actor: String? { metadata["actor"] as? String }
    var correlationID: String? { metadata["correlation_id"] as? String }
    var businessTime: String? { data["at"] as? String }
    var recordedAt: String { object["recorded_at"] as? String ?? "" }

    /// Everything but metadata and recorded_at, which differ between runs.
    var identity: String {
        let data = (try? JSONSerialization.data(withJSONObject: self.data, options: [.sortedKeys])) ?? Data()
        return "\(position)|\(stream)|\(version)|\(id)|\(type)|\(String(decoding: data, as: UTF8.self))"
    }

    /// The line without `recorded_at` (which the importing database sets anew).
    var withoutRecordedAt: String {
        line.replacingOccurrences(of: #","recorded_at":"[^"]*"\}$"#, with: "}", options: .regularExpression)
    }
}

/// Parses JSON Lines output, failing the test on any line that is not an object.
func parseEventLines(_ text: String) throws -> [ExportedEvent] {
    try text.split(separator: "\n").map { line in
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not an object: \(line)")
        return ExportedEvent(object: object, line: String(line))
    }
}
