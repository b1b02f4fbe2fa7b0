import Clinic
import Foundation

/// Which question an auditor asked of the records on a date: what the clinic's records said then (knowledge
/// time: the log as it stood, by `recorded_at`), what was true then (business time: each event's own `at`),
/// or both at once (what the records said on K about what was true on E).
public struct AsOfQuestion: Sendable, Hashable {
    /// Only events recorded on or before this time (the log as it stood).
    public var knownAt: Date?
    /// Only events whose business time is on or before this time.
    public var effectiveAt: Date?

    /// Creates a question; nil for both means "now, everything recorded".
    public init(knownAt: Date? = nil, effectiveAt: Date? = nil) {
        self.knownAt = knownAt
        self.effectiveAt = effectiveAt
    }

    /// True when neither time was given.
    public var isLive: Bool { knownAt == nil && effectiveAt == nil }

    /// The question in words, with the log position it was answered at, for every output.
    public func describe(position: Int64) -> String {
        var parts: [String] = []
        if let knownAt {
            parts.append(
                "as known at \(Self.iso(knownAt)) (the log as it stood: events recorded by then, up to position \(position))"
            )
        }
        if let effectiveAt {
            parts.append("as effective at \(Self.iso(effectiveAt)) (events whose own business time is on or before it)")
        }
        if knownAt == nil { parts.append("from the log up to position \(position)") }
        return parts.joined(separator: ", ")
    }

    static func iso(_ date: Date) -> String { BusinessTime.iso(date) }
}
