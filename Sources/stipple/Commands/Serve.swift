import ArgumentParser
import EventStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import StippleServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API (commands, queries, event feed, live subscriptions) until SIGTERM or SIGINT.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(
        help:
            "Database connections the server may hold, the one that listens for appends and the one holding leases included."
    )
    var connections = 16

    @Option(help: "Most concurrent live subscribers (GET /v1/subscribe); 503 with Retry-After beyond.")
    var maxSubscribers = 2000

    @Flag(help: "Do not keep the projections up to date in this process (another one does).")
    var noProjections = false

    @Flag(help: "Also deliver webhooks to http:// receivers (default: https:// only).")
    var webhookAllowHttp = false

    @Flag(help: "Also deliver webhooks to loopback, private and link-local addresses (default: public only).")
    var webhookAllowPrivate = false

    @Option(help: "A PEM file of the certificate authorities to trust for https:// webhook receivers.")
    var webhookCaFile: String?

    @Option(
        help:
            "Disable a webhook after this many consecutive failed deliveries (spanning --webhook-disable-after-hours); re-enabled by POST /v1/webhooks/{id}/enable."
    )
    var webhookDisableAfterFailures = WebhookPolicy.standard.failures

    @Option(help: "…and only once its failures have lasted at least this many hours.")
    var webhookDisableAfterHours = Double(WebhookPolicy.standard.period.components.seconds) / 3600

    @Option(
        help:
            "Export traces (a span per request, append and projection batch) over OTLP/HTTP to this URL, e.g. http://127.0.0.1:4318 (/v1/traces is added to a URL without a path). No tracing without it."
    )
    var otelEndpoint: String?

    @Flag(help: "Mark the console's cookies Secure (clients reach this server over TLS).")
    var secureCookies = false

    @Option(help: "Minutes a console session stays valid without use.")
    var consoleIdleMinutes = 30

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (3...200).contains(connections) else { throw ValidationError("--connections must be 3–200") }
        guard (1...100_000).contains(maxSubscribers) else {
            throw ValidationError("--max-subscribers must be 1–100000")
        }
        guard (1...100_000).contains(webhookDisableAfterFailures) else {
            throw ValidationError("--webhook-disable-after-failures must be 1–100000")
        }
        guard webhookDisableAfterHours.isFinite, (0...8760).contains(webhookDisableAfterHours) else {
            throw ValidationError("--webhook-disable-after-hours must be 0–8760 (a year)")
        }
        if let otelEndpoint {
            guard let url = URL(string: otelEndpoint), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                url.host?.isEmpty == false
            else {
                throw ValidationError(
                    "--otel-endpoint must be an http:// or https:// URL, e.g. http://127.0.0.1:4318/v1/traces")
            }
        }
        guard (1...1440).contains(consoleIdleMinutes) else {
            throw ValidationError("--console-idle-minutes must be 1–1440")
        }
    }

    func run() async throws {
        try await reportingErrors {
            // The API reads and writes client personal data: refuse to start without a usable master key
            // rather than fail request by request.
            _ = try database.masterKey.get()
            // Two are the store's listener (`LogNotifier`, shared by every live reader) and the app's leases.
            let pool = try database.pool(maximumConnections: connections - 2)
            let applied = try await database.migrator().appliedVersions(pool: pool)
            guard applied.contains(5), applied.contains(6), applied.contains(10) else {
                throw UserError("the database lacks the API or console tables: run `stipple migrate`")
            }
            let app = StippleApp(
                store: database.store(pool),
                configuration: StippleServerConfiguration(
                    host: host, port: port, subscriptions: .init(maximumSubscribers: maxSubscribers),
                    runProjections: !noProjections,
                    webhooks: .init(
                        destinations: WebhookDestinations(
                            allowHTTP: webhookAllowHttp, allowPrivateAddresses: webhookAllowPrivate,
                            trustedCAFile: webhookCaFile),
                        policy: WebhookPolicy(
                            failures: webhookDisableAfterFailures,
                            period: .milliseconds(Int64(webhookDisableAfterHours * 3_600_000)))),
                    consoleIdleTimeout: .seconds(consoleIdleMinutes * 60), secureCookies: secureCookies))
            // Libraries' swift-metrics land in the registry /metrics renders.
            MetricsSystem.bootstrap(app.metrics.factory)
            var logger = Logger(label: "stipple.server")
            logger.logLevel = .info
            let host = self.host
            let application = app.buildApplication(logger: logger) { port in
                FileHandle.standardOutput.write(
                    Data("Serving on http://\(host):\(port)\nConsole at http://\(host):\(port)/console\n".utf8))
            }
            // The trace exporter first, so it stops last and flushes the server's final spans.
            var services: [any Service] = []
            if let otelEndpoint, let url = URL(string: otelEndpoint) {
                services.append(try TraceExport.bootstrap(endpoint: url))
            }
            services.append(application)
            // SIGTERM/SIGINT shut down gracefully: open requests finish, SSE subscribers get a shutdown event,
            // a webhook delivery in flight is recorded. A connection that stays open past 30 s does not hold the
            // process: the services are cancelled then, and given 10 s more to end.
            var configuration = ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            configuration.maximumGracefulShutdownDuration = .seconds(30)
            configuration.maximumCancellationDuration = .seconds(10)
            let group = ServiceGroup(configuration: configuration)
            try await group.run()
            await app.leases.close()
            await app.store.notifier.close()
            await pool.close()
        }
    }
}
