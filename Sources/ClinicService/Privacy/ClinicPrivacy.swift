import Clinic
import EventStore
import Postgres

/// The clinic's privacy policy: which events hold personal data, which event forgets a client, and how a
/// client is named in the access log.
public enum ClinicPrivacy {
    /// Client streams keep their personal data under `personal`; `client.forgotten` destroys the client's key
    /// (the chain trigger of `Schema/0036_forget_in_chain_trigger.sql` names the same type).
    public static let policy = PersonalDataVault.Policy(
        categories: [StreamName.clientCategory], fieldName: "personal", erasureEventType: ClientForgotten.typeName)

    /// The vault that seals and opens client personal data with `masterKey`, resolved once at the edge.
    public static func vault(pool: ConnectionPool, masterKey: Result<MasterKey, PersonalDataError>)
        -> PersonalDataVault
    {
        PersonalDataVault(pool: pool, masterKey: masterKey, policy: policy)
    }

    /// The access log's subject for a client's records: its stream name, `client-<id>` (kept as given when it
    /// already starts with `client-`).
    public static func accessSubject(client: String) -> String {
        let prefix = StreamName.clientCategory + "-"
        return client.hasPrefix(prefix) ? client : prefix + client
    }
}
