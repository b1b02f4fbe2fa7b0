/// How often clients depart from their appointments in a generated history.
///
/// These are stated assumptions, not measurements: no public data set gives SMP studio figures. They are chosen in
/// the range appointment-based clinics that take deposits describe (a few per cent of no-shows, somewhat more
/// cancellations, most of them with notice). The clinic itself cancels only when a rule refuses a treatment on the
/// day (a recalled batch, a lapsed certification, a technician who left), which the simulation avoids when booking,
/// so clinic cancellations stay rare. `ClinicHistoryTests` measures each rate over a large seeded history.
public struct BehaviourRates: Hashable, Sendable {
    /// A booked consultation the client does not come to. Assumed 6%.
    public var consultationNoShow: Double
    /// A booked consultation the client cancels (half of them book again). Assumed 4%.
    public var consultationCancellation: Double
    /// A booked consultation the client moves to another day. Assumed 5%.
    public var consultationReschedule: Double
    /// A booked session or touch-up the client does not come to. Assumed 3%.
    public var treatmentNoShow: Double
    /// A booked session the client cancels and books again. Assumed 4%.
    public var sessionCancellation: Double
    /// Of the client's cancellations, the share made inside the clinic's cancellation window (late). Assumed 30%.
    public var lateCancellationShare: Double
    /// A first session the client cancels and never rebooks (the course is abandoned). Assumed 5%.
    public var courseAbandonment: Double
    /// A performed session or touch-up after which no aftercare is recorded (forgotten in a busy day): what the
    /// aftercare follow-up list exists to catch. Assumed 2%.
    public var aftercareForgotten: Double
    /// Printed aftercare the client signs for at once; the rest (e-mail, text) is acknowledged, if at all, when
    /// asked at the day-7 check (about half). Stated assumptions, not measurements.
    public var verbalAcknowledgementAtCheck: Double

    /// Creates rates; the defaults are the assumptions above.
    public init(
        consultationNoShow: Double = 0.06, consultationCancellation: Double = 0.04,
        consultationReschedule: Double = 0.05, treatmentNoShow: Double = 0.03, sessionCancellation: Double = 0.04,
        lateCancellationShare: Double = 0.3, courseAbandonment: Double = 0.05, aftercareForgotten: Double = 0.02,
        verbalAcknowledgementAtCheck: Double = 0.5
    ) {
        self.aftercareForgotten = aftercareForgotten
        self.verbalAcknowledgementAtCheck = verbalAcknowledgementAtCheck
        self.consultationNoShow = consultationNoShow
        self.consultationCancellation = consultationCancellation
        self.consultationReschedule = consultationReschedule
        self.treatmentNoShow = treatmentNoShow
        self.sessionCancellation = sessionCancellation
        self.lateCancellationShare = lateCancellationShare
        self.courseAbandonment = courseAbandonment
    }

    /// The stated assumptions.
    public static let assumed = BehaviourRates()
}
