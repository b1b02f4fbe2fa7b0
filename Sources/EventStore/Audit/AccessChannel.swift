/// The door a read came through.
public enum AccessChannel: String, Sendable, Hashable, CaseIterable, Codable {
    /// The `stipple` command-line tool.
    case cli
    /// The HTTP API.
    case api
}
