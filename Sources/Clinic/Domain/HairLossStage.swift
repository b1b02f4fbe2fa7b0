/// A hair-loss stage on the Norwood (men, 1–7) or Ludwig (women, 1–3) scale.
public struct HairLossStage: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The scale.
    public var scale: HairLossScale
    /// The stage on that scale.
    public var stage: Int

    /// Creates a stage; see `isValid` for the ranges.
    public init(scale: HairLossScale, stage: Int) {
        self.scale = scale
        self.stage = stage
    }

    /// A Norwood stage.
    public static func norwood(_ stage: Int) -> HairLossStage { HairLossStage(scale: .norwood, stage: stage) }
    /// A Ludwig stage.
    public static func ludwig(_ stage: Int) -> HairLossStage { HairLossStage(scale: .ludwig, stage: stage) }

    /// True when the stage exists on its scale.
    public var isValid: Bool {
        switch scale {
        case .norwood: (1...7).contains(stage)
        case .ludwig: (1...3).contains(stage)
        }
    }

    /// E.g. `Norwood 4`.
    public var description: String { "\(scale == .norwood ? "Norwood" : "Ludwig") \(stage)" }
}
