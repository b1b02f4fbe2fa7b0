/// A client's prediction with the price of their next touch-up.
public struct RevenueItem: Sendable, Codable, Equatable {
    /// The client's prediction.
    public var prediction: FadePrediction
    /// The touch-up price, in the clinic's currency unit (non-negative).
    public var price: Double

    /// Creates an item.
    public init(prediction: FadePrediction, price: Double) {
        self.prediction = prediction
        self.price = price
    }
}
