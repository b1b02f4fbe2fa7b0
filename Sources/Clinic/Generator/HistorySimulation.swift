import Foundation

/// The discrete-event simulation behind `ClinicHistory`: a time-ordered queue of tasks (client steps, pigment
/// deliveries, certification renewals), each of which decides commands and folds the accepted events.
final class HistorySimulation {
    enum Task {
        case setUp, arrival(Int), delivery(Int), renewal(Int), recall, deactivation, prune, careRevision, depositPolicy
        case consentForm(Int)
        case client(ClientAgent)
    }

    let configuration: HistoryConfiguration
    /// The clinic-wide settings in force.
    var settings: ClinicSettings { settingsState.settings }
    /// What the settings stream says (clinic-wide and per location), folded as the history records changes.
    var settingsState: ClinicSettingsState
    var rng: SplitMix64
    var now: Date
    private(set) var rejectedCommands = 0
    /// The latest rejection of a client command, for the reason a clinic gives when it cancels.
    var lastRejection: Rejection?

    private var heap = EventHeap<Task>()
    private var output: [PendingEvent] = []
    private var outputIndex = 0

    var locations: [LocationState] = []
    /// Each location's time zone, by location index: slots are found on the location's own clock.
    var zones: [TimeZone] = []
    var techniciansAt: [[Int]] = []
    var technicians: [TechnicianState] = []
    private var technicianByStream: [StreamName: Int] = [:]
    var batches: [PigmentBatchState] = []
    /// The clinic's care instruction set, published at set-up and revised once.
    var careSet = InstructionSetState(id: GeneratorCatalog.careSetID)
    var batchesByProduct: [[Int]] = []
    private var batchByStream: [StreamName: Int] = [:]
    private let arrivalStart: Date
    private let arrivalSpan: TimeInterval

    init(_ configuration: HistoryConfiguration) {
        self.configuration = configuration
        rng = SplitMix64(seed: configuration.seed)
        settingsState = ClinicSettingsState(defaults: configuration.settings)
        now = configuration.start
        arrivalStart = configuration.start.addingTimeInterval(14 * BusinessTime.day)
        arrivalSpan = max(0, configuration.end.timeIntervalSince(arrivalStart) - 60 * BusinessTime.day)
        heap.push(.setUp, at: configuration.start)
        heap.push(.delivery(0), at: configuration.start)
        if configuration.clientCount > 0 { schedule(.arrival(0), at: arrivalTime(0)) }
        let span = configuration.end.timeIntervalSince(configuration.start)
        schedule(.recall, at: configuration.start.addingTimeInterval(span * 0.45))
        schedule(.deactivation, at: configuration.start.addingTimeInterval(span * 0.6))
        schedule(.careRevision, at: configuration.start.addingTimeInterval(span * 0.5))
        schedule(.depositPolicy, at: configuration.start.addingTimeInterval(span * 0.55))
        if let revised = CalendarDay(year: 2023, month: 6, day: 1)?.startDate, revised > configuration.start {
            schedule(.consentForm(1), at: revised)
        }
        heap.push(.prune, at: configuration.start.addingTimeInterval(30 * BusinessTime.day))
    }

    /// The next generated event, running tasks until one produces events.
    func next() -> PendingEvent? {
        while outputIndex == output.count {
            output.removeAll(keepingCapacity: true)
            outputIndex = 0
            guard let nextTime = heap.nextTime, nextTime <= configuration.end, let (time, task) = heap.pop() else {
                return nil
            }
            now = time
            run(task)
        }
        defer { outputIndex += 1 }
        return output[outputIndex]
    }

    /// Schedules a task; times are whole seconds, the precision of stored ISO-8601 business times.
    func schedule(_ task: Task, at time: Date) {
        let whole = Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
        heap.push(task, at: max(whole, now))
    }

    func schedule(_ agent: ClientAgent, _ step: ClientAgent.Step, at time: Date) {
        agent.step = step
        schedule(.client(agent), at: time)
    }

    private func run(_ task: Task) {
        switch task {
        case .setUp: setUp()
        case .arrival(let index): arrive(index)
        case .delivery(let number): deliver(number)
        case .renewal(let technician): renew(technician)
        case .recall: recall()
        case .deactivation: deactivate()
        case .prune: prune()
        case .careRevision: reviseCare()
        case .depositPolicy: introduceDepositPolicy()
        case .consentForm(let index): publishConsentForm(index)
        case .client(let agent): act(agent)
        }
    }

