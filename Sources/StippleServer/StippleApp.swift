import Clinic
import ClinicService
import EventStore
import Foundation
import Hummingbird
import Logging
import Projections
import ServiceLifecycle

/// How the HTTP server runs.
public struct StippleServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body, in bytes (413 beyond).
    public var bodyLimit: Int
    public var subscriptions: SubscriptionStreamer.Configuration
    public var settings: ClinicSettings
    /// Keep the projections up to date inside the server process.
    public var runProjections: Bool
    /// Deliver webhooks from this process.
    public var runWebhooks: Bool
    public var webhooks: WebhookService.Configuration
    /// Console sessions end after this long without a request.
    public var consoleIdleTimeout: Duration
    /// Mark console cookies `Secure` on every answer (set when clients reach the server over TLS; behind a
    /// TLS proxy, `X-Forwarded-Proto: https` does the same per request).
    public var secureCookies: Bool

    public init(
        host: String = "127.0.0.1", port: Int = 8080, bodyLimit: Int = 1 << 20,
        subscriptions: SubscriptionStreamer.Configuration = .init(), settings: ClinicSettings = .standard,
        runProjections: Bool = true, runWebhooks: Bool = true, webhooks: WebhookService.Configuration = .init(),
        consoleIdleTimeout: Duration = .seconds(30 * 60), secureCookies: Bool = false
    ) {
        self.host = host
        self.port = port
        self.bodyLimit = bodyLimit
        self.subscriptions = subscriptions
        self.settings = settings
        self.runProjections = runProjections
        self.runWebhooks = runWebhooks
        self.webhooks = webhooks
        self.consoleIdleTimeout = consoleIdleTimeout
        self.secureCookies = secureCookies
    }
}

/// The server's parts, shared by the router and the services.
public struct StippleApp: Sendable {
    public let store: EventStore
    public let configuration: StippleServerConfiguration
    public let metrics: Metrics
    public let keys: APIKeyStore
    /// The one live reader of the log in this server: SSE subscribers and webhook deliveries follow it.
    public let follower: LogFollower
    /// This process's leases: which webhooks it delivers and whether it runs the projections, when
    /// several servers share the database.
    public let leases: LeaseHolder
    /// The operator console's sessions.
    public let sessions: ConsoleSessionStore
    /// The one projection runner of this server: it keeps the read models following the log (when
    /// `runProjections`), and is the one read path for where they stand (`/health`, the console's waits).
    public let projections: ProjectionRunner

    public init(store: EventStore, configuration: StippleServerConfiguration = .init()) {
        self.store = store
        self.configuration = configuration
        self.metrics = Metrics()
        self.keys = APIKeyStore(pool: store.pool)
        self.follower = SubscriptionStreamer.follower(store: store, configuration: configuration.subscriptions)
        self.leases = LeaseHolder(configuration: store.pool.configuration)
        self.sessions = ConsoleSessionStore(pool: store.pool, idleTimeout: configuration.consoleIdleTimeout)
        self.projections = ProjectionRunner(store: store, projections: ClinicProjections.all(for: store))
    }

    /// The largest request line plus headers the HTTP parser takes (bytes).
    public static let maximumRequestHead = 256 * 1024

    /// The router with every route, and the table of those routes.
    public func buildRouter() -> (router: Router<BasicRequestContext>, endpoints: [Endpoint]) {
        let router = Router(context: BasicRequestContext.self)
        // A span per request (a no-op unless `stipple serve --otel-endpoint` bootstrapped a tracer),
        // continuing the trace of an incoming `traceparent`; outermost, so problems are in it too. The
        // console's client search (`q`) names people: its value stays out of the span.
        router.add(middleware: TracingMiddleware<BasicRequestContext>(redactingQueryParameters: ["q"]))
        router.add(middleware: ProblemMiddleware<BasicRequestContext>(metrics: metrics))
        router.add(middleware: RequestTextMiddleware<BasicRequestContext>())
        let routes = APIRoutes(router: router, keys: keys)
        let metrics = self.metrics
        let handler = CommandHandler(
            store: store, settings: configuration.settings, maxAttempts: 5,
            appendObserver: { metrics.recordAppend(duration: $0) })
        SystemRoutes(routes: routes, store: store, projections: projections, metrics: metrics).register()
        CommandRoutes(
            routes: routes, handler: handler, idempotency: IdempotencyStore(pool: store.pool),
            bodyLimit: configuration.bodyLimit
        ).register()
        QueryRoutes(routes: routes, pool: store.pool, store: store).register()
        SettingsRoutes(routes: routes, handler: handler).register()
        PhotoRoutes(
            routes: routes, photos: PhotoService(store: store, settings: configuration.settings),
            access: APIAccessLog(pool: store.pool)
        ).register()
        PortfolioRoutes(
            routes: routes, queries: PortfolioQueries(pool: store.pool), access: APIAccessLog(pool: store.pool)
        ).register()
        FeedRoutes(
            routes: routes, store: store,
            subscriptions: SubscriptionStreamer(
                store: store, configuration: configuration.subscriptions, metrics: metrics, follower: follower)
        ).register()
        KeyRoutes(routes: routes, keys: keys, bodyLimit: configuration.bodyLimit).register()
        WebhookRoutes(
            routes: routes, webhooks: WebhookStore(pool: store.pool), bodyLimit: configuration.bodyLimit,
            destinations: configuration.webhooks.destinations, now: configuration.webhooks.now
        ).register()
        registerConsole(on: router, handler: handler)
        return (router, routes.endpoints)
    }

