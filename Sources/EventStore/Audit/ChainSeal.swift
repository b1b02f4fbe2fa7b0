/// A seal: the head of the chain at one moment, recorded in the log and printed for keeping
/// outside the clinic.
public struct ChainSeal: Sendable, Hashable {
    /// The head that was sealed: the last event's position and hash.
    public var sealed: ChainLink
    /// Where the `audit.sealed` event recording it landed.
    public var sealEventPosition: Int64

    public init(sealed: ChainLink, sealEventPosition: Int64) {
        self.sealed = sealed
        self.sealEventPosition = sealEventPosition
    }
}
