/// A request to change a technician's stream.
public enum TechnicianCommand: Hashable, Sendable {
    /// Register a technician.
    case register(TechnicianRegistered)
    /// Record a certification or renewal.
    case recordCertification(CertificationRecorded)
    /// Deactivate a technician.
    case deactivate(TechnicianDeactivated)
}
