/// The personal part of a medical screening: current medications and free-text notes.
///
/// Decodes `{"erased": true}` (the client was forgotten) to `ScreeningPersonal.erased`.
public struct ScreeningPersonal: Hashable, Sendable {
    /// Current medications, as told by the client.
    public var currentMedications: [String]
    /// Free-text medical notes.
    public var medicalNotes: String
    /// True when the client was forgotten and their key destroyed.
    public private(set) var isErased = false

    /// Creates the personal part of a screening.
    public init(currentMedications: [String] = [], medicalNotes: String = "") {
        self.currentMedications = currentMedications
        self.medicalNotes = medicalNotes
    }

    /// What the personal part reads as after the client's key was destroyed.
    public static let erased: ScreeningPersonal = {
        var personal = ScreeningPersonal(medicalNotes: ErasedPersonalData.placeholder)
        personal.isErased = true
        return personal
    }()
}

extension ScreeningPersonal: Codable {
    private enum CodingKeys: String, CodingKey {
        case currentMedications, medicalNotes, erased
    }

    /// Decodes the personal part, or the erased marker.
    public init(from decoder: any Decoder) throws {
        if ErasedPersonalData.isMarker(decoder) {
            self = .erased
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            currentMedications: try container.decode([String].self, forKey: .currentMedications),
            medicalNotes: try container.decode(String.self, forKey: .medicalNotes))
    }

    /// Encodes the personal part (or the erased marker).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if isErased {
            try container.encode(true, forKey: .erased)
            return
        }
        try container.encode(currentMedications, forKey: .currentMedications)
        try container.encode(medicalNotes, forKey: .medicalNotes)
    }
}
