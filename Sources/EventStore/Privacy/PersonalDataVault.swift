import Crypto
import Foundation
import JSONNodes
import Postgres
import Synchronization
import TextCodecs

/// Keeps personal data in the log encrypted with a key per subject (e.g. per client), so that destroying the
/// key erases the person while the events, and the hash chain over them, stay exactly as they were.
///
/// On append, every member named `policy.fieldName` (`personal`) in events of the protected categories is
/// replaced by a sealed envelope (AES-256-GCM), creating the subject's key on first use. On read, envelopes
/// are replaced by the plaintext, or by `{"erased": true}` when the subject's key was destroyed.
/// Subject keys live in `client_keys`, each wrapped by the master key (`MasterKey`); unwrapped keys are
/// cached in memory, but whether a key still exists is checked for every read that meets sealed data, so a
/// forgotten client is never shown from a stale cache: a read whose statement began after the erasure
/// committed reads it as erased. The check is a query for the page's keys, or, where the database counts
/// destroyed keys (`Schema/0022_client_key_epoch.sql`), the count the page's own statement read: when an
/// earlier check read the same count and found the page's keys live, none of them was destroyed since.
///
/// Keys are destroyed by the database in the statement that inserts the erasure event (`policy.erasureEventType`;
/// the chain trigger, `Schema/0036_forget_in_chain_trigger.sql`), so every path that appends that event (CLI, API,
/// import) forgets the same way, in the same transaction.
public final class PersonalDataVault: Sendable {
    /// What is protected.
    public struct Policy: Sendable, Hashable {
        /// Stream categories whose events hold personal data.
        public var categories: Set<String>
        /// The member name under which an event keeps its personal data.
        public var fieldName: String
        /// The event type that destroys its stream's key (the trigger in migration 0007 names the same type).
        public var erasureEventType: String

        /// Creates a policy: which stream categories hold personal data, under which member, and which event
        /// type erases a stream's subject (the application names them; the store knows no domain).
        public init(categories: Set<String>, fieldName: String, erasureEventType: String) {
            self.categories = categories
            self.fieldName = fieldName
            self.erasureEventType = erasureEventType
        }
    }

