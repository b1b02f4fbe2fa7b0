/// Free text about a client (a testimonial, stated goals, why money was refunded or kept). Personal data: stored
/// under `personal` as `{"text": …}`, so the store seals it with the client's key and `forget` shreds it.
///
/// Decodes `{"erased": true}` (the client was forgotten) to `PersonalText.erased`.
public struct PersonalText: Hashable, Sendable {
    /// The text.
    public var text: String
    /// True when the client was forgotten and their key destroyed.
    public private(set) var isErased = false

    /// Creates the text.
    public init(_ text: String) { self.text = text }

    /// What the text reads as after the client's key was destroyed.
    public static let erased: PersonalText = {
        var text = PersonalText(ErasedPersonalData.placeholder)
        text.isErased = true
        return text
    }()
}

extension PersonalText: Codable {
    private enum CodingKeys: String, CodingKey {
        case text, erased
    }

    /// Decodes the text, or the erased marker.
    public init(from decoder: any Decoder) throws {
        if ErasedPersonalData.isMarker(decoder) {
            self = .erased
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try container.decode(String.self, forKey: .text))
    }

    /// Encodes the text (or the erased marker).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if isErased {
            try container.encode(true, forKey: .erased)
            return
        }
        try container.encode(text, forKey: .text)
    }
}
