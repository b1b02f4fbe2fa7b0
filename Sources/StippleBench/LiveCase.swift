import EventStore
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import StippleServer
import Synchronization

/// Live delivery: the real HTTP app on a loopback port, `subscribers` SSE clients over TCP following a
/// category, and `writers` tasks appending to it at a steady `rate` events/s through `EventStore.append`.
///
/// Measures, per event and subscriber, the time from the start of the append call (and from its return)
/// to the event's arrival at the subscriber; every subscriber must get every event once, in order.
enum LiveCase {
    struct Parameters: Sendable {
        var subscribers: Int
        var rate: Int
        var seconds: Double
        var writers: Int
        /// The prefix of the figures (`live`; `fanout` for the many-subscribers case).
        var key = "live"
    }

    struct Run {
        var fromStart: [Double]
        var fromReturn: [Double]
        var appended: Int
        var lost: Int
        var duplicated: Int
        var outOfOrder: Int
        var achievedRate: Double
        /// Resident memory added per open subscriber (server and client side, both in this process), KiB.
        var rssPerSubscriber: Double
    }

    /// One append: when it began and returned, and where its event landed.
    struct Appended: Sendable {
        var position: Int64
        var began: ContinuousClock.Instant
        var returned: ContinuousClock.Instant
    }

    /// Starts the app, then warm-up and `runs` measured runs; prints `RESULT live.*` lines.
    static func measure(store: EventStore, parameters: Parameters, runs: Int, warmup: Bool) async throws {
        let app = StippleApp(
            store: store,
            configuration: StippleServerConfiguration(
                port: 0,
                subscriptions: .init(heartbeat: .seconds(1), maximumSubscribers: max(64, parameters.subscribers + 8)),
                runProjections: false, runWebhooks: false))
        let secret = try await app.keys.create(name: "bench-live-\(UUID().uuidString.prefix(8))", role: .auditor).secret
        var logger = Logger(label: "stipple.bench")
        logger.logLevel = .warning
        let port = BoundPort()
        let application = app.buildApplication(logger: logger) { value in port.value.store(value, ordering: .releasing)
        }
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                var bound: Int?
                for _ in 0..<400 where bound == nil {
                    try await Task.sleep(for: .milliseconds(25))
                    let value = port.value.load(ordering: .acquiring)
                    bound = value > 0 ? value : nil
                }
                guard let serverPort = bound else { throw BenchError.failed("live: the server did not start") }
                try await measureRuns(
                    store: store, server: Server(port: serverPort, secret: secret, metrics: app.metrics),
                    parameters: parameters, runs: runs, warmup: warmup)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }

    /// Where the app listens, the key to subscribe with, and its metrics (to see subscriptions end).
    struct Server: Sendable {
        var port: Int
        var secret: String
        var metrics: Metrics
    }

