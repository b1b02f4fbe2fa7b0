import ClinicService
import Foundation
import Synchronization

/// Counters and latency sums the server exposes at `/metrics` in Prometheus text format.
public final class Metrics: Sendable {
    private struct RequestKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private struct State {
        var requests: [RequestKey: (count: Int, seconds: Double)] = [:]
        var appends = 0
        var appendSeconds = 0.0
        var subscribers = 0
        var subscriberOverflows = 0
    }

    private let state = Mutex(State())

    public init() {}

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let key = RequestKey(method: method, route: route, status: status)
        state.withLock { state in
            let old = state.requests[key] ?? (0, 0)
            state.requests[key] = (old.count + 1, old.seconds + duration.inSeconds)
        }
    }

    func recordAppend(duration: Duration) {
        state.withLock { state in
            state.appends += 1
            state.appendSeconds += duration.inSeconds
        }
    }

    func subscriberStarted() { state.withLock { $0.subscribers += 1 } }
    func subscriberEnded() { state.withLock { $0.subscribers -= 1 } }
    func subscriberOverflowed() { state.withLock { $0.subscriberOverflows += 1 } }

    /// The number of live SSE subscribers.
    public var subscribers: Int { state.withLock { $0.subscribers } }

    /// Prometheus text exposition; `lag` is each projection's distance behind the log head.
    func render(head: Int64?, lag: [String: Int64]) -> String {
        let snapshot = state.withLock { $0 }
        var lines: [String] = []
        lines.append("# HELP stipple_http_requests_total HTTP requests by route and status.")
        lines.append("# TYPE stipple_http_requests_total counter")
        let keys = snapshot.requests.keys.sorted { ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status) }
        for key in keys {
            lines.append("stipple_http_requests_total{\(labels(key))} \(snapshot.requests[key]?.count ?? 0)")
        }
        lines.append("# HELP stipple_http_request_duration_seconds_sum Total time spent answering, by route.")
        lines.append("# TYPE stipple_http_request_duration_seconds_sum counter")
        for key in keys {
            lines.append(
                "stipple_http_request_duration_seconds_sum{\(labels(key))} \(snapshot.requests[key]?.seconds ?? 0)")
        }
        lines.append("# HELP stipple_appends_total Appends made by commands.")
        lines.append("# TYPE stipple_appends_total counter")
        lines.append("stipple_appends_total \(snapshot.appends)")
        lines.append("# HELP stipple_append_duration_seconds_sum Time spent appending.")
        lines.append("# TYPE stipple_append_duration_seconds_sum counter")
        lines.append("stipple_append_duration_seconds_sum \(snapshot.appendSeconds)")
        lines.append("# HELP stipple_sse_subscribers Live server-sent-event subscribers.")
        lines.append("# TYPE stipple_sse_subscribers gauge")
        lines.append("stipple_sse_subscribers \(snapshot.subscribers)")
        lines.append("# HELP stipple_sse_overflows_total Subscribers disconnected for falling too far behind.")
        lines.append("# TYPE stipple_sse_overflows_total counter")
        lines.append("stipple_sse_overflows_total \(snapshot.subscriberOverflows)")
        if let head {
            lines.append("# HELP stipple_log_head_position The position of the last event in the log.")
            lines.append("# TYPE stipple_log_head_position gauge")
            lines.append("stipple_log_head_position \(head)")
        }
        lines.append("# HELP stipple_projection_lag_events Events a projection is behind the log head.")
        lines.append("# TYPE stipple_projection_lag_events gauge")
        for (name, value) in lag.sorted(by: { $0.key < $1.key }) {
            lines.append("stipple_projection_lag_events{projection=\"\(escape(name))\"} \(value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func labels(_ key: RequestKey) -> String {
        "method=\"\(escape(key.method))\",route=\"\(escape(key.route))\",status=\"\(key.status)\""
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
