/// One bound parameter as it is sent to the server: text, binary bytes, or NULL.
public enum PostgresBind: Sendable, Hashable {
    case null
    /// Sent in text format; the server infers the type from the statement (add a cast if needed).
    case text(String)
    /// Sent in binary format as `bytea`.
    case bytea([UInt8])
}
