import Foundation
import HTTPTypes
import Synchronization

/// What one request's log line says beyond the request itself: its id and, once the bearer key is checked,
/// the key's name (never the key). The middleware makes one per request and the auth check fills it in
/// through the task-local `current`.
final class RequestRecord: Sendable {
    /// The record of the request the current task is answering.
    @TaskLocal static var current: RequestRecord?

    /// The header that carries the request id both ways.
    static let idHeader = HTTPField.Name("X-Request-ID")

    let id: String
    private let key = Mutex<String?>(nil)

    init(id: String) {
        self.id = id
    }

    /// The name of the key that authenticated the request.
    var keyName: String? {
        get { key.withLock { $0 } }
        set { key.withLock { $0 = newValue } }
    }

    /// The caller's request id when it is a usable one (1–128 printable ASCII characters, no spaces), else a new
    /// one: a caller's id correlates its logs with ours; anything else is not echoed back.
    static func id(from header: String?) -> String {
        if let header, (1...128).contains(header.utf8.count),
            header.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        {
            return header
        }
        return UUID().uuidString.lowercased()
    }
}