    /// What a sealed value reads as once its subject's key is destroyed.
    /// Written as PostgreSQL's `jsonb` renders it, so an export of a forgotten client, imported elsewhere (where the
    /// marker is stored as data) and exported again, gives the same bytes.
    public static let erasedValue = Data(#"{"erased": true}"#.utf8)

    /// A subject's key as the database holds it.
    public struct KeyStatus: Sendable, Hashable {
        /// The key's id, named in every envelope sealed with it.
        public var keyID: UUID
        /// When the key was made.
        public var createdAt: Date
        /// When it was destroyed (nil while it lives).
        public var destroyedAt: Date?
        /// Why (the erasure event's `reason`).
        public var destroyedReason: String?
    }

    /// What this vault protects.
    public let policy: Policy
    private let pool: ConnectionPool
    private let master: Result<MasterKey, PersonalDataError>
    private let cache: Mutex<Cache>
    private let keyCheckCount = Atomic<Int>(0)
    private let fieldBytes: [UInt8]

    /// Unwrapped subject keys (by subject and by id), at most `capacity`: when full, it starts over, and the keys
    /// are read and unwrapped again as they are met. Until 2026-12-07 it kept every key it ever unwrapped: a
    /// rebuild of 10M events (333k clients) grew by ~150 MiB for it, to a peak RSS of 236 MiB.
    private struct Cache {
        let capacity: Int
        var bySubject: [String: SubjectKey] = [:]
        var byID: [UUID: SubjectKey] = [:]
        var masterVerified = false
        /// Whether the database counts destroyed keys (`Schema/0022_client_key_epoch.sql`); learned by the
        /// first key check. Without the count (a database not migrated that far) every page is checked.
        var keyEpoch = KeyEpochSupport.unknown
        /// The highest count of destroyed keys a key check read, and the keys checks at that count found live.
        var checkedEpoch: Int64?
        var checkedLive: Set<UUID> = []
        /// Keys found destroyed. A destroyed key stays destroyed (the guard in 0007 allows no other change),
        /// so this needs no count.
        var destroyed: Set<UUID> = []

        mutating func remove(subject: String) {
            if let key = bySubject.removeValue(forKey: subject) {
                byID.removeValue(forKey: key.id)
                checkedLive.remove(key.id)
            }
        }

        /// The states of `ids` without asking the database, when a page read at the count of destroyed keys
        /// `epoch` can rely on them: each key is known destroyed, or was found live by a check that read the
        /// same count. The count moves in every transaction that destroys a live key, and those transactions
        /// commit one after the other (they update one row), so two statements that read the same count see
        /// the same keys destroyed: a key live at the check is live at the page's read. Nil when any key is
        /// not covered (the caller asks the database).
        func checkedKeys(_ ids: Set<UUID>, epoch: Int64?) -> [UUID: KeyState]? {
            var states: [UUID: KeyState] = [:]
            for id in ids {
                if destroyed.contains(id) {
                    states[id] = .destroyed
                    continue
                }
                guard let epoch, checkedEpoch == epoch, checkedLive.contains(id), let key = byID[id] else { return nil }
                states[id] = .live(key)
            }
            return states
        }

        /// Records what a key check that read the count `epoch` found (a check that read an older count than
        /// one already recorded adds nothing).
        mutating func checked(live: [UUID], destroyed newlyDestroyed: [UUID], epoch: Int64?) {
            destroyed.formUnion(newlyDestroyed)
            guard let epoch, epoch >= checkedEpoch ?? Int64.min else { return }
            if checkedEpoch != epoch {
                checkedEpoch = epoch
                checkedLive = []
            }
            checkedLive.formUnion(live)
        }

        mutating func insert(_ key: SubjectKey) {
            if bySubject.count >= capacity, bySubject[key.subject] == nil {
                // (The keys checked live go too: `checkedKeys` vouches only for keys held.)
                bySubject.removeAll(keepingCapacity: true)
                byID.removeAll(keepingCapacity: true)
                checkedLive.removeAll(keepingCapacity: true)
            }
            bySubject[key.subject] = key
            byID[key.id] = key
        }
    }

    /// A vault over `pool`'s key table; with a nil master key, sealing or opening live data fails with
    /// `PersonalDataError.masterKeyMissing` (data of forgotten subjects still reads as erased).
    public convenience init(pool: ConnectionPool, masterKey: MasterKey?, policy: Policy) {
        self.init(pool: pool, master: masterKey.map { .success($0) } ?? .failure(.masterKeyMissing), policy: policy)
    }

    /// A vault with a master key the edge has already resolved, or the reason it could not (a missing or
    /// unreadable key is reported when personal data is first sealed or opened, so commands that never meet
    /// personal data run without one).
    /// `keyCacheCapacity`: how many unwrapped keys are kept in memory at most.
    public convenience init(
        pool: ConnectionPool, masterKey: Result<MasterKey, PersonalDataError>, policy: Policy,
        keyCacheCapacity: Int = PersonalDataVault.defaultKeyCacheCapacity
    ) {
        self.init(pool: pool, master: masterKey, policy: policy, keyCacheCapacity: keyCacheCapacity)
    }

    /// Unwrapped keys kept in memory at most, by default (~0.45 kB each, so ~45 MiB when full). A read in log
    /// order meets its clients' keys again and again: one over more clients than this asks the database for
    /// keys and unwraps them on nearly every page (at 20 000, a read of 1M events over 30 000 clients fell
    /// from ~259k to ~162k events/s).
    public static let defaultKeyCacheCapacity = 100_000

    private init(
        pool: ConnectionPool, master: Result<MasterKey, PersonalDataError>, policy: Policy,
        keyCacheCapacity: Int = PersonalDataVault.defaultKeyCacheCapacity
    ) {
        cache = Mutex(Cache(capacity: max(1, keyCacheCapacity)))
        self.pool = pool
        self.master = master
        self.policy = policy
        self.fieldBytes = Array("\"\(policy.fieldName)\"".utf8)
    }

    /// A key for `purpose` derived from the master key (`MasterKey.derivedKey`); throws when the vault has none.
    public func derivedKey(purpose: String) throws(PersonalDataError) -> [UInt8] {
        try master.get().derivedKey(purpose: purpose)
    }

    // MARK: - Sealing (append)

    /// Replaces the personal values of `appends` with sealed envelopes.
    func seal(_ appends: [StreamAppend]) async throws -> [StreamAppend] {
        var sealed = appends
        for (appendIndex, append) in appends.enumerated() where policy.categories.contains(append.stream.category) {
            let subject = append.stream.rawValue
            if append.events.contains(where: { $0.type == policy.erasureEventType }) {
                cache.withLock { $0.remove(subject: subject) }
            }
            for (eventIndex, event) in append.events.enumerated() where event.data.containsBytes(fieldBytes) {
                sealed[appendIndex].events[eventIndex].data = try await seal(event, subject: subject)
            }
        }
        return sealed
    }

    private func seal(_ event: NewEvent, subject: String) async throws -> Data {
        let scanner: JSONMemberScanner
        do {
            scanner = try JSONMemberScanner(event.data)
        } catch {
            throw EventStoreError.invalidData(eventID: event.id, reason: "not valid JSON")
        }
        var replacements: [(Range<Int>, Data)] = []
        let ranges = scanner.outermostValues(of: policy.fieldName)
        for (ordinal, range) in ranges.enumerated() {
            let value = Data(scanner.slice(range))
            guard let plaintext = try Self.canonicalPersonalValue(value, eventID: event.id) else {
                // An export of a forgotten client imported again where it came from: compare with what is stored.
                if Self.isErasedMarker(value),
                    let copy = try await storedCopy(of: event, subject: subject, ranges: ranges)
                {
                    return copy
                }
                continue
            }
            let key: SubjectKey
            do {
                key = try await self.key(forSubject: subject)
            } catch PersonalDataError.subjectErased {
                guard let copy = try await storedCopy(of: event, subject: subject, ranges: ranges) else {
                    throw PersonalDataError.subjectErased(subject: subject)
                }
                return copy
            }
            replacements.append(
                (
                    range,
                    try SealedEnvelope.seal(plaintext, key: key, subject: subject, eventID: event.id, ordinal: ordinal)
                ))
        }
        guard !replacements.isEmpty else { return event.data }
        var data = event.data
        for (range, replacement) in replacements.reversed() {
            data.replaceSubrange(
                data.startIndex + range.lowerBound..<data.startIndex + range.upperBound, with: replacement)
        }
        return data
    }

    /// A retried append of an event stored before its subject was forgotten (the demo or an import run
    /// twice): `event` with its personal values replaced by the sealed ones already stored under the same
    /// id, so the store's idempotency check compares everything else and answers as for any duplicate.
    /// Nil when no event with that id is stored in the subject's stream (the caller decides what that means).
    private func storedCopy(of event: NewEvent, subject: String, ranges: [Range<Int>]) async throws -> Data? {
        let rows = try await database { connection in
            try await connection.query(
                "SELECT data::text FROM events WHERE event_id = \(event.id) AND stream = \(subject)")
        }
        guard let row = rows.first else { return nil }
        let stored = Data(try row.decode(String.self).utf8)
        let storedScanner = try JSONMemberScanner(stored)
        let storedRanges = storedScanner.outermostValues(of: policy.fieldName)
        // A different shape cannot be the same event.
        guard storedRanges.count == ranges.count else { return nil }
        var data = event.data
        for (range, storedRange) in zip(ranges, storedRanges).reversed() {
            data.replaceSubrange(
                data.startIndex + range.lowerBound..<data.startIndex + range.upperBound,
                with: Data(storedScanner.slice(storedRange)))
        }
        return data
    }

    /// Whether `value` is exactly the erased marker `{"erased": true}`.
    private static func isErasedMarker(_ value: Data) -> Bool {
        (try? JSONSerialization.jsonObject(with: value, options: [.fragmentsAllowed])).map(isErasedMarker) ?? false
    }

    private static func isErasedMarker(_ object: Any) -> Bool {
        guard let dictionary = object as? [String: Any] else { return false }
        return dictionary.count == 1 && dictionary["erased"] as? Bool == true
    }

    /// The value to encrypt, in a canonical form (sorted keys), or nil when there is nothing personal in it:
    /// `null`, or the erased marker (an export of a forgotten client, imported again).
    private static func canonicalPersonalValue(_ value: Data, eventID: UUID) throws -> Data? {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: value, options: [.fragmentsAllowed])
        } catch {
            throw EventStoreError.invalidData(eventID: eventID, reason: "a personal value is not valid JSON")
        }
        if object is NSNull || isErasedMarker(object) { return nil }
        guard JSONSerialization.isValidJSONObject(object) else { return value }
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    /// The subject's key, created (and wrapped with the master key) on first use.
    func key(forSubject subject: String) async throws -> SubjectKey {
        if let key = cache.withLock({ $0.bySubject[subject] }) { return key }
        let master = try await verifiedMaster()
        let key = try await database { connection -> SubjectKey in
            if let existing = try await Self.storedKey(subject: subject, connection: connection) {
                guard let wrapped = existing.wrapped else { throw PersonalDataError.subjectErased(subject: subject) }
                return try Self.unwrap(wrapped, id: existing.id, subject: subject, master: master)
            }
            let id = UUID()
            let raw = SymmetricKey(size: .bits256)
            let wrapped = try Self.wrap(raw, id: id, subject: subject, master: master)
            try await connection.execute(
                """
                INSERT INTO client_keys (subject, key_id, wrapped_key) VALUES (\(subject), \(id), \(Bytea(wrapped)))
                ON CONFLICT (subject) DO NOTHING
                """)
            // Another writer may have made the subject's key first: use whichever is stored.
            guard let stored = try await Self.storedKey(subject: subject, connection: connection) else {
                throw PersonalDataError.notMigrated
            }
            guard let storedWrapped = stored.wrapped else { throw PersonalDataError.subjectErased(subject: subject) }
            return try Self.unwrap(storedWrapped, id: stored.id, subject: subject, master: master)
        }
        cache.withLock { $0.insert(key) }
        return key
    }

