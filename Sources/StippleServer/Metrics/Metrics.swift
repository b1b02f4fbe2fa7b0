import ClinicService
import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// The server's metrics, kept through the swift-metrics API in a Prometheus registry of this server's own and
/// exposed at `/metrics` in Prometheus text format.
///
/// Each server (and each test's server) has its own registry, so servers in one process never mix their counts;
/// `stipple serve` also makes it the process-wide `MetricsSystem` factory so libraries' metrics land there too.
public final class Metrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory over `registry`.
    public let factory: PrometheusMetricsFactory

    private let appends: CoreMetrics.Counter
    private let appendDuration: CoreMetrics.Timer
    private let subscriberGauge: Meter
    private let overflows: CoreMetrics.Counter
    private let logHead: CoreMetrics.Gauge
    private let poolOpen: CoreMetrics.Gauge
    private let poolMaximum: CoreMetrics.Gauge
    private let liveSubscribers = Atomic<Int>(0)

    /// Latency buckets for requests and appends, from a fast read (1 ms) to a slow export (10 s).
    public static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        self.factory = factory
        appends = Counter(label: "stipple_appends_total", factory: factory)
        appendDuration = Timer(label: "stipple_append_duration_seconds", factory: factory)
        subscriberGauge = Meter(label: "stipple_sse_subscribers", factory: factory)
        overflows = Counter(label: "stipple_sse_overflows_total", factory: factory)
        logHead = Gauge(label: "stipple_log_head_position", factory: factory)
        poolOpen = Gauge(label: "stipple_db_pool_open_connections", factory: factory)
        poolMaximum = Gauge(label: "stipple_db_pool_max_connections", factory: factory)
    }

    /// One answered request: its count and its latency, by method, route template and status.
    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let dimensions = [("method", method), ("route", route), ("status", String(status))]
        Counter(label: "stipple_http_requests_total", dimensions: dimensions, factory: factory).increment()
        Timer(label: "stipple_http_request_duration_seconds", dimensions: dimensions, factory: factory)
            .recordNanoseconds(Self.nanoseconds(duration))
    }

    /// One append made by a command, and how long it took.
    func recordAppend(duration: Duration) {
        appends.increment()
        appendDuration.recordNanoseconds(Self.nanoseconds(duration))
    }

    func subscriberStarted() {
        liveSubscribers.add(1, ordering: .relaxed)
        subscriberGauge.increment()
    }

    func subscriberEnded() {
        liveSubscribers.subtract(1, ordering: .relaxed)
        subscriberGauge.decrement()
    }

    func subscriberOverflowed() { overflows.increment() }

    /// The number of live SSE subscribers.
    public var subscribers: Int { liveSubscribers.load(ordering: .relaxed) }

    /// Prometheus text exposition; `head`, `lag` (each projection's distance behind the log head) and the
    /// database pool's use are read when the metrics are scraped.
    func render(head: Int64?, lag: [String: Int64], pool: (open: Int, maximum: Int)) -> String {
        if let head { logHead.record(head) }
        poolOpen.record(pool.open)
        poolMaximum.record(pool.maximum)
        for (name, value) in lag {
            Gauge(label: "stipple_projection_lag_events", dimensions: [("projection", name)], factory: factory)
                .record(value)
        }
        return registry.emitToString()
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
