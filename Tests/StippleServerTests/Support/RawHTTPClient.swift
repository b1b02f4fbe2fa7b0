import Foundation
import NIOCore
import NIOPosix

/// A tiny HTTP/1.1 client over 127.0.0.1 for the live-server tests: plain requests
/// (`Connection: close`) and server-sent-event streams (chunked bodies decoded as they come).
enum RawHTTPClient {
    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    /// One server-sent event, or a comment line.
    struct SSEFrame: Sendable {
        var id: String?
        var event: String?
        var data: String
        var isComment: Bool
        var receivedAt: Date
    }

    static func connect(port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    static func requestHead(_ method: String, _ path: String, headers: [String: String], bodyLength: Int?) -> String {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let bodyLength { text += "Content-Length: \(bodyLength)\r\nConnection: close\r\n" }
        return text + "\r\n"
    }

    static func send(
        port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil
    ) async throws -> Reply {
        let channel = try await connect(port: port)
        return try await channel.executeThenClose { inbound, outbound in
            var buffer = ByteBuffer(string: requestHead(method, path, headers: headers, bodyLength: body?.count ?? 0))
            if let body { buffer.writeBytes(body) }
            try await outbound.write(buffer)
            var bytes: [UInt8] = []
            for try await chunk in inbound { bytes += chunk.readableBytesView }
            var parser = ResponseParser()
            parser.feed(bytes)
            guard let head = parser.head else { throw ParseError.noHead }
            return Reply(status: head.status, headers: head.headers, body: Data(parser.body))
        }
    }

    /// Opens an SSE stream and hands each frame to `onFrame` until it returns false or `timeout` passes.
    static func stream(
        port: Int, path: String, headers: [String: String], timeout: Duration,
        onFrame: @Sendable (SSEFrame) async -> Bool
    ) async throws -> Int {
        let channel = try await connect(port: port)
        return try await channel.executeThenClose { inbound, outbound in
            var all = headers
            all["Accept"] = "text/event-stream"
            try await outbound.write(ByteBuffer(string: requestHead("GET", path, headers: all, bodyLength: nil)))
            var parser = ResponseParser()
            var pending: [UInt8] = []
            let deadline = ContinuousClock.now + timeout
            for try await chunk in inbound {
                parser.feed(Array(chunk.readableBytesView))
                pending += parser.takeBody()
                while let range = pending.firstRange(of: [10, 10]) {
                    let frameText = String(decoding: pending[..<range.lowerBound], as: UTF8.self)
                    pending.removeSubrange(..<range.upperBound)
                    if !(await onFrame(parseFrame(frameText))) { return parser.head?.status ?? 0 }
                }
                if ContinuousClock.now > deadline { throw ParseError.timeout }
            }
            return parser.head?.status ?? 0
        }
    }

    static func parseFrame(_ text: String) -> SSEFrame {
        var frame = SSEFrame(id: nil, event: nil, data: "", isComment: false, receivedAt: Date())
        var dataLines: [String] = []
        var onlyComments = true
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(":") { continue }
            onlyComments = false
            if line.hasPrefix("id: ") { frame.id = String(line.dropFirst(4)) }
            if line.hasPrefix("event: ") { frame.event = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { dataLines.append(String(line.dropFirst(6))) }
        }
        frame.data = dataLines.joined(separator: "\n")
        frame.isComment = onlyComments
        return frame
    }

    enum ParseError: Error { case noHead, timeout }

    /// Splits a response into head and body, decoding `Transfer-Encoding: chunked` incrementally.
    struct ResponseParser {
        struct Head {
            var status: Int
            var headers: [String: String]
            var chunked: Bool
        }

        var head: Head?
        var raw: [UInt8] = []
        var body: [UInt8] = []
        var taken = 0

        mutating func feed(_ bytes: [UInt8]) {
            raw += bytes
            if head == nil {
                guard let end = raw.firstRange(of: [13, 10, 13, 10]) else { return }
                let lines = String(decoding: raw[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                        .trimmingCharacters(in: .whitespaces)
                }
                head = Head(status: status, headers: headers, chunked: headers["transfer-encoding"] == "chunked")
                raw.removeSubrange(..<end.upperBound)
            }
            guard let head else { return }
            if !head.chunked {
                body += raw
                raw.removeAll()
                return
            }
            while let lineEnd = raw.firstRange(of: [13, 10]) {
                let sizeText = String(decoding: raw[..<lineEnd.lowerBound], as: UTF8.self)
                guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else { return }
                let start = lineEnd.upperBound
                guard raw.count >= start + size + 2 else { return }
                body += raw[start..<(start + size)]
                raw.removeSubrange(..<(start + size + 2))
            }
        }

        mutating func takeBody() -> [UInt8] {
            let part = Array(body[taken...])
            taken = body.count
            return part
        }
    }
}
