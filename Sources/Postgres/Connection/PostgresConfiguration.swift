import Foundation

/// Where and how to connect: a libpq connection string (`host=... dbname=...`) or a
/// `postgresql://` URL, passed to libpq as it is.
public struct PostgresConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// The conninfo string or URL.
    public var connectionString: String
    /// Seconds libpq waits to open a connection before giving up.
    public var connectTimeout: Int
    /// Shown in `pg_stat_activity`.
    public var applicationName: String

    public init(_ connectionString: String, connectTimeout: Int = 5, applicationName: String = "stipple") throws {
        let trimmed = connectionString.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw PostgresError(code: .invalidConfiguration, message: "the database URL is empty")
        }
        guard !trimmed.contains("\0") else {
            throw PostgresError(code: .invalidConfiguration, message: "the database URL contains a NUL byte")
        }
        let isURL = trimmed.hasPrefix("postgresql://") || trimmed.hasPrefix("postgres://")
        guard isURL || trimmed.contains("=") else {
            throw PostgresError(
                code: .invalidConfiguration,
                message: "'\(trimmed)' is neither a postgresql:// URL nor a key=value connection string")
        }
        self.connectionString = trimmed
        self.connectTimeout = max(1, connectTimeout)
        self.applicationName = applicationName
    }

    /// The same server with another database name (used by tests and `demo` to make databases).
    public func withDatabase(_ name: String) throws -> PostgresConfiguration {
        var copy = self
        if connectionString.hasPrefix("postgres") {
            guard var components = URLComponents(string: connectionString) else {
                throw PostgresError(code: .invalidConfiguration, message: "cannot parse the database URL")
            }
            components.path = "/" + name
            guard let url = components.string else {
                throw PostgresError(code: .invalidConfiguration, message: "cannot build a database URL for \(name)")
            }
            copy.connectionString = url
        } else {
            let kept = connectionString.split(separator: " ").filter { !$0.hasPrefix("dbname=") }
            copy.connectionString = (kept + ["dbname=\(name)"]).joined(separator: " ")
        }
        return copy
    }

    /// The connection string with any password masked, safe to print.
    public var description: String {
        guard connectionString.hasPrefix("postgres"), var components = URLComponents(string: connectionString) else {
            return connectionString.replacingOccurrences(
                of: #"password=\S+"#, with: "password=***", options: .regularExpression)
        }
        if components.password != nil { components.password = "***" }
        return components.string ?? "postgresql://…"
    }
}