    private static func storedKey(subject: String, connection: PostgresConnection) async throws
        -> (id: UUID, wrapped: [UInt8]?)?
    {
        let rows = try await connection.query(
            "SELECT key_id, wrapped_key FROM client_keys WHERE subject = \(subject)")
        guard let row = rows.first else { return nil }
        let (keyID, wrapped) = try row.decode((UUID, Bytea?).self)
        return (keyID, wrapped?.bytes)
    }

    // MARK: - Opening (read)

    /// Replaces sealed envelopes in `events` with their plaintext, or with `erasedValue` for destroyed keys.
    ///
    /// The events are changed in place (the page is taken, not copied), and events without the marker
    /// bytes are passed over after one search of their data. `keyEpoch` is the count of destroyed keys the
    /// events' own statement read (`EventStore.columnsAndKeyEpoch`): when an earlier key check read the same
    /// count and found all of the page's keys live (or a key is known destroyed), they were so at that read,
    /// and the page opens without asking the database; otherwise (or without it) the keys are checked now.
    func open(_ events: consuming [RecordedEvent], keyEpoch: Int64? = nil) async throws -> [RecordedEvent] {
        var found: [(index: Int, envelopes: [(range: Range<Int>, envelope: SealedEnvelope)])] = []
        var keyIDs = Set<UUID>()
        for index in events.indices where events[index].data.containsBytes(SealedEnvelope.markerBytes) {
            let envelopes = try Self.envelopes(in: events[index])
            guard !envelopes.isEmpty else { continue }
            found.append((index, envelopes))
            for item in envelopes { keyIDs.insert(item.envelope.body.k) }
        }
        guard !found.isEmpty else { return events }
        let checked = cache.withLock { $0.checkedKeys(keyIDs, epoch: keyEpoch) }
        let keys: [UUID: KeyState]
        if let checked {
            keys = checked
        } else {
            keys = try await self.keys(keyIDs)
        }
        for (index, envelopes) in found {
            let stream = events[index].stream.rawValue
            let position = events[index].position
            let sealed = events[index].data
            var data = Data()
            data.reserveCapacity(sealed.count)
            var copied = 0
            for (range, envelope) in envelopes {
                let plaintext: Data
                switch keys[envelope.body.k] {
                case nil:
                    throw PersonalDataError.unknownKey(keyID: envelope.body.k, stream: stream, position: position)
                case .destroyed?:
                    plaintext = Self.erasedValue
                case .live(let key)?:
                    guard key.subject == stream else {
                        throw PersonalDataError.corruptEnvelope(
                            stream: stream, position: position, reason: "it is sealed with the key of \(key.subject)")
                    }
                    do {
                        plaintext = try envelope.open(with: key, subject: stream)
                    } catch {
                        throw PersonalDataError.corruptEnvelope(
                            stream: stream, position: position,
                            reason: "it does not decrypt (AES-GCM authentication failed): the stored data was changed")
                    }
                }
                // The envelopes are sorted and never overlap: copy what lies between them, then the plaintext.
                data.append(sealed[(sealed.startIndex + copied)..<(sealed.startIndex + range.lowerBound)])
                data.append(plaintext)
                copied = range.upperBound
            }
            data.append(sealed[(sealed.startIndex + copied)...])
            events[index].data = data
        }
        return events
    }

