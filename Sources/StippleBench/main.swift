import ClinicService
import EventStore
import Foundation
import Postgres
import Projections

// stipple-bench: the Stipple side of Scripts/bench.sh. Each subcommand measures one case against the
// database at --url and prints `RESULT key median min max unit` lines; bench.sh runs the PostgreSQL
// baselines on the same cluster and prints the ratios.
//
//   stipple-bench migrate  --url U
//   stipple-bench payload                      the event data and metadata the baselines insert
//   stipple-bench append   --url U --key K --writers W --appends N --events-per-append E --runs R
//   stipple-bench generate --url U --to N --clients C [--seed S] [--chunk 2000]
//   stipple-bench readall  --url U --runs R [--page 1000]
//   stipple-bench fold     --url U --runs R [--page 1000]
//   stipple-bench rebuild  --url U --runs R --key K [--warmup 1] [--batch 10000] [--projections a,b]
//   stipple-bench queries  --url U --count N
//   stipple-bench history  --clients C --runs R [--seed 1]   generation in memory (30000 clients: ~1.6M events)
//   stipple-bench live     --url U --subscribers S --rate EPS --seconds T [--writers 25] --runs R [--warmup 1]
//                          [--key live]
//                          the HTTP app in-process; S SSE subscribers; append → subscriber latency and resident
//                          memory per subscriber (figures named KEY.*; bench.sh's fan-out case is --key fanout)

func openStore(_ options: BenchOptions, connections: Int = 8) throws -> EventStore {
    let configuration = try PostgresConfiguration(try options.string("url"), applicationName: "stipple-bench")
    let pool = ConnectionPool(configuration: configuration, maximumConnections: connections)
    // With STIPPLE_MASTER_KEY(_FILE) set, client personal data is sealed and opened as in production.
    let vault = try MasterKey.fromEnvironment().map { ClinicPrivacy.vault(pool: pool, masterKey: .success($0)) }
    return EventStore(pool: pool, vault: vault)
}

