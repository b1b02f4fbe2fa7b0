/// What a signed consent form allows.
public enum ConsentScope: String, Hashable, Sendable, Codable, CaseIterable {
    /// Performing the treatment.
    case treatment = "treatment"
    /// Taking photos for the clinical record.
    case clinicalPhotos = "clinical-photos"
    /// Using photos (and testimonials) in marketing.
    case marketingPhotos = "marketing-photos"
}
