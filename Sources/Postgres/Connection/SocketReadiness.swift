#if os(Linux)
    import CLibPQ
    import Glibc
    import Foundation
    import Synchronization

    /// Suspends tasks until a socket has something to read, for every connection of the process, on one
    /// thread of its own waiting in `epoll_wait`.
    ///
    /// Why: a connection used to hand each statement to its dispatch queue and wait there in a blocking
    /// libpq call, so one statement cost two thread wake-ups (the queue's thread woken to send, the
    /// caller's thread woken by it for the answer) besides the one the kernel makes when the answer
    /// arrives. Sending from the caller's thread and waiting here leaves one: this thread, woken by the
    /// kernel, resumes the waiting task. No cooperative thread is held while the server works.
    final class SocketReadiness: SocketWaiter {
        /// The process's one waiter, started on first use.
        static let shared = SocketReadiness()

        private let epoll: Int32
        /// The task waiting on each socket; each socket is armed once per wait (`EPOLLONESHOT`).
        private let waiting = Mutex<[Int32: CheckedContinuation<Void, Never>]>([:])

        private init() {
            epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
            guard epoll >= 0 else { return }
            let thread = Thread { [self] in self.run() }
            thread.name = "stipple.postgres.sockets"
            thread.start()
        }

        /// True when epoll is available: otherwise the connection waits on its queue, as it did before.
        var isAvailable: Bool { epoll >= 0 }

        /// Returns once `socket` is readable, has an error or was hung up on. The caller checks for itself
        /// what arrived (`PQconsumeInput`), so an early return is harmless; a socket epoll refuses returns
        /// at once, and the caller's next libpq call reports what is wrong with it.
        func readable(_ socket: Int32) async {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let previous = waiting.withLock { $0.updateValue(continuation, forKey: socket) }
                // One task per connection at a time: a second waiter on a socket would be a misuse; let the
                // first go rather than lose it.
                previous?.resume()
                var event = epoll_event()
                event.events = EPOLLIN.rawValue | EPOLLONESHOT.rawValue | EPOLLRDHUP.rawValue
                event.data.fd = socket
                // Armed anew for each wait (a socket that is already readable reports at once); added the first
                // time, and again after libpq closed and reopened a socket with the same number.
                if epoll_ctl(epoll, EPOLL_CTL_MOD, socket, &event) != 0,
                    errno != ENOENT || epoll_ctl(epoll, EPOLL_CTL_ADD, socket, &event) != 0
                {
                    waiting.withLock { $0.removeValue(forKey: socket) }?.resume()
                }
            }
        }

        private func run() {
            var events = [epoll_event](repeating: epoll_event(), count: 64)
            while true {
                let count = epoll_wait(epoll, &events, Int32(events.count), -1)
                guard count > 0 else {
                    if count < 0, errno != EINTR { usleep(1000) }  // cannot happen to our own descriptor; never spin
                    continue
                }
                let ready = events.prefix(Int(count)).map { $0.data.fd }
                let woken = waiting.withLock { waiting in ready.compactMap { waiting.removeValue(forKey: $0) } }
                for continuation in woken { continuation.resume() }
            }
        }
    }
#endif
