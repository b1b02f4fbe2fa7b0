/// The personal part of a medical screening: current medications and free-text notes.
public struct ScreeningPersonal: Hashable, Sendable, Codable {
    /// Current medications, as told by the client.
    public var currentMedications: [String]
    /// Free-text medical notes.
    public var medicalNotes: String

    /// Creates the personal part of a screening.
    public init(currentMedications: [String] = [], medicalNotes: String = "") {
        self.currentMedications = currentMedications
        self.medicalNotes = medicalNotes
    }
}