    /// The sealed envelopes in an event's data, in order, with their byte ranges (from the data's start).
    ///
    /// One `JSONDocument` scan of the data in place: an envelope is an object whose one member is
    /// `"$sealed"`; its body in the stored form (jsonb's text of what `SealedEnvelope.seal` wrote) is read
    /// from the same scan, anything else goes through `JSONDecoder`, as before.
    private static func envelopes(in event: RecordedEvent) throws -> [(range: Range<Int>, envelope: SealedEnvelope)] {
        let corrupt = { (reason: String) in
            PersonalDataError.corruptEnvelope(stream: event.stream.rawValue, position: event.position, reason: reason)
        }
        return try event.data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let document: JSONDocument
            do {
                document = try JSONDocument(scanning: bytes, maximumDepth: JSONMemberScanner.maximumDepth)
            } catch {
                throw corrupt("the event data is not valid JSON")
            }
            var result: [(range: Range<Int>, envelope: SealedEnvelope)] = []
            for (index, node) in document.nodes.enumerated() where node.kind == .object && node.count == 1 {
                guard let body = document.member(SealedEnvelope.marker, in: index) else { continue }
                if let stored = SealedEnvelope.Body(document: document, node: body) {
                    result.append((node.range, SealedEnvelope(body: stored)))
                    continue
                }
                do {
                    let envelope = try JSONDecoder().decode(
                        SealedEnvelope.self, from: Data(UnsafeBufferPointer(rebasing: bytes[node.range])))
                    guard envelope.body.v == 1 else { throw SealedEnvelopeError.malformed }
                    result.append((node.range, envelope))
                } catch {
                    throw corrupt("malformed envelope")
                }
            }
            return result
        }
    }

    enum KeyState {
        case live(SubjectKey)
        case destroyed
    }

    enum KeyEpochSupport {
        case unknown, present, absent
    }

    /// The name of the count of destroyed keys in the statements that read it.
    static let keyEpochColumn = "destroyed_keys"

    /// Whether event reads should carry the count of destroyed keys (`EventStore`'s page statements add it
    /// once the vault knows the database keeps it).
    var readsKeyEpoch: Bool { cache.withLock { $0.keyEpoch == .present } }

    /// How many times the vault asked the database for the state of keys (each event page with sealed data
    /// whose keys it could not vouch for, and every blob); for tests.
    var keyChecks: Int { keyCheckCount.load(ordering: .relaxed) }

    /// How many unwrapped keys the vault holds; for tests.
    var cachedKeys: Int { cache.withLock { $0.bySubject.count } }

    /// The state of `ids` as stored now; live keys come from the cache when already unwrapped.
    func keys(_ ids: Set<UUID>) async throws -> [UUID: KeyState] {
        keyCheckCount.add(1, ordering: .relaxed)
        let list = "{" + ids.map { Hex.uuid($0, uppercase: false) }.joined(separator: ",") + "}"
        let support = cache.withLock { $0.keyEpoch }
        let (rows, withEpoch) = try await database { connection -> (QueryResult, Bool) in
            var withEpoch = support == .present
            if support == .unknown {
                // Once per vault: a database migrated below 0022 has no count, and is read as before.
                withEpoch =
                    try await connection.query("SELECT to_regclass('client_key_epoch') IS NOT NULL").first?.decode(
                        Bool.self) ?? false
                cache.withLock { $0.keyEpoch = withEpoch ? .present : .absent }
            }
            if withEpoch {
                return (
                    try await connection.query(
                        """
                        SELECT key_id, subject, wrapped_key, (SELECT destroyed FROM client_key_epoch) AS destroyed_keys
                        FROM client_keys WHERE key_id = ANY(\(list)::uuid[])
                        """), true
                )
            }
            return (
                try await connection.query(
                    "SELECT key_id, subject, wrapped_key FROM client_keys WHERE key_id = ANY(\(list)::uuid[])"), false
            )
        }
        var states: [UUID: KeyState] = [:]
        var live: [UUID] = []
        var destroyed: [UUID] = []
        for row in rows {
            let (id, subject, storedWrapped) = try row.decode((UUID, String, Bytea?).self)
            guard let wrapped = storedWrapped else {
                cache.withLock { $0.remove(subject: subject) }
                states[id] = .destroyed
                destroyed.append(id)
                continue
            }
            live.append(id)
            if let cached = cache.withLock({ $0.byID[id] }) {
                states[id] = .live(cached)
                continue
            }
            let key = try Self.unwrap(wrapped.bytes, id: id, subject: subject, master: try await verifiedMaster())
            cache.withLock { $0.insert(key) }
            states[id] = .live(key)
        }
        let epoch = withEpoch ? try rows.first?.decode(Int64?.self, column: Self.keyEpochColumn) ?? nil : nil
        cache.withLock { $0.checked(live: live, destroyed: destroyed, epoch: epoch) }
        return states
    }

    // MARK: - Keys

    /// The state of a subject's key, or nil when it never had one.
    public func keyStatus(subject: String) async throws -> KeyStatus? {
        let rows = try await database { connection in
            try await connection.query(
                """
                SELECT key_id, created_at, destroyed_at, destroyed_reason FROM client_keys WHERE subject = \(subject)
                """)
        }
        guard let row = rows.first else { return nil }
        let (keyID, createdAt, destroyedAt, destroyedReason) = try row.decode((UUID, Date, Date?, String?).self)
        return KeyStatus(
            keyID: keyID, createdAt: createdAt, destroyedAt: destroyedAt, destroyedReason: destroyedReason)
    }

    private func verifiedMaster() async throws -> MasterKey {
        let master = try self.master.get()
        if cache.withLock({ $0.masterVerified }) { return master }
        let fingerprint = master.fingerprint
        let stored = try await database { connection -> [UInt8]? in
            try await connection.execute(
                "INSERT INTO master_key_check (fingerprint) VALUES (\(Bytea(fingerprint))) ON CONFLICT DO NOTHING")
            return try await connection.query("SELECT fingerprint FROM master_key_check").first?
                .decode(Bytea.self).bytes
        }
        guard stored == fingerprint else { throw PersonalDataError.wrongMasterKey }
        cache.withLock { $0.masterVerified = true }
        return master
    }

    private static func wrappingData(id: UUID, subject: String) -> Data {
        Data("stipple.client-key.v1\u{0}\(subject)\u{0}\(id.uuidString.lowercased())".utf8)
    }

    private static func wrap(_ raw: SymmetricKey, id: UUID, subject: String, master: MasterKey) throws -> [UInt8] {
        let box = try raw.withUnsafeBytes { bytes in
            try AES.GCM.seal(Data(bytes), using: master.key, authenticating: wrappingData(id: id, subject: subject))
        }
        guard let combined = box.combined else { throw EventStoreError.protocolViolation("AES-GCM gave no sealed key") }
        return Array(combined)
    }

    private static func unwrap(_ wrapped: [UInt8], id: UUID, subject: String, master: MasterKey) throws -> SubjectKey {
        do {
            let box = try AES.GCM.SealedBox(combined: wrapped)
            let raw = try AES.GCM.open(box, using: master.key, authenticating: wrappingData(id: id, subject: subject))
            return SubjectKey(id: id, subject: subject, raw: SymmetricKey(data: raw))
        } catch {
            throw PersonalDataError.wrongMasterKey
        }
    }

    private func database<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await pool.withConnection(body)
        } catch let error as PostgresError {
            if error.sqlState == "42P01" { throw PersonalDataError.notMigrated }
            throw EventStoreError.database(error)
        }
    }
}