    static func measureRuns(
        store: EventStore, server: Server, parameters: Parameters, runs: Int, warmup: Bool
    ) async throws {
        if warmup {
            var short = parameters
            short.seconds = min(parameters.seconds, 1)
            _ = try await run(store: store, server: server, parameters: short, tag: "warm")
        }
        var p50: [Double] = []
        var p95: [Double] = []
        var p99: [Double] = []
        var worst: [Double] = []
        var returnP50: [Double] = []
        var returnP99: [Double] = []
        var rates: [Double] = []
        var memory: [Double] = []
        var failures: [String] = []
        for index in 0..<runs {
            let result = try await run(store: store, server: server, parameters: parameters, tag: "r\(index)")
            p50.append(Stats.quantile(result.fromStart, 0.50))
            p95.append(Stats.quantile(result.fromStart, 0.95))
            p99.append(Stats.quantile(result.fromStart, 0.99))
            worst.append(result.fromStart.max() ?? 0)
            returnP50.append(Stats.quantile(result.fromReturn, 0.50))
            returnP99.append(Stats.quantile(result.fromReturn, 0.99))
            rates.append(result.achievedRate)
            memory.append(result.rssPerSubscriber)
            Report.note(
                "\(parameters.key) run \(index + 1): \(parameters.subscribers) subscribers, \(result.appended) events at "
                    + String(format: "%.0f events/s; ", result.achievedRate)
                    + String(
                        format: "append start → subscriber p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; ",
                        p50[index], p95[index], p99[index], worst[index])
                    + String(
                        format: "append return → subscriber p50 %.2f ms, p99 %.2f ms; ", returnP50[index],
                        returnP99[index])
                    + "lost \(result.lost), duplicated \(result.duplicated), out of order \(result.outOfOrder); "
                    + String(format: "%.1f KiB resident per subscriber", result.rssPerSubscriber))
            if result.lost + result.duplicated + result.outOfOrder > 0 {
                failures.append(
                    "run \(index + 1): \(result.lost) lost, \(result.duplicated) duplicated, "
                        + "\(result.outOfOrder) out of order")
            }
        }
        Report.figure("\(parameters.key).p50", p50, unit: "ms")
        Report.figure("\(parameters.key).p95", p95, unit: "ms")
        Report.figure("\(parameters.key).p99", p99, unit: "ms")
        Report.figure("\(parameters.key).max", worst, unit: "ms")
        Report.figure("\(parameters.key).return.p50", returnP50, unit: "ms")
        Report.figure("\(parameters.key).return.p99", returnP99, unit: "ms")
        Report.figure("\(parameters.key).rate", rates, unit: "events/s")
        Report.figure("\(parameters.key).subscribers", [Double(parameters.subscribers)], unit: "subscribers")
        Report.figure("\(parameters.key).rss_per_subscriber", memory, unit: "KiB")
        guard failures.isEmpty else {
            throw BenchError.failed("live: deliveries were wrong: " + failures.joined(separator: "; "))
        }
    }

