#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the task that sent a statement waits for its answer, where statements are sent from the caller's thread
/// (Linux, a socket in the clear: see `PostgresConnection`). Elsewhere the connection's queue waits in libpq and
/// this has no effect.
///
/// Every statement's answer is awaited `suspending`: the task waits in `SocketReadiness`, holding no thread while
/// the server works, and when the answer arrives two threads wake up in turn (the readiness thread, then a
/// cooperative thread to run the task). A caller whose answer usually comes within a fraction of a millisecond,
/// and which has nothing else to do meanwhile, can wait `blockingFirst`: its own thread waits on the socket in
/// `poll`, up to the bound, and the answer wakes that thread directly: one wake-up instead of two. An answer
/// later than the bound is awaited as `suspending` would. The thread is one of the few Swift's tasks run on,
/// so keep the bound short and the choice to callers that know their answer is quick (`EventStore`'s lone
/// append of one event: measured there).
public enum AnswerWait: Sendable, Hashable {
    /// Suspended until the socket is readable, holding no thread: every statement's default.
    case suspending
    /// Blocked on the caller's thread for up to this long (whole milliseconds, at least one), then suspending.
    case blockingFirst(upTo: Duration)
}

/// Suspends a task until a socket has something to read (or is hung up on, or in error): `SocketReadiness.shared`
/// for every connection of the process. A test hands a connection its own waiter to see how its answers are awaited.
protocol SocketWaiter: Sendable {
    func readable(_ socket: Int32) async
}

extension AnswerWait {
    /// Returns once `socket` is readable (or hung up on, or in error: the read that follows reports that),
    /// waiting as this says; `waiter` is where a task suspends.
    func readable(_ socket: Int32, suspendingIn waiter: any SocketWaiter) async {
        if case .blockingFirst(let bound) = self, bound > .zero, Self.pollReadable(socket, within: bound) { return }
        await waiter.readable(socket)
    }

    /// Waits on this thread, at most `wait` (in whole milliseconds, at least one), until `socket` is readable.
    /// False when the time ran out (or a signal came first).
    private static func pollReadable(_ socket: Int32, within wait: Duration) -> Bool {
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let (seconds, attoseconds) = wait.components
        let milliseconds = min(
            Int64(Int32.max),
            max(1, min(seconds, 1_000_000) * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000))
        return poll(&descriptor, 1, Int32(milliseconds)) > 0
    }
}
