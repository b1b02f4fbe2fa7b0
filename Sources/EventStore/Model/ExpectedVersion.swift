/// What the writer believes about the stream before appending (optimistic concurrency).
///
/// Versions count from 0: a stream with one event is at version 0.
public enum ExpectedVersion: Sendable, Hashable, CustomStringConvertible {
    /// No check.
    case any
    /// The stream must not exist yet.
    case noStream
    /// The stream must have at least one event.
    case streamExists
    /// The stream's last event must have exactly this version.
    case exact(Int)

    public var description: String {
        switch self {
        case .any: "any"
        case .noStream: "no stream"
        case .streamExists: "stream exists"
        case .exact(let version): "version \(version)"
        }
    }

    var json: String {
        switch self {
        case .any: "\"any\""
        case .noStream: "\"no_stream\""
        case .streamExists: "\"stream_exists\""
        case .exact(let version): String(version)
        }
    }
}