    // MARK: Deciding and committing

    /// Decides a client command with the other streams' states; folds and emits the events when accepted.
    @discardableResult
    func attempt(
        _ agent: ClientAgent, _ command: ClientCommand, technician: Int? = nil, location: Int? = nil,
        batch: Int? = nil
    ) -> Bool {
        let decision: Decision
        switch decideClient(agent, command, technician: technician, location: location, batch: batch) {
        case .success(let accepted): decision = accepted
        case .failure(let rejection):
            rejectedCommands += 1
            lastRejection = rejection
            return false
        }
        for pending in decision.events {
            output.append(pending)
            switch pending.event {
            case .client(let event): agent.state.apply(event)
            case .technician(let event): applyTechnician(event, on: pending.stream)
            case .pigmentBatch, .location, .care, .settings: break
            }
        }
        return true
    }

    // The context lives only in this function, so the states it copies are unique again when folded into.
    private func decideClient(
        _ agent: ClientAgent, _ command: ClientCommand, technician: Int?, location: Int?,
        batch: Int?
    ) -> Result<Decision, Rejection> {
        let context = DecisionContext(
            now: now, settings: settingsState, technician: technician.map { technicians[$0] },
            location: location.map { locations[$0] }, pigmentBatch: batch.map { batches[$0] },
            instructionSet: careSet)
        do {
            return .success(try ClientDecider.decide(command, client: agent.state, context: context))
        } catch {
            return .failure(error)
        }
    }

    /// Why the rules would refuse the command now, or nil when they would accept it; nothing is emitted. Lets a
    /// step do what comes before a treatment (a "before" photo) only when the treatment will take place.
    func refusal(
        _ agent: ClientAgent, _ command: ClientCommand, technician: Int? = nil, location: Int? = nil,
        batch: Int? = nil
    ) -> Rejection? {
        if case .failure(let rejection) = decideClient(
            agent, command, technician: technician, location: location, batch: batch)
        {
            return rejection
        }
        return nil
    }

    private func applyTechnician(_ event: TechnicianEvent, on stream: StreamName) {
        guard let index = technicianByStream[stream] else { return }
        technicians[index].apply(event)
    }

    func technicianCommand(_ index: Int, _ command: TechnicianCommand) {
        guard let decision = try? TechnicianDecider.decide(command, technician: technicians[index], now: now) else {
            rejectedCommands += 1
            return
        }
        for pending in decision.events {
            output.append(pending)
            if case .technician(let event) = pending.event { technicians[index].apply(event) }
        }
    }

    func locationCommand(_ index: Int, _ command: LocationCommand) {
        guard let decision = try? LocationDecider.decide(command, location: locations[index], now: now) else {
            rejectedCommands += 1
            return
        }
        for pending in decision.events {
            output.append(pending)
            if case .location(let event) = pending.event { locations[index].apply(event) }
        }
    }

    func settingsCommand(_ change: ClinicSettingsChanged) {
        settingsCommand(.change(change), location: change.locationID.flatMap { id in locations.first { $0.id == id } })
    }

    func settingsCommand(_ command: SettingsCommand, location: LocationState? = nil) {
        guard
            let decision = try? SettingsDecider.decide(command, settings: settingsState, location: location, now: now)
        else {
            rejectedCommands += 1
            return
        }
        for pending in decision.events {
            output.append(pending)
            if case .settings(let event) = pending.event { settingsState.apply(event) }
        }
    }

    func batchCommand(_ index: Int, _ command: PigmentBatchCommand) {
        guard let decision = try? PigmentBatchDecider.decide(command, batch: batches[index], now: now) else {
            rejectedCommands += 1
            return
        }
        for pending in decision.events {
            output.append(pending)
            if case .pigmentBatch(let event) = pending.event { batches[index].apply(event) }
        }
    }

    func careCommand(_ command: CareCommand) {
        guard let decision = try? CareDecider.decide(command, set: careSet, now: now) else {
            rejectedCommands += 1
            return
        }
        for pending in decision.events {
            output.append(pending)
            if case .care(let event) = pending.event { careSet.apply(event) }
        }
    }

    /// Half-way through, the clinic lengthens the gym break after reviewing its day-7 checks.
    private func reviseCare() {
        guard let latest = careSet.latest else { return }
        careCommand(
            .revise(
                InstructionSetRevised(
                    at: now, version: latest.number + 1, items: GeneratorCatalog.careItems(sweatDays: 7),
                    reason: "Longer break from the gym: sweat-related fading seen at day-7 checks")))
    }

