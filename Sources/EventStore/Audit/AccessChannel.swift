/// The door a read came through.
public enum AccessChannel: String, Sendable, Hashable, CaseIterable, Codable {
    /// The `stipple` command-line tool.
    case cli
    /// The HTTP API.
    case api
    /// The operator console in a browser (`/console`).
    case console
}
