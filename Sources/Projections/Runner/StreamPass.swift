/// The batches of a rebuild's stream-ordered pass, read once and taken by every builder at its own pace.
///
/// Until 2026-12-07 every builder took a batch before any took the next: a batch lasted as long as its slowest
/// builder's share, and the others' connections and the cores waited meanwhile (at 1M events the builders
/// were busy ~52 s in all on 3 connections while the pass took ~30 s, not ~18). Now `width` workers each take
/// the job of the builder furthest behind whose next batch is read and which no other worker holds; a builder
/// may run up to `window` batches ahead of the slowest (the batches between are held in memory), and the
/// reader waits for the slowest beyond that. The last batch is the empty one that ends the pass.
actor StreamPass {
    /// A builder's next batch: its place among the builders, the batch's number, and the batch.
    struct Job: Sendable {
        let builder: Int
        let number: Int
        let batch: ProjectionBatch
    }

    private let window: Int
    /// Per builder: the number of its next batch, whether a worker holds it, and whether it left the pass.
    private var next: [Int]
    private var busy: [Bool]
    private var left: [Bool]
    /// The batches read and not yet taken by every builder, from `first` on.
    private var batches: [ProjectionBatch] = []
    private var first = 0
    /// The number of the empty batch that ends the pass, once the reader has read the last.
    private var end: Int?
    private var failure: (any Error)?
    private var waitingWorkers: [CheckedContinuation<Job?, any Error>] = []
    private var waitingReader: CheckedContinuation<Void, any Error>?
    /// Events of the batches every builder has taken, and each builder's last count of states held.
    private var applied = 0
    private var held: [Int]

    /// Told the events every builder has taken and the states held, each time the first grows (in order).
    private let onProgress: (@Sendable (_ applied: Int, _ statesHeld: Int) -> Void)?

    init(builders: Int, window: Int, onProgress: (@Sendable (_ applied: Int, _ statesHeld: Int) -> Void)? = nil) {
        self.window = max(1, window)
        self.onProgress = onProgress
        next = Array(repeating: 0, count: builders)
        busy = Array(repeating: false, count: builders)
        left = Array(repeating: false, count: builders)
        held = Array(repeating: 0, count: builders)
    }

    /// The builders that left the pass (`leave`), in order.
    var leavers: [Int] { left.indices.filter { left[$0] } }

    /// States held by the builders, as they last said (`done`).
    var statesHeld: Int { held.reduce(0, +) }

    /// Adds the next batch read (the reader waits while `window` batches wait for the slowest builder); false
    /// when every builder has left the pass (nothing more to read).
    func put(_ batch: ProjectionBatch) async throws -> Bool {
        while failure == nil, batches.count >= window {
            try await withCheckedThrowingContinuation { waitingReader = $0 }
        }
        if let failure { throw failure }
        guard !left.allSatisfy({ $0 }) else { return false }
        batches.append(batch)
        dispatch()
        return true
    }

    /// The reader has read the last batch: the empty batch that ends the pass follows.
    func finishReading() {
        end = first + batches.count
        batches.append(ProjectionBatch(items: []))
        dispatch()
    }

    /// The next job for a worker, nil when every builder is done (or has left).
    func job() async throws -> Job? {
        if let failure { throw failure }
        if let job = take() { return job }
        if isOver { return nil }
        return try await withCheckedThrowingContinuation { waitingWorkers.append($0) }
    }

    /// A worker is done with `job`; `stays` false when its builder leaves the pass; `statesHeld` is what it holds.
    func done(_ job: Job, stays: Bool, statesHeld: Int) {
        busy[job.builder] = false
        held[job.builder] = stays ? statesHeld : 0
        if stays { next[job.builder] = job.number + 1 } else { left[job.builder] = true }
        let before = applied
        trim()
        dispatch()
        if applied > before { onProgress?(applied, self.statesHeld) }
    }

    /// Something failed: every waiting worker and the reader throw it.
    func fail(_ error: any Error) {
        guard failure == nil else { return }
        failure = error
        for worker in waitingWorkers { worker.resume(throwing: error) }
        waitingWorkers = []
        waitingReader?.resume(throwing: error)
        waitingReader = nil
    }

    private var isOver: Bool {
        next.indices.allSatisfy { builder in left[builder] || (end.map { next[builder] > $0 } ?? false) }
    }

    /// The job of the builder furthest behind whose next batch is here and which no worker holds.
    private func take() -> Job? {
        var chosen: Int?
        for builder in next.indices where !busy[builder] && !left[builder] {
            let number = next[builder]
            guard number - first < batches.count, end.map({ number <= $0 }) ?? true else { continue }
            if chosen.map({ number < next[$0] }) ?? true { chosen = builder }
        }
        guard let builder = chosen else { return nil }
        busy[builder] = true
        let number = next[builder]
        return Job(builder: builder, number: number, batch: batches[number - first])
    }

    /// Hands jobs to waiting workers (and nil to all of them once the pass is over); wakes the reader when
    /// there is room.
    private func dispatch() {
        while !waitingWorkers.isEmpty, let job = take() {
            waitingWorkers.removeFirst().resume(returning: job)
        }
        if isOver {
            for worker in waitingWorkers { worker.resume(returning: nil) }
            waitingWorkers = []
        }
        if batches.count < window, let reader = waitingReader {
            waitingReader = nil
            reader.resume()
        }
    }

    /// Drops the batches every builder still in the pass has taken.
    private func trim() {
        let slowest = next.indices.filter { !left[$0] }.map { next[$0] }.min() ?? (first + batches.count)
        while first < slowest, !batches.isEmpty {
            applied += batches.removeFirst().items.count
            first += 1
        }
    }
}
