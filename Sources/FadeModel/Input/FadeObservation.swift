import Foundation

/// One follow-up measurement of a client's relative perceived density.
///
/// Density is 1.0 at the healed baseline after the course and 0 when no pigment is visible;
/// it comes from a follow-up photo analysis or a technician's score.
public struct FadeObservation: Sendable, Codable, Equatable, Hashable {
    /// When the photo was taken or the score given.
    public var date: Date
    /// Relative perceived density, 0...1.
    public var density: Double

    /// Creates an observation.
    public init(date: Date, density: Double) {
        self.date = date
        self.density = density
    }
}
