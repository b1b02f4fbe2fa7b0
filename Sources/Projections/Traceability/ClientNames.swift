import Foundation
import Postgres

/// Client display names from the timeline projection, for query answers that show people.
///
/// Projections other than the timeline keep no personal data; they join names at query time.
/// A forgotten client reads as "(erased)"; a client the timeline has not seen, or a database
/// without the timeline projection, gives no name.
enum ClientNames {
    static let erased = "(erased)"

    /// Names by lower-case client id, for the given ids.
    static func lookup(_ ids: [String], schema: String = "timeline", on connection: PostgresConnection) async throws
        -> [String: String]
    {
        guard !ids.isEmpty else { return [:] }
        let table = "\(SQL.quoteIdentifier(schema)).timeline_clients"
        guard try await connection.query("SELECT to_regclass(\(table))::text").first?.decode(String?.self) != nil
        else { return [:] }
        let array = "{" + Set(ids).sorted().joined(separator: ",") + "}"
        let rows = try await connection.query(
            """
            SELECT client_id::text, display_name, erased FROM \(identifier: schema).timeline_clients
            WHERE client_id = ANY(\(array)::uuid[])
            """)
        var names: [String: String] = [:]
        for row in rows {
            let (id, name, isErased) = try row.decode((String, String?, Bool).self)
            if isErased {
                names[id] = erased
            } else if let name {
                names[id] = name
            }
        }
        return names
    }
}
