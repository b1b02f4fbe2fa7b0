/// When in the treatment a photo was taken. Encoded as `before`, `immediately-after`, `healing-day-<n>`,
/// `healed` or `follow-up`.
public enum PhotoStage: Hashable, Sendable, CustomStringConvertible {
    /// Before treatment.
    case before
    /// Right after a session.
    case immediatelyAfter
    /// During healing, on day `n` after the session.
    case healingDay(Int)
    /// Fully healed (about a month after).
    case healed
    /// A later follow-up.
    case followUp

    /// The encoded text.
    public var description: String {
        switch self {
        case .before: "before"
        case .immediatelyAfter: "immediately-after"
        case .healingDay(let day): "healing-day-\(day)"
        case .healed: "healed"
        case .followUp: "follow-up"
        }
    }

    /// Parses the encoded text.
    public init?(text: String) {
        switch text {
        case "before": self = .before
        case "immediately-after": self = .immediatelyAfter
        case "healed": self = .healed
        case "follow-up": self = .followUp
        default:
            let prefix = "healing-day-"
            guard text.hasPrefix(prefix), let day = Int(text.dropFirst(prefix.count)), day > 0 else { return nil }
            self = .healingDay(day)
        }
    }
}

extension PhotoStage: Codable {
    /// Decodes from its text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let stage = PhotoStage(text: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid photo stage '\(text)'")
        }
        self = stage
    }

    /// Encodes as its text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
