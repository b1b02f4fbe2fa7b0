import ClinicService
import EventStore
import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Hummingbird
import Logging
import Postgres
import ServiceLifecycle
import Testing
import TestSupport

@testable import StippleServer

/// A throwaway PostgreSQL cluster of the test's own (`Scripts/pg.sh` in a temporary folder),
/// so it can really be stopped and started again on the same port.
struct PrivateCluster: Sendable {
    let directory: URL
    let url: String

    /// Runs a bash script from the repository's root and returns its output (stdout and stderr).
    ///
    /// Through `system(3)`, and the script's status is read from a file it writes last:
    /// `Process.waitUntilExit` was seen to hang here once the script left a PostgreSQL server
    /// running in the background, and with other tests spawning processes concurrently the
    /// shell may be reaped by Foundation's child monitor, so `system`'s own status can't be trusted.
    static func shell(_ script: String, environment extra: [String: String] = [:]) async throws -> String {
        // Blocking work (the script waits seconds for PostgreSQL to stop and start), on a thread of its own:
        // kept off the cooperative pool and off the global dispatch pool, both as wide as the cores.
        try await CLIRunner.detached { try blockingShell(script, environment: extra) }
    }

    static func blockingShell(_ script: String, environment extra: [String: String]) throws -> String {
        // The repository holding Scripts/ (through the Schema folder, which may be a symlink).
        let root = TestDatabase.schemaDirectory.resolvingSymlinksInPath().deletingLastPathComponent()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("pg-\(UUID().uuidString)")
        let scriptFile = base.appendingPathExtension("sh")
        let outputFile = base.appendingPathExtension("out")
        let statusFile = base.appendingPathExtension("status")
        defer {
            for file in [scriptFile, outputFile, statusFile] { try? FileManager.default.removeItem(at: file) }
        }
        // `system` hands the shell every descriptor this process has open without close-on-exec: the
        // pipes and task sockets of other tests' child processes (Foundation's `Pipe` and `Process` make
        // them inheritable). A PostgreSQL server started from here would keep them open for its whole
        // life, so those children's readers never saw end-of-file and their tests (and `swift test`)
        // waited until it stopped. The shell closes them before it starts anything.
        var text =
            "for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\"; done 2>/dev/null\n"
        text += "cd '\(root.path)'\n"
        for (key, value) in extra { text += "export \(key)='\(value)'\n" }
        text += "( \(script)\n) >'\(outputFile.path)' 2>&1 </dev/null\n"
        text += "echo $? >'\(statusFile.path).tmp' && mv '\(statusFile.path).tmp' '\(statusFile.path)'\n"
        try text.write(to: scriptFile, atomically: true, encoding: .utf8)
        _ = system("bash '\(scriptFile.path)' </dev/null >/dev/null 2>&1")
        let deadline = Date().addingTimeInterval(120)
        var status: String?
        while status == nil && Date() < deadline {
            status = (try? String(contentsOf: statusFile, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if status == nil { usleep(50_000) }
        }
        let output = ((try? String(contentsOf: outputFile, encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == "0" else {
            throw PostgresError(
                code: .connectionFailed, message: "`\(script)` failed (\(status ?? "no status")): \(output)")
        }
        return output
    }

    static func start() async throws -> PrivateCluster {
        let directory = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("stipple-restart-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)
        let cluster = PrivateCluster(directory: directory, url: "")
        do {
            let output = try await shell("bash Scripts/pg.sh start", environment: ["STIPPLE_PG_DIR": directory.path])
            return PrivateCluster(directory: directory, url: String(output.split(separator: "\n").last ?? ""))
        } catch {
            // A start that failed or timed out may still have left a server running: stop it, or it
            // outlives the test run.
            await cluster.remove()
            throw error
        }
    }

    /// Stops the server (fast shutdown: every connection is cut).
    func stop() async throws {
        _ = try await Self.shell("bash Scripts/pg.sh stop", environment: ["STIPPLE_PG_DIR": directory.path])
    }

    /// Starts it again on the same port (`pg.sh start` would pick a new one).
    func startAgain() async throws {
        let script = """
            set -e
            dir="$STIPPLE_PG_DIR"; bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
            run() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
            run "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
                -o "-p $(cat "$dir/port") -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
            """
        _ = try await Self.shell(script, environment: ["STIPPLE_PG_DIR": directory.path])
    }

    func remove() async {
        try? await stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

@Suite("PostgreSQL restarted under a live server")
struct DatabaseRestartTests {
    @Test(
        "requests while the database is down get 503 + Retry-After, the server reconnects by itself, and an SSE subscriber misses nothing",
        .timeLimit(.minutes(8)))
    func restart() async throws {
        let cluster = try await PrivateCluster.start()
        do {
            try await exercise(cluster)
        } catch {
            await cluster.remove()
            throw error
        }
        await cluster.remove()
    }

    func exercise(_ cluster: PrivateCluster) async throws {
        let configuration = try PostgresConfiguration(cluster.url, connectTimeout: 2)
        let pool = ConnectionPool(configuration: configuration, maximumConnections: 8)
        try await Migrator(directory: TestDatabase.schemaDirectory).migrate(pool: pool)
        let store = EventStore(pool: pool)
        let app = StippleApp(
            store: store,
            configuration: .init(
                port: 0, subscriptions: .init(heartbeat: .milliseconds(300)),
                runProjections: false, runWebhooks: false))
        let reader = try await app.keys.create(name: "restart-auditor", role: .auditor).secret
        let stream = try StreamName("thing-restart")
        for index in 0..<10 {
            try await store.append(
                [NewEvent(type: "thing.happened", json: "{\"n\":\(index)}")], to: stream, expectedVersion: .any)
        }
        let fixture = LoopbackServer(app: app, logLevel: .critical)
        try await fixture.withServer { port in
            let auth = ["Authorization": "Bearer \(reader)"]
            // A subscriber that resumes with Last-Event-ID if its stream ever ends.
            let seen = Locked<[String]>([])
            let reconnects = Locked<Int>(0)
            let subscriber = Task {
                while seen.value.count < 20 && !Task.isCancelled {
                    var headers = auth
                    if let last = seen.value.last { headers["Last-Event-ID"] = last }
                    _ = try? await RawHTTPClient.stream(
                        port: port, path: "/v1/subscribe?category=thing", headers: headers, timeout: .seconds(60)
                    ) { frame in
                        if let id = frame.id, frame.event == "thing.happened" { seen.withLock { $0.append(id) } }
                        return seen.value.count < 20
                    }
                    if seen.value.count < 20 {
                        reconnects.withLock { $0 += 1 }
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                }
            }
            while seen.value.count < 10 { try await Task.sleep(for: .milliseconds(20)) }

            try await cluster.stop()
            for path in ["/v1/events?category=thing", "/health"] {
                let reply = try await RawHTTPClient.send(port: port, "GET", path, headers: auth)
                #expect(reply.status == 503, "\(path): \(reply.status)")
                #expect(reply.headers["retry-after"] == "2")
            }
            let command = try await RawHTTPClient.send(
                port: port, "POST", "/v1/technicians",
                headers: auth.merging(["Content-Type": "application/json"]) { $1 },
                body: Data("{}".utf8))
            #expect(command.status == 503)
            #expect(command.headers["content-type"] == "application/problem+json")

            try await cluster.startAgain()
            // The server reconnects by itself: the same request soon succeeds.
            var recovered = false
            for _ in 0..<100 {
                if try await RawHTTPClient.send(port: port, "GET", "/v1/events?category=thing", headers: auth).status
                    == 200
                {
                    recovered = true
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(recovered)
            for index in 10..<20 {
                try await store.append(
                    [NewEvent(type: "thing.happened", json: "{\"n\":\(index)}")], to: stream, expectedVersion: .any)
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while seen.value.count < 20 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            subscriber.cancel()
            let expected = try await store.readAll(category: "thing").events.map(\.checkpoint.token)
            #expect(expected.count == 20)
            #expect(seen.value == expected)
            // The subscription itself rode out the restart (EventSubscription reconnects).
            #expect(reconnects.value == 0)
        }
        await pool.close()
    }
}
