import Foundation

/// Fold states a rebuild evicted from memory as values but keeps as the JSON its state table would
/// hold (`FoldingProjection.encodeState`), by key, with their cost in bytes by size class.
///
/// Evicting a state to the state table costs a COPY row and an upsert, and reading it back a query,
/// PostgreSQL's JSON parsing and printing, and the client's decoding; kept here, it costs its encoding
/// and decoding only. The smallest states (a schedule's `{"open":{}}`, traceability's `{"uses":0}`) cost
/// tens of bytes here, and a budget in bytes (`FoldingBuilderDefaults.encodedBytes`) keeps many of them
/// for the memory of one large one: when the states held here cost more than it, the largest are written
/// to the state table first (`firstClassToWrite`).
struct EncodedStates {
    private(set) var states: [String: Data] = [:]
    /// The cost of every state held (`cost`).
    private(set) var bytes = 0
    /// The cost of the states held, by size class (`sizeClass`).
    private(set) var bytesByClass = [Int](repeating: 0, count: Self.sizeClasses)

    /// Size classes `sizeClasses` wide (the last one holds every larger state).
    static let sizeClasses = 64
    static let classWidth = 128

    /// What a state is counted as: its JSON, its key, and what the dictionary entry, the key's and the
    /// JSON's allocations take beside them (measured roughly: 32 bytes of entry, two allocations' headers).
    static func cost(key: String, json: Data) -> Int { json.count + key.utf8.count + 80 }

    static func sizeClass(ofCost cost: Int) -> Int { min(cost / classWidth, sizeClasses - 1) }

    var count: Int { states.count }
    var isEmpty: Bool { states.isEmpty }

    /// Holds `json` as the state of `key` (replacing what was held for it).
    mutating func insert(_ json: Data, for key: String) {
        if let old = states.updateValue(json, forKey: key) { account(key: key, json: old, sign: -1) }
        account(key: key, json: json, sign: 1)
    }

    /// Removes and returns the state of `key`, if held.
    mutating func remove(_ key: String) -> Data? {
        guard let json = states.removeValue(forKey: key) else { return nil }
        account(key: key, json: json, sign: -1)
        return json
    }

    func state(of key: String) -> Data? { states[key] }

    /// True when a state of size class `first` or above is held.
    func holds(fromClass first: Int) -> Bool {
        bytesByClass[min(max(0, first), Self.sizeClasses - 1)...].contains { $0 > 0 }
    }

    /// Removes and returns the states of size class `first` and above.
    mutating func removeAll(fromClass first: Int) -> [(key: String, json: Data)] {
        guard first > 0 else { return removeAll() }
        var taken: [(key: String, json: Data)] = []
        for (key, json) in states where Self.sizeClass(ofCost: Self.cost(key: key, json: json)) >= first {
            taken.append((key, json))
        }
        for (key, _) in taken { _ = remove(key) }
        return taken
    }

    /// Removes and returns every state held.
    mutating func removeAll() -> [(key: String, json: Data)] {
        let taken = states.map { (key: $0.key, json: $0.value) }
        states = [:]
        bytes = 0
        bytesByClass = [Int](repeating: 0, count: Self.sizeClasses)
        return taken
    }

    /// The smallest size class whose states, with every larger one's, are to be written out so that
    /// what stays costs at most three quarters of `budget` (the smallest states stay: they cost as
    /// many round trips to write and read back as the large ones, for a fraction of the memory); nil
    /// when `bytesByClass` costs no more than `budget`.
    static func firstClassToWrite(_ bytesByClass: [Int], within budget: Int) -> Int? {
        guard bytesByClass.reduce(0, +) > budget else { return nil }
        let keep = max(0, budget) * 3 / 4
        var kept = 0
        for (sizeClass, bytes) in bytesByClass.enumerated() {
            guard kept + bytes <= keep else { return sizeClass }
            kept += bytes
        }
        return nil
    }

    private mutating func account(key: String, json: Data, sign: Int) {
        let cost = Self.cost(key: key, json: json)
        bytes += sign * cost
        bytesByClass[Self.sizeClass(ofCost: cost)] += sign * cost
    }
}
