import Foundation
import HTTPTypes
import Hummingbird
import Instrumentation
import Tracing
import W3CTraceContext

/// The correlation id written into the metadata of a request's events: the id of the trace the
/// request belongs to, so an event leads to its trace and a trace to its events.
///
/// The trace is the request's span's, as the bootstrapped tracer propagates it (`stipple serve
/// --otel-endpoint`); without a tracer, the one named by an incoming W3C `traceparent` header.
/// A trace id is 16 bytes, as is a UUID: `4bf92f3577b34da6a3ce929d0e0e4736` becomes
/// `4bf92f35-77b3-4da6-a3ce-929d0e0e4736`. No trace, or an invalid `traceparent` (W3C Trace Context
/// says to ignore those, not to refuse the request): a new random id, as before.
enum CorrelationID {
    static let traceparent = HTTPField.Name("traceparent") ?? .contentType

    /// The correlation id for the events of the request with `headers` (none: the current trace's only).
    static func of(_ headers: HTTPFields = [:]) -> UUID {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(
            ServiceContext.current ?? .topLevel, into: &carrier, using: DictionaryInjector())
        return traceID(carrier["traceparent"]) ?? traceID(headers[traceparent]) ?? UUID()
    }

    /// The trace id of a `traceparent` value as a UUID, if the value is valid.
    static func traceID(_ traceparent: String?) -> UUID? {
        guard let traceparent, let context = try? TraceContext(traceParentHeaderValue: traceparent) else {
            return nil
        }
        return UUID(uuid: context.traceID.bytes)
    }

    private struct DictionaryInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
            carrier[key.lowercased()] = value
        }
    }
}
