import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request head the HTTP parser refuses as too large (over `StippleApp.maximumRequestHead`)
/// with a problem document instead of Hummingbird's bare `400`: `414` when the request line alone is
/// longer than the limit (the URI is too long), `431` when the header fields made the head too large.
///
/// The parser refuses such a head before any route or middleware runs, so `ProblemMiddleware` never
/// sees it. Hummingbird's hook for this is `HTTP1Channel.Configuration.additionalChannelHandlers`
/// (handlers after the HTTP codec): the parser's `HTTPParserError.headerOverflow` passes them as an
/// error event. This handler answers it, closes the connection's output, and drops the errors the
/// parser raises for the rest of the refused request (so the error never reaches Hummingbird, which
/// would write its own 400); the client reads the answer, and the connection is closed when the
/// client closes it, or `drainTime` later. A companion `RequestLineWatcher`, put first in the
/// pipeline, measures the request line (the bytes before the first line feed since the last request).
final class OversizedHeadHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    /// How long the rest of a refused request is read (and dropped) before the connection is closed.
    static let drainTime: TimeAmount = .seconds(10)

    private let watcher = RequestLineWatcher()
    private var answered = false

    func handlerAdded(context: ChannelHandlerContext) {
        try? context.pipeline.syncOperations.addHandler(watcher, position: .first)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { watcher.requestEnded() }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Once answered, what the parser says about the rest of the refused request is dropped.
        if answered { return }
        guard let parserError = error as? HTTPParserError, case .headerOverflow = parserError else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        let problem = Self.problem(requestLineTooLong: watcher.lineTooLong)
        let body = problem.body
        var head = HTTPResponse(status: problem.status)
        head.headerFields[.contentType] = "application/problem+json"
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.close(mode: .output, promise: nil)
        let channel = context.channel
        channel.eventLoop.scheduleTask(in: Self.drainTime) { channel.close(promise: nil) }
    }

    /// The answer: 414 for a request line longer than the limit, else 431.
    static func problem(requestLineTooLong: Bool) -> Problem {
        let limit = "\(StippleApp.maximumRequestHead) bytes (\(StippleApp.maximumRequestHead / 1024) KiB)"
        guard !requestLineTooLong else {
            return Problem(
                .uriTooLong, kind: "uri-too-long", title: "The request line is too long",
                detail: "the request line did not end within \(limit), the most this server reads of a request "
                    + "head; paths are at most \(RequestTextMiddleware<BasicRequestContext>.maximumPathLength) "
                    + "bytes and query values \(RequestTextMiddleware<BasicRequestContext>.maximumQueryValueLength) "
                    + "characters", field: "(path)")
        }
        return Problem(
            .requestHeaderFieldsTooLarge, kind: "request-header-fields-too-large",
            title: "The request's header fields are too large",
            detail: "the request line and header fields together exceed \(limit), the most this server reads "
                + "of a request head; send fewer or shorter headers", field: "(headers)")
    }
}

/// Measures the request line: the bytes before the first line feed since the last request ended
/// (raw bytes, first in the pipeline, before the HTTP parser).
final class RequestLineWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Whether the request line has ended.
    private(set) var lineEnded = false
    /// Its length so far, in bytes.
    private(set) var lineLength = 0

    /// Whether the request line alone is longer than a head may be (or has not ended).
    var lineTooLong: Bool { !lineEnded || lineLength > StippleApp.maximumRequestHead }

    func requestEnded() {
        lineEnded = false
        lineLength = 0
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !lineEnded {
            let bytes = unwrapInboundIn(data).readableBytesView
            if let end = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                lineLength += bytes.distance(from: bytes.startIndex, to: end)
                lineEnded = true
            } else {
                lineLength += bytes.count
            }
        }
        context.fireChannelRead(data)
    }
}