    /// The operator console (`/console`); when its templates cannot be loaded (a broken install) its pages
    /// answer 503 saying so, and the API runs on.
    private func registerConsole(on router: Router<BasicRequestContext>, handler: CommandHandler) {
        do {
            ConsoleRoutes(
                store: store, keys: keys, sessions: sessions, handler: handler, follower: follower,
                projections: projections,
                photos: PhotoService(store: store, settings: configuration.settings),
                templates: try ConsoleTemplates.load(), searchKey: BlindIndexKey(vault: store.vault),
                secureCookies: configuration.secureCookies, bodyLimit: configuration.bodyLimit
            ).register(on: router)
        } catch {
            let problem = Problem.unavailable("the console's templates could not be loaded: \(error)")
            router.get("/console/**") { _, _ -> Response in throw problem }
        }
    }

    /// The Hummingbird application: the router, the log follower, the projection runner and the
    /// webhook deliveries as services, graceful shutdown through the service group that runs it.
    public func buildApplication(
        logger: Logger = Logger(label: "stipple.server"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let (router, _) = buildRouter()
        // The one live reader of the log: SSE subscribers and webhook deliveries are its subscriptions.
        var services: [any Service] = [LogFollowerService(follower: follower)]
        if configuration.runProjections {
            services.append(
                ProjectionService(
                    runner: projections,
                    leases: leases, logger: logger))
        }
        if configuration.runWebhooks {
            services.append(
                WebhookService(
                    store: store, configuration: configuration.webhooks, logger: logger, follower: follower,
                    leases: leases))
        }
        // The request head may be up to 256 KiB, so an over-long path (up to that size) reaches
        // `RequestTextMiddleware` and is answered with a 414 problem; beyond it the parser refuses the
        // head and `OversizedHeadHandler` answers 414 or 431 with a problem, not Hummingbird's bare 400.
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [OversizedHeadHandler()],
                    httpDecoderConfiguration: .init(
                        maxHeaderFieldSize: Self.maximumRequestHead, maxHeaderListSize: Self.maximumRequestHead))),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "stipple"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}

/// Keeps the read models following the log until shutdown, while this process holds the
/// projections' lease: of several servers on one database one runs them, and another takes over
/// within `retry` of its death.
struct ProjectionService: Service {
    static let lease = "projections"

    let runner: ProjectionRunner
    let leases: LeaseHolder
    let logger: Logger
    var retry: Duration = .seconds(2)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                guard (try? await leases.acquire(Self.lease)) == true else {
                    try? await Task.sleep(for: retry)
                    continue
                }
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while !Task.isCancelled {
                            do {
                                try await runner.follow()
                            } catch {
                                try? await Task.sleep(for: .seconds(1))
                            }
                        }
                    }
                    // The lease holds while its connection does; once it broke, another process may run them.
                    while !Task.isCancelled, await leases.verify().contains(Self.lease) {
                        try? await Task.sleep(for: retry)
                    }
                    if !Task.isCancelled {
                        logger.warning("projections: lost the lease; stopping the runner until it is retaken")
                    }
                    group.cancelAll()
                }
            }
            await leases.release(Self.lease)
        }
    }
}

/// Runs the server's shared `LogFollower` until shutdown, which ends every subscription.
struct LogFollowerService: Service {
    let follower: LogFollower

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await follower.run()
        }
    }
}
