import Foundation

/// One signed consent form and, per scope, when it was withdrawn.
public struct ConsentRecord: Hashable, Sendable {
    /// The form.
    public var consentID: ConsentID
    /// Its version.
    public var formVersion: String
    /// Scopes consented to.
    public var scopes: Set<ConsentScope>
    /// When it was signed.
    public var signedAt: Date
    /// When each withdrawn scope was withdrawn.
    public var withdrawnAt: [ConsentScope: Date]
    /// The SHA-256 of the form's text signed, when known.
    public var contentHash: String? = nil

    /// True when the form covered the scope at that time and it had not been withdrawn by then.
    public func covers(_ scope: ConsentScope, at date: Date) -> Bool {
        guard scopes.contains(scope), signedAt <= date else { return false }
        guard let withdrawn = withdrawnAt[scope] else { return true }
        return withdrawn > date
    }
}
