/// Free-text clinical notes. Personal data: stored under `personal` so that it can be encrypted.
public struct MedicalNotes: Hashable, Sendable, Codable {
    /// The notes.
    public var notes: String

    /// Creates notes.
    public init(notes: String) { self.notes = notes }
}
