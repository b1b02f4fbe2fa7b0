extension Duration {
    /// The duration in seconds, as a `Double` (for rates and metrics).
    public var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
