import Foundation

/// What a correction or removal answers: an adverse reaction or a complaint recorded on the client's stream (by
/// id), or the client's own request.
public struct CorrectionCause: Hashable, Sendable, Codable {
    /// What kind of cause.
    public var kind: CorrectionCauseKind
    /// The reaction's or complaint's id; nil for a client request.
    public var id: UUID?

    /// Creates a cause.
    public init(kind: CorrectionCauseKind, id: UUID? = nil) {
        self.kind = kind
        self.id = id
    }
}

/// What kind of thing a correction answers.
public enum CorrectionCauseKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// An adverse reaction (`client.adverse-reaction-reported` with this `reactionID`).
    case adverseReaction = "adverse-reaction"
    /// A complaint (`client.complaint-recorded` with this `complaintID`).
    case complaint
    /// The client asked for it, with no reaction or complaint behind it.
    case clientRequest = "client-request"
}
