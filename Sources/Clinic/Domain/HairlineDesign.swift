/// The agreed hairline design.
public struct HairlineDesign: Hashable, Sendable, Codable {
    /// Shape of the line.
    public var shape: HairlineShape
    /// How the edge is finished.
    public var edgeSoftness: EdgeSoftness
    /// Height of the hairline above the glabella, in centimetres.
    public var heightCentimetres: Double
    /// Symmetry.
    public var symmetry: HairlineSymmetry

    /// Creates a design.
    public init(
        shape: HairlineShape, edgeSoftness: EdgeSoftness, heightCentimetres: Double,
        symmetry: HairlineSymmetry
    ) {
        self.shape = shape
        self.edgeSoftness = edgeSoftness
        self.heightCentimetres = heightCentimetres
        self.symmetry = symmetry
    }
}