    // MARK: Clinic set-up and supplies

    private func setUp() {
        let startDay = CalendarDay(now)
        let defaults = configuration.settings
        settingsCommand(
            ClinicSettingsChanged(
                at: now,
                settings: SettingValues(
                    minimumAge: defaults.minimumAge, healingIntervalDays: defaults.healingIntervalDays,
                    cancellationWindowHours: defaults.cancellationWindowHours, retentionYears: defaults.retentionYears),
                changedBy: GeneratorCatalog.owner, reason: "Settings at opening"))
        publishConsentForm(0)
        for index in 0..<configuration.locationCount {
            let city = GeneratorCatalog.cities[index % GeneratorCatalog.cities.count]
            let round = index / GeneratorCatalog.cities.count
            let rawID = round == 0 ? city.id : "\(city.id)-\(round + 1)"
            guard let id = LocationID(rawID) else { continue }
            locations.append(LocationState(id: id))
            zones.append(TimeZone.location(city.timeZone))
            techniciansAt.append([])
            let name = round == 0 ? "Stipple \(city.name)" : "Stipple \(city.name) \(round + 1)"
            locationCommand(
                index,
                .open(
                    LocationOpened(
                        at: now, name: name, city: city.name,
                        timeZone: city.timeZone, currency: settings.currency)))
            let hours = (1...6).map { OpeningHours(weekday: $0, opensAtMinute: 9 * 60, closesAtMinute: 18 * 60) }
            locationCommand(index, .setHours(LocationHoursSet(at: now, hours: hours)))
            // The second location's insurer covers treatments only from 21: a minimum age of its own.
            if index == 1 {
                settingsCommand(
                    ClinicSettingsChanged(
                        at: now, locationID: id, settings: SettingValues(minimumAge: 21),
                        changedBy: GeneratorCatalog.owner,
                        reason: "The studio's insurer covers cosmetic tattooing only from 21"))
            }
            for _ in 0..<configuration.techniciansPerLocation {
                let number = technicians.count + 1
                guard let technicianID = TechnicianID("T-" + String(number).leftPadded(to: 3)) else { continue }
                let technicianIndex = technicians.count
                technicians.append(TechnicianState(id: technicianID))
                technicianByStream[.technician(technicianID)] = technicianIndex
                techniciansAt[index].append(technicianIndex)
                let names = GeneratorCatalog.technicianNames
                technicianCommand(
                    technicianIndex,
                    .register(
                        TechnicianRegistered(
                            at: now, displayName: names[(number - 1) % names.count], homeLocationID: id)))
                let issued = startDay.adding(days: -int(30...600))
                certify(technicianIndex, issuedOn: issued)
            }
        }
        // The studio publishes its care sheet once its locations are open.
        careCommand(
            .publish(
                InstructionSetPublished(
                    at: now, name: "SMP standard care", items: GeneratorCatalog.careItems(sweatDays: 5))))
    }

    private func certify(_ index: Int, issuedOn: CalendarDay) {
        let expires = issuedOn.adding(days: 730)
        technicianCommand(
            index,
            .recordCertification(
                CertificationRecorded(
                    at: now, body: GeneratorCatalog.certificationBody,
                    certificateNumber: "ISMPA-\(int(10_000...99_999))", issuedOn: issuedOn, expiresOn: expires)))
        // Most renew two weeks ahead; one in twelve renews late and is uncertified for a while.
        let late = chance(1.0 / 12)
        let renewal = expires.adding(days: late ? int(3...20) : -14).startDate.addingTimeInterval(10 * 3600)
        schedule(.renewal(index), at: renewal)
    }

    private func renew(_ index: Int) {
        guard technicians[index].isActive else { return }
        certify(index, issuedOn: CalendarDay(now))
    }

    private func deliver(_ number: Int) {
        let expires = CalendarDay(now).adding(days: 730)
        for product in GeneratorCatalog.products.indices {
            let serial = 91_024_100 + number * GeneratorCatalog.products.count + product
            guard let batchNumber = PigmentBatchNumber("DB-\(serial)") else { continue }
            let index = batches.count
            batches.append(PigmentBatchState(id: batchNumber))
            batchByStream[.pigmentBatch(batchNumber)] = index
            if batchesByProduct.count <= product { batchesByProduct.append([]) }
            batchesByProduct[product].append(index)
            batchCommand(
                index,
                .receive(
                    PigmentBatchReceived(
                        at: now, product: GeneratorCatalog.products[product], batchNumber: batchNumber,
                        expiresOn: expires,
                        supplier: GeneratorCatalog.supplier, locationID: locations.first?.id)))
        }
        schedule(.delivery(number + 1), at: now.addingTimeInterval(91 * BusinessTime.day))
    }

