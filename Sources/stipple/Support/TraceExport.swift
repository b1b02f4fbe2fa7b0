import Foundation
import OTel
import ServiceLifecycle
import Tracing

/// `stipple serve --otel-endpoint URL`: spans exported over OTLP/HTTP (protobuf) through
/// swift-otel, the tracer bootstrapped for the whole process. Without the option no tracer is
/// bootstrapped and every span is a no-op.
enum TraceExport {
    /// Where traces go: `url` as given, or `url` + `/v1/traces` when it has no path (OTLP's base-URL form).
    static func tracesURL(_ url: URL) -> String {
        let text = url.absoluteString
        guard url.path.isEmpty || url.path == "/" else { return text }
        return (text.hasSuffix("/") ? String(text.dropLast()) : text) + "/v1/traces"
    }

    /// Bootstraps the process's tracer to export to `endpoint`; returns the exporter's service, to run
    /// (and shut down last, flushing what is left) in the server's service group.
    static func bootstrap(endpoint: URL) throws -> some Service {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "stipple"
        configuration.traces.enabled = true
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = tracesURL(endpoint)
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(tracer)
        return service
    }
}
