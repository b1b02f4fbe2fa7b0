import Foundation

/// A client's predicted fade: the curve, the touch-up date with its 80% interval, and why.
///
/// Stored by projections as JSON, without its curve (derived data, and most of a prediction's size): a reader
/// who draws it samples it again, ``withCurve(subject:parameters:now:)``. Every number in it is finite.
public struct FadePrediction: Sendable, Codable, Equatable {
    /// Why no prediction could be made.
    public enum NotEnoughData: String, Sendable, Codable, Equatable, Hashable {
        /// The client has had no course sessions yet.
        case noSessions
    }

    /// Whether a prediction was made.
    public enum Status: Sendable, Codable, Equatable, Hashable {
        /// The fields below are filled in.
        case predicted
        /// Nothing to predict; the curve is empty and the dates are nil.
        case notEnoughData(NotEnoughData)
    }

    /// Whether a prediction was made.
    public var status: Status
    /// The density at which a touch-up is due.
    public var threshold: Double
    /// The decay form used.
    public var form: FadeForm
    /// Sampled density curve from the last course session on, with the 80% band. Empty when there is nothing to
    /// predict, and when predicted without it (`FadePredictor.predict(…, withCurve: false)`, as stored).
    public var curve: [FadeCurvePoint]
    /// The distribution of the crossing date after the latest course or touch-up.
    public var crossing: CrossingDistribution?
    /// The median date density reaches the threshold: when the touch-up is due.
    public var crossingDate: Date?
    /// 10th percentile of the crossing date.
    public var intervalLow: Date?
    /// 90th percentile of the crossing date.
    public var intervalHigh: Date?
    /// Predicted density at `now`.
    public var currentDensity: Double?
    /// Reasons this client differs from an average one, largest first.
    public var drivers: [FadeDriver]
    /// Follow-up observations used for this client's own rate.
    public var observationsUsed: Int
    /// How much the client's own observations count, 0 (population only) to 1.
    public var ownDataWeight: Double

    /// This prediction with the ``curve`` ``FadePredictor`` samples from the inputs it was made from: `subject` and
    /// `parameters` at `now`, with this prediction's threshold. For a prediction made or stored without its curve
    /// (the forecast projection's reader passes the row's subject and `predicted_at` and the schema's parameters).
    ///
    /// Unchanged when it has a curve already or nothing was predicted, and when those inputs do not predict it
    /// again: another form, a crossing date more than a second away (a stored date keeps whole seconds), or no
    /// prediction at all. Other parameters, such as a calibration stored before the rebuild that recomputes the
    /// rows, would draw a curve that misses this prediction's due date; no curve is drawn then.
    public func withCurve(subject: FadeSubject, parameters: FadeParameters, now: Date) -> FadePrediction {
        guard status == .predicted, curve.isEmpty, let crossingDate,
            let sampled = try? FadePredictor().predict(
                subject: subject, parameters: parameters, threshold: threshold, now: now),
            sampled.form == form, let again = sampled.crossingDate, abs(again.timeIntervalSince(crossingDate)) < 1
        else { return self }
        var result = self
        result.curve = sampled.curve
        return result
    }

    /// A prediction that could not be made.
    static func notEnoughData(_ reason: NotEnoughData, threshold: Double, form: FadeForm) -> FadePrediction {
        FadePrediction(
            status: .notEnoughData(reason), threshold: threshold, form: form, curve: [], crossing: nil,
            crossingDate: nil, intervalLow: nil, intervalHigh: nil, currentDensity: nil, drivers: [],
            observationsUsed: 0, ownDataWeight: 0
        )
    }

    /// Whether every number in the prediction is finite.
    var isFinite: Bool {
        let dates =
            [crossingDate, intervalLow, intervalHigh, crossing?.origin].compactMap { $0 }
            + curve.map(\.date)
        let numbers =
            [threshold, currentDensity ?? 0, ownDataWeight, crossing?.logMedianYears ?? 0, crossing?.logSD ?? 0]
            + curve.flatMap { [$0.density, $0.low, $0.high] } + drivers.map(\.shiftDays)
        return numbers.allSatisfy(\.isFinite) && dates.allSatisfy { $0.timeIntervalSinceReferenceDate.isFinite }
    }
}