func runBench() async throws {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let command = arguments.first else {
        throw BenchError.usage(
            "stipple-bench migrate|payload|append|generate|history|readall|fold|rebuild|queries|live --url …")
    }
    let options = try BenchOptions(Array(arguments.dropFirst()))
    switch command {
    case "payload":
        print(AppendCase.data)
        print(AppendCase.metadataJSON)
    case "migrate":
        let store = try openStore(options, connections: 1)
        let migrator = try Migrator(directory: try Migrator.locateSchemaDirectory())
        let applied = try await migrator.migrate(pool: store.pool)
        Report.note("migrated: \(applied.map(\.version))")
        await store.pool.close()
    case "append":
        let store = try openStore(options)
        try await AppendCase.measure(
            store: store, key: try options.string("key"), writers: try options.int("writers", default: 1),
            appends: try options.int("appends", default: 1000),
            eventsPerAppend: try options.int("events-per-append", default: 1),
            runs: try options.int("runs", default: 3),
            warmup: options.string("warmup", default: "1") != "0")
        await store.pool.close()
    case "generate":
        let store = try openStore(options, connections: 2)
        let seed = UInt64(try options.int("seed", default: 7))
        try await GenerateCase.run(
            store: store, target: try options.int("to", default: 10_000),
            clients: try options.int("clients", default: 1000), seed: seed,
            chunkSize: try options.int("chunk", default: 2000))
        await store.pool.close()
    case "readall":
        let store = try openStore(options, connections: 1)
        let page = try options.int("page", default: 1000)
        _ = try await ReadCases.readAll(store: store, page: page)  // warm-up
        var rates: [Double] = []
        for index in 0..<(try options.int("runs", default: 3)) {
            let run = try await ReadCases.readAll(store: store, page: page)
            rates.append(run.rate)
            Report.note("readall run \(index + 1): \(run.events) events, \(Int(run.rate)) events/s")
        }
        Report.figure("readall.rate", rates, unit: "events/s")
        await store.pool.close()
    case "fold":
        let store = try openStore(options, connections: 1)
        let page = try options.int("page", default: 1000)
        _ = try await ReadCases.fold(store: store, page: page)  // warm-up
        var folds: [Double] = []
        var pipelines: [Double] = []
        for index in 0..<(try options.int("runs", default: 3)) {
            let run = try await ReadCases.fold(store: store, page: page)
            folds.append(run.foldRate)
            pipelines.append(run.pipelineRate)
            let stages = run.foldSeconds.sorted { $0.key < $1.key }.map {
                String(format: "%@ %.2f s", $0.key, $0.value)
            }
            Report.note(
                "fold run \(index + 1): \(run.events) events, decode+fold \(Int(run.foldRate)) events/s, "
                    + "read+decode+fold \(Int(run.pipelineRate)) events/s; decode "
                    + String(format: "%.2f s, ", run.decodeSeconds) + stages.joined(separator: ", "))
        }
        Report.figure("fold.rate", folds, unit: "events/s")
        Report.figure("fold.pipeline", pipelines, unit: "events/s")
        await store.pool.close()
    case "rebuild":
        let store = try openStore(options, connections: 4)
        let key = try options.string("key")
        let batch = try options.int("batch", default: ProjectionRunner.defaultBatchSize)
        // `--projections timeline,revenue`: only those (what one projection adds to the read), else all.
        let names = options.string("projections", default: "").split(separator: ",").map(String.init)
        let selected = names.isEmpty ? ClinicProjections.names : names
        if let unknown = selected.first(where: { !ClinicProjections.names.contains($0) }) {
            throw BenchError.usage(
                "unknown projection \(unknown): one of \(ClinicProjections.names.joined(separator: ", "))")
        }
        if options.string("warmup", default: "1") != "0" {
            _ = try await ReadCases.rebuild(store: store, batchSize: batch, projections: selected)
        }
        var rates: [Double] = []
        var peaks: [Double] = []
        var times: [Double] = []
        for index in 0..<(try options.int("runs", default: 3)) {
            let run = try await ReadCases.rebuild(store: store, batchSize: batch, projections: selected)
            rates.append(run.rate)
            peaks.append(run.peakMB)
            times.append(run.seconds)
            Report.note(
                "\(key) run \(index + 1): "
                    + String(format: "%.1f s, %.0f events/s, peak RSS %.0f MiB", run.seconds, run.rate, run.peakMB))
        }
        Report.figure("\(key).rate", rates, unit: "events/s")
        Report.figure("\(key).seconds", times, unit: "s")
        Report.figure("\(key).rss", peaks, unit: "MiB")
        await store.pool.close()
    case "history":
        let clients = try options.int("clients", default: 30_000)
        let seed = UInt64(try options.int("seed", default: 1))
        _ = HistoryCase.run(clients: min(clients, 1000), seed: seed)  // warm-up
        var rates: [Double] = []
        var events = 0
        for index in 0..<(try options.int("runs", default: 3)) {
            let run = HistoryCase.run(clients: clients, seed: seed)
            rates.append(run.rate)
            events = run.events
            Report.note("history run \(index + 1): \(run.events) events, \(Int(run.rate)) events/s")
        }
        Report.figure("history.events", [Double(events)], unit: "events")
        Report.figure("history.rate", rates, unit: "events/s")
    case "live":
        // The server's pool, as `stipple serve` sizes it; the writers append through the same store.
        let store = try openStore(options, connections: 16)
        let parameters = LiveCase.Parameters(
            subscribers: max(1, try options.int("subscribers", default: 50)),
            rate: max(1, try options.int("rate", default: 500)),
            seconds: Double(max(1, try options.int("seconds", default: 10))),
            writers: max(1, try options.int("writers", default: 25)), key: options.string("key", default: "live"))
        try await LiveCase.measure(
            store: store, parameters: parameters, runs: try options.int("runs", default: 3),
            warmup: options.string("warmup", default: "1") != "0")
        await store.pool.close()
    case "queries":
        let store = try openStore(options, connections: 2)
        try await QueryCase.run(store: store, count: try options.int("count", default: 1000))
        await store.pool.close()
    default:
        throw BenchError.usage("unknown command '\(command)'")
    }
}

do {
    try await runBench()
} catch {
    FileHandle.standardError.write(Data("stipple-bench: \(error)\n".utf8))
    exit(1)
}
