import Foundation

/// A registered webhook and where its deliveries stand (never its secret).
public struct Webhook: Sendable, Hashable {
    public var id: UUID
    /// The key that registered it; deliveries stop when that key is revoked.
    public var apiKeyID: UUID
    /// Where deliveries are POSTed (`https://`, or `http://` where the operator allows it).
    public var url: URL
    /// The categories delivered; nil means every category.
    public var categories: [String]?
    public var createdAt: Date
    public var status: DeliveryStatus

    /// How the webhook's deliveries are going, as persisted after each attempt.
    public struct DeliveryStatus: Sendable, Hashable {
        /// Everything matching up to this log position was acknowledged with a 2xx.
        public var checkpoint: Int64
        /// Events acknowledged so far.
        public var delivered: Int64
        /// Failed attempts of the delivery now pending (0 after a success).
        public var attempts: Int
        public var lastError: String?
        public var lastAttemptAt: Date?
        public var lastSuccessAt: Date?
        /// When the current run of failed attempts began (nil after a success).
        public var failingSince: Date?
        /// Set when `WebhookPolicy` disabled the webhook: no deliveries until it is re-enabled.
        public var disabled: Disabled?
        /// While a secret is being rotated: until when the previous one still signs deliveries.
        public var previousSecretExpiresAt: Date?
    }

    /// Why and when deliveries stopped.
    public struct Disabled: Sendable, Hashable {
        public var at: Date
        public var reason: String
    }

    /// Whether the webhook wants events of `category`.
    public func wants(category: String) -> Bool {
        categories?.contains(category) ?? true
    }
}
