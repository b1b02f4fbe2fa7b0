/// Who cancelled an appointment.
public enum CancelledBy: String, Hashable, Sendable, Codable, CaseIterable {
    /// The client.
    case client = "client"
    /// The clinic.
    case clinic = "clinic"
}
