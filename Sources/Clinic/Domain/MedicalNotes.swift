/// Free-text clinical notes. Personal data: stored under `personal` so that it can be encrypted.
///
/// Decodes `{"erased": true}` (the client was forgotten) to `MedicalNotes.erased`.
public struct MedicalNotes: Hashable, Sendable {
    /// The notes.
    public var notes: String
    /// True when the client was forgotten and their key destroyed.
    public private(set) var isErased = false

    /// Creates notes.
    public init(notes: String) { self.notes = notes }

    /// What notes read as after the client's key was destroyed.
    public static let erased: MedicalNotes = {
        var notes = MedicalNotes(notes: ErasedPersonalData.placeholder)
        notes.isErased = true
        return notes
    }()
}

extension MedicalNotes: Codable {
    private enum CodingKeys: String, CodingKey {
        case notes, erased
    }

    /// Decodes the notes, or the erased marker.
    public init(from decoder: any Decoder) throws {
        if ErasedPersonalData.isMarker(decoder) {
            self = .erased
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(notes: try container.decode(String.self, forKey: .notes))
    }

    /// Encodes the notes (or the erased marker).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if isErased {
            try container.encode(true, forKey: .erased)
            return
        }
        try container.encode(notes, forKey: .notes)
    }
}