    /// Recalls the batch of Medium Brown in use (received at least a month ago).
    private func recall() {
        guard batchesByProduct.count > 1 else { return }
        let monthAgo = now.addingTimeInterval(-30 * BusinessTime.day)
        guard let index = batchesByProduct[1].last(where: { (batches[$0].received?.at ?? now) <= monthAgo })
        else { return }
        batchCommand(index, .recall(PigmentBatchRecalled(at: now, reason: "Contaminated with PAH")))
    }

    /// The last technician of the first location leaves; their future bookings fail and are rebooked.
    private func deactivate() {
        guard let team = techniciansAt.first, team.count > 1, let index = team.last else { return }
        technicianCommand(index, .deactivate(TechnicianDeactivated(at: now, reason: "Left the studio")))
    }

    /// After a run of no-shows the first location asks a USD 200 deposit before a course session is booked, forfeited
    /// on a no-show or a late cancellation and refunded on a cancellation with notice.
    private func introduceDepositPolicy() {
        guard let location = locations.first?.id else { return }
        settingsCommand(
            ClinicSettingsChanged(
                at: now, locationID: location,
                settings: SettingValues(depositPolicy: DepositPolicy(fixedAmount: money(20_000))),
                changedBy: GeneratorCatalog.owner, reason: "Too many missed sessions: a deposit secures the slot"))
    }

    private func publishConsentForm(_ index: Int) {
        let form = GeneratorCatalog.consentForms[index]
        settingsCommand(
            .publishConsentForm(
                ConsentFormPublished(
                    at: now, formVersion: form.version, contentHash: form.hash,
                    scopes: [.treatment, .clinicalPhotos, .marketingPhotos], requiresReconsent: form.reconsent,
                    publishedBy: GeneratorCatalog.owner, reason: form.reason)))
    }

    private func prune() {
        let limit = now.addingTimeInterval(-BusinessTime.day)
        for index in technicians.indices { technicians[index].dropReservations(endingBefore: limit) }
        schedule(.prune, at: now.addingTimeInterval(30 * BusinessTime.day))
    }

    /// A usable batch of a product on a day: received, not recalled, not expired; the newest first.
    func batch(product: Int, on day: CalendarDay) -> Int? {
        guard product < batchesByProduct.count else { return nil }
        return batchesByProduct[product].last { index in
            let batch = batches[index]
            return batch.received != nil && !batch.isRecalled(on: day) && !batch.isExpired(on: day)
        }
    }

    // MARK: Arrivals

    private func arrivalTime(_ index: Int) -> Date {
        let fraction = (Double(index) + unit()) / Double(max(1, configuration.clientCount))
        return arrivalStart.addingTimeInterval(arrivalSpan * fraction)
    }

    private func arrive(_ index: Int) {
        if index + 1 < configuration.clientCount { schedule(.arrival(index + 1), at: arrivalTime(index + 1)) }
        guard !locations.isEmpty else { return }
        let agent = ClientAgent(id: uuid(), locationIndex: int(0...(locations.count - 1)))
        act(agent)
    }

    // MARK: Randomness

    func unit() -> Double { rng.uniform() }

    func chance(_ probability: Double) -> Bool { unit() < probability }

    func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// An index drawn with the given weights.
    func weighted(_ weights: [Int]) -> Int {
        var roll = int(0...(weights.reduce(0, +) - 1))
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }

    func uuid() -> UUID {
        let high = rng.next()
        let low = rng.next()
        return UUID(
            version4: (0..<16).map { index in
                UInt8(truncatingIfNeeded: (index < 8 ? high : low) >> (8 * (index % 8)))
            })
    }

    func contentHash() -> String {
        (0..<4).map { _ in String(rng.next(), radix: 16).leftPadded(to: 16) }.joined()
    }

    /// Whole dollars rounded to 50, as minor units.
    func price(_ range: ClosedRange<Int>) -> Int64 { Int64(int(range) / 50 * 50) * 100 }

    func money(_ minorUnits: Int64) -> Money { Money(minorUnits: minorUnits, currency: settings.currency) }
}
