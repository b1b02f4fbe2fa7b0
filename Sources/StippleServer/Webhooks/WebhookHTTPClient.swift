import ClinicService
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 client for webhook deliveries: one `POST` per connection over plain
/// TCP (`http://` only), with a connect timeout and an overall deadline per request.
struct WebhookHTTPClient: Sendable {
    var connectTimeout: Duration
    var requestTimeout: Duration

    struct Reply: Sendable {
        var status: Int
        /// The start of the body, for the delivery status.
        var body: String
    }

    enum Failure: Error, CustomStringConvertible {
        case timeout(Duration)
        case closedEarly
        case invalidURL

        var description: String {
            switch self {
            case .timeout(let duration): "no answer within \(duration)"
            case .closedEarly: "the connection closed before a complete answer"
            case .invalidURL: "the URL has no host"
            }
        }
    }

    /// POSTs `body` to `url` and returns the answer; throws on timeouts and network errors.
    func post(url: URL, headers: [(String, String)], body: Data) async throws -> Reply {
        guard let host = url.host, !host.isEmpty else { throw Failure.invalidURL }
        let port = url.port ?? 80
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = components?.percentEncodedPath ?? ""
        let query = components?.percentEncodedQuery.map { "?" + $0 } ?? ""
        let target = (path.isEmpty ? "/" : path) + query
        let hostHeader = url.port.map { "\(host):\($0)" } ?? host
        let opened = Locked<(any Channel)?>(nil)
        let timeout = requestTimeout
        let connectTimeout = TimeAmount.milliseconds(Int64(self.connectTimeout.inSeconds * 1000))
        return try await withThrowingTaskGroup(of: Reply?.self) { group in
            group.addTask {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(connectTimeout)
                    .connect(host: host, port: port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHTTPClientHandlers()
                            return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                                wrappingChannelSynchronously: channel)
                        }
                    }
                opened.withLock { $0 = channel.channel }
                return try await channel.executeThenClose { inbound, outbound in
                    var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target)
                    head.headers.add(name: "Host", value: hostHeader)
                    head.headers.add(name: "Content-Length", value: String(body.count))
                    head.headers.add(name: "Connection", value: "close")
                    for (name, value) in headers { head.headers.add(name: name, value: value) }
                    try await outbound.write(.head(head))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                    try await outbound.write(.end(nil))
                    var status: Int?
                    var text = ""
                    for try await part in inbound {
                        switch part {
                        case .head(let head):
                            status = Int(head.status.code)
                        case .body(let buffer):
                            if text.utf8.count < 300 { text += String(buffer: buffer) }
                        case .end:
                            guard let status else { throw Failure.closedEarly }
                            return Reply(status: status, body: String(text.prefix(300)))
                        }
                    }
                    throw Failure.closedEarly
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let reply = first else {
                opened.withLock { $0 }?.close(promise: nil)
                throw Failure.timeout(timeout)
            }
            return reply
        }
    }
}
