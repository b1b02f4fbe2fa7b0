import Foundation
import NIOCore
import NIOPosix

@testable import StippleServer

/// A webhook receiver on 127.0.0.1 (free port) that answers each request as a script says:
/// a status, a dropped connection, or no answer at all (the sender times out).
final class WebhookReceiver: Sendable {
    enum Action: Sendable {
        case status(Int)
        /// Answer `status` after a pause.
        case slow(Int, Duration)
        /// Close the connection without answering.
        case close
        /// Never answer (until the sender gives up).
        case hang
    }

    struct Received: Sendable {
        var number: Int
        var headers: [String: String]
        var body: Data
        var action: Action
        /// Whether a 2xx was sent back.
        var acknowledged: Bool
    }

    let port: Int
    let received = Locked<[Received]>([])
    /// Requests read completely, answered or not.
    let inFlight = Locked<Int>(0)
    private let server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
    private let script: @Sendable (Int) -> Action

    private init(
        server: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>,
        script: @escaping @Sendable (Int) -> Action
    ) {
        self.server = server
        self.port = server.channel.localAddress?.port ?? 0
        self.script = script
    }

    /// Starts a receiver, runs `body` with it, and stops it.
    static func with<T: Sendable>(
        script: @escaping @Sendable (Int) -> Action, _ body: (WebhookReceiver) async throws -> T
    ) async throws -> T {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let receiver = WebhookReceiver(server: server, script: script)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await receiver.serve() }
            defer { group.cancelAll() }
            let value = try await body(receiver)
            server.channel.close(promise: nil)
            return value
        }
    }

    private func serve() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { try? await self.handle(connection) }
                }
            }
        }
    }

    private func handle(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var bytes: [UInt8] = []
            for try await chunk in inbound {
                bytes += chunk.readableBytesView
                guard let end = bytes.firstRange(of: [13, 10, 13, 10]) else { continue }
                let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                        .trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                guard bytes.count >= end.upperBound + length else { continue }
                let body = Data(bytes[end.upperBound..<(end.upperBound + length)])
                inFlight.withLock { $0 += 1 }
                let number = received.withLock { $0.count + 1 }
                let action = script(number)
                var status: Int?
                switch action {
                case .status(let code): status = code
                case .slow(let code, let pause):
                    try await Task.sleep(for: pause)
                    status = code
                case .close: status = nil
                case .hang:
                    received.withLock {
                        $0.append(
                            Received(number: number, headers: headers, body: body, action: action, acknowledged: false))
                    }
                    try await Task.sleep(for: .seconds(30))
                    return
                }
                let acknowledged = status.map { (200..<300).contains($0) } ?? false
                received.withLock {
                    $0.append(
                        Received(
                            number: number, headers: headers, body: body, action: action, acknowledged: acknowledged))
                }
                if let status {
                    try await outbound.write(
                        ByteBuffer(string: "HTTP/1.1 \(status) X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"))
                }
                return
            }
        }
    }
}