    /// One run: subscribers connect after the head, writers append for `seconds`, then every subscriber
    /// must have received every appended event (waited for up to 10 s after the last append).
    static func run(store: EventStore, server: Server, parameters: Parameters, tag: String) async throws -> Run {
        // The previous run's subscriptions end when the server next writes to their closed connections.
        let quiet = ContinuousClock.now + .seconds(30)
        while server.metrics.subscribers > 0 {
            guard ContinuousClock.now < quiet else {
                throw BenchError.failed(
                    "live: \(server.metrics.subscribers) subscriptions of the last run are still open")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let head = try await store.headPosition()
        let category = "live"
        let path = "/v1/subscribe?category=\(category)&after=\(head)"
        let residentBefore = PeakMemory.residentKilobytes()
        let clients = try await withThrowingTaskGroup(of: SSEClient.self) { group in
            for _ in 0..<parameters.subscribers {
                group.addTask { try await SSEClient.open(port: server.port, path: path, secret: server.secret) }
            }
            var clients: [SSEClient] = []
            for try await client in group { clients.append(client) }
            return clients
        }
        let readers = clients.map { client in Task { try await client.read() } }
        // Every stream has sent its opening comment: the subscriptions exist before the first append.
        let ready = ContinuousClock.now + .seconds(30)
        while clients.contains(where: { !$0.isOpen }) {
            guard ContinuousClock.now < ready else {
                let open = clients.filter(\.isOpen).count
                throw BenchError.failed("live: only \(open) of \(clients.count) subscribers connected")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        let rssPerSubscriber = (PeakMemory.residentKilobytes() - residentBefore) / Double(clients.count)

        let total = max(1, Int(Double(parameters.rate) * parameters.seconds))
        let writers = max(1, min(parameters.writers, total))
        let interval = Duration.seconds(1) / parameters.rate
        let token = String(UUID().uuidString.prefix(8)).lowercased()
        let start = ContinuousClock.now + .milliseconds(20)
        let appended = try await withThrowingTaskGroup(of: [Appended].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    let stream = try EventStreamName("\(category)-\(tag)-\(token)-w\(writer)")
                    var version: Int? = nil
                    var records: [Appended] = []
                    records.reserveCapacity(total / writers + 1)
                    var index = writer
                    while index < total {
                        // Scheduled on the clock: a late append does not push the later ones back.
                        try await Task.sleep(until: start + interval * index, clock: .continuous)
                        let event = NewEvent(
                            type: "bench.appended", schemaVersion: 1, json: AppendCase.data,
                            metadata: AppendCase.metadata)
                        let began = ContinuousClock.now
                        let result = try await store.append(
                            [event], to: stream, expectedVersion: version.map { .exact($0) } ?? .noStream)
                        let returned = ContinuousClock.now
                        version = result.streamVersion
                        guard let position = result.positions.first else {
                            throw BenchError.failed("live: an append returned no position")
                        }
                        records.append(Appended(position: position, began: began, returned: returned))
                        index += writers
                    }
                    return records
                }
            }
            var all: [Appended] = []
            for try await records in group { all += records }
            return all.sorted { $0.position < $1.position }
        }
        let appendSeconds = seconds(since: start)

        // Wait until every subscriber has everything, or give up after 10 s and count what is missing.
        let deadline = ContinuousClock.now + .seconds(10)
        while clients.contains(where: { $0.count < appended.count }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        for client in clients { client.close() }
        var fromStart: [Double] = []
        var fromReturn: [Double] = []
        fromStart.reserveCapacity(appended.count * clients.count)
        fromReturn.reserveCapacity(appended.count * clients.count)
        var lost = 0
        var duplicated = 0
        var outOfOrder = 0
        let byPosition = Dictionary(uniqueKeysWithValues: appended.map { ($0.position, $0) })
        for reader in readers {
            let arrivals = try await reader.value
            var seen = Set<Int64>()
            var previous: Int64 = head
            for arrival in arrivals {
                if arrival.position <= previous { outOfOrder += 1 }
                previous = max(previous, arrival.position)
                guard seen.insert(arrival.position).inserted else {
                    duplicated += 1
                    continue
                }
                guard let append = byPosition[arrival.position] else {
                    duplicated += 1  // not one of this run's events: delivered but never appended here
                    continue
                }
                fromStart.append(milliseconds(arrival.at - append.began))
                fromReturn.append(milliseconds(arrival.at - append.returned))
            }
            lost += appended.count - seen.intersection(byPosition.keys).count
        }
        return Run(
            fromStart: fromStart, fromReturn: fromReturn, appended: appended.count, lost: lost,
            duplicated: duplicated, outOfOrder: outOfOrder, achievedRate: Double(appended.count) / appendSeconds,
            rssPerSubscriber: rssPerSubscriber)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

/// A minimal SSE client over HTTP/1.1: decodes the chunked body as it arrives and notes, for each event,
/// its `id:` (the log position) and the moment its frame was complete.
final class SSEClient: Sendable {
    struct Arrival: Sendable {
        var position: Int64
        var at: ContinuousClock.Instant
    }

    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let opened = Atomic<Bool>(false)
    private let received = Atomic<Int>(0)

    let request: String

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, request: String) {
        self.channel = channel
        self.request = request
    }

    /// Connects; `read` sends the request.
    static func open(port: Int, path: String, secret: String) async throws -> SSEClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(secret)\r\n"
            + "Accept: text/event-stream\r\n\r\n"
        return SSEClient(channel: channel, request: request)
    }

    /// True once the stream's opening comment arrived.
    var isOpen: Bool { opened.load(ordering: .acquiring) }
    /// Events received so far.
    var count: Int { received.load(ordering: .acquiring) }

    /// Closes the connection; `read` then returns what arrived.
    func close() {
        channel.channel.close(promise: nil)
    }

    /// Sends the request and reads until the connection closes; throws if the stream ends with anything
    /// but a close by us.
    func read() async throws -> [Arrival] {
        let (arrivals, status) = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var arrivals: [Arrival] = []
            arrivals.reserveCapacity(8192)
            var parser = Parser()
            do {
                for try await buffer in inbound {
                    let now = ContinuousClock.now
                    buffer.withUnsafeReadableBytes { bytes in
                        for byte in bytes {
                            guard let frame = parser.feed(byte) else { continue }
                            switch frame {
                            case .comment:
                                opened.store(true, ordering: .releasing)
                            case .event(let position):
                                arrivals.append(Arrival(position: position, at: now))
                                received.add(1, ordering: .releasing)
                            case .ending:
                                break
                            }
                        }
                    }
                    if let ending = parser.ending {
                        throw BenchError.failed("live: a subscription ended with '\(ending)'")
                    }
                }
            } catch let error as ChannelError where error == .ioOnClosedChannel || error == .alreadyClosed {
                // closed by us
            }
            return (arrivals, parser.status)
        }
        if status != 200 { throw BenchError.failed("live: subscribe answered HTTP \(status)") }
        return arrivals
    }

    /// Response head, then chunked framing, then SSE lines, one byte at a time.
    struct Parser {
        enum Frame { case comment, event(Int64), ending }
        enum State { case head, size, sizeExtension, sizeLF, data, dataCR, dataLF }

        var state = State.head
        var headBytes: [UInt8] = []
        var status = 0
        var remaining = 0
        var size = 0
        // The current SSE line and frame.
        var line: [UInt8] = []
        var lineLength = 0
        var frameID: Int64?
        var frameEvent: String?
        var frameHasFields = false
        var ending: String?

        mutating func feed(_ byte: UInt8) -> Frame? {
            switch state {
            case .head:
                headBytes.append(byte)
                if headBytes.count >= 4, headBytes.suffix(4) == [13, 10, 13, 10] {
                    let text = String(decoding: headBytes, as: UTF8.self)
                    status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
                    state = .size
                    size = 0
                }
                return nil
            case .size:
                if let digit = Self.hex(byte) {
                    size = size * 16 + digit
                } else if byte == 13 {
                    state = .sizeLF
                } else {
                    state = .sizeExtension
                }
                return nil
            case .sizeExtension:
                if byte == 13 { state = .sizeLF }
                return nil
            case .sizeLF:
                remaining = size
                size = 0
                state = remaining == 0 ? .size : .data
                return nil
            case .data:
                remaining -= 1
                if remaining == 0 { state = .dataCR }
                return body(byte)
            case .dataCR:
                state = .dataLF
                return nil
            case .dataLF:
                state = .size
                return nil
            }
        }

        /// One byte of the SSE body.
        mutating func body(_ byte: UInt8) -> Frame? {
            guard byte == 10 else {
                lineLength += 1
                if line.count < 40 { line.append(byte) }
                return nil
            }
            defer {
                line.removeAll(keepingCapacity: true)
                lineLength = 0
            }
            if lineLength == 0 {
                // A blank line ends the frame.
                defer {
                    frameID = nil
                    frameEvent = nil
                    frameHasFields = false
                }
                if let frameID { return .event(frameID) }
                if let frameEvent, frameHasFields {
                    ending = frameEvent
                    return .ending
                }
                return .comment
            }
            if line.first == UInt8(ascii: ":") { return nil }
            frameHasFields = true
            if line.starts(with: Array("id: ".utf8)) {
                var value: Int64 = 0
                for digit in line.dropFirst(4) where (48...57).contains(digit) {
                    value = value * 10 + Int64(digit - 48)
                }
                frameID = value
            } else if line.starts(with: Array("event: ".utf8)) {
                frameEvent = String(decoding: line.dropFirst(7), as: UTF8.self)
            }
            return nil
        }

        static func hex(_ byte: UInt8) -> Int? {
            switch byte {
            case 48...57: Int(byte - 48)
            case 65...70: Int(byte - 55)
            case 97...102: Int(byte - 87)
            default: nil
            }
        }
    }
}

/// The port the server bound, once it did (0 before).
final class BoundPort: Sendable {
    let value = Atomic<Int>(0)
}
