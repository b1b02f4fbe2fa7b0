import Clinic
import ClinicService
import EventStore
import FadeModel
import Foundation
import Hummingbird
import Postgres
import Projections

extension ConsoleRoutes {
    func registerPages(_ router: ConsoleRouter) {
        let routes = self
        page(router, "/console/today") { request, _, session in try await routes.today(request, session) }
        page(router, "/console/clients") { request, _, session in
            try await routes.clients(session, query: request.query("q"), form: nil, status: .ok)
        }
        page(router, "/console/clients/{id}") { request, context, session in
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
                return routes.message(session, title: "No such client", status: .notFound, "Client ids are UUIDs.")
            }
            return try await routes.client(id, session, uploaded: request.query("uploaded"))
        }
        page(router, "/console/revenue") { request, _, session in try await routes.revenue(request, session) }
        page(router, "/console/touch-ups") { request, _, session in try await routes.touchUps(request, session) }
        page(router, "/console/recall") { request, _, session in try await routes.recall(request, session) }
        page(router, "/console/aftercare") { request, _, session in try await routes.aftercare(request, session) }
        page(router, "/console/audit", roles: [.auditor]) { request, _, session in
            try await routes.audit(request, session)
        }
        // An auditor's button: verify the chain now; the result is recorded and shown as the latest.
        form(router, "/console/audit/verify", command: false) { _, _, session, _ in
            guard session.key.role == .auditor else {
                return routes.message(
                    session, title: "Not for this role", status: .forbidden,
                    "Only auditors verify the chain from the console.")
            }
            _ = try await ChainVerifications(pool: routes.store.pool).verify(
                with: ChainVerifier(pool: routes.store.pool), actor: session.actor, channel: .console)
            return Self.redirect("/console/audit#verification")
        }
    }

    // MARK: - Today

    /// The day's appointments per location and technician. Each location's day is its own: `?day=D` is D in
    /// every location's zone; without it, each location shows its own today (Auckland's starts 13 hours
    /// before London's in December).
    func today(_ request: Request, _ session: ConsoleSession) async throws -> Response {
        let chosen = request.query("day").flatMap { CalendarDay(iso: $0) }
        let now = Date()
        // Live updates resume from where the schedule projection stood before it was read, not from the log's
        // head: an event it applies while (or after) the page reads it is then still announced, and the page
        // looks again. (Read after the schedule, a position could include an event the read did not see.)
        let isFragment = request.query("fragment") != nil
        var after: Int64 = 0
        if !isFragment {
            if let applied = try await projections.position(of: "schedule") {
                after = applied
            } else {
                after = try await store.headPosition()
            }
        }
        let appointments = try await ScheduleQueries(pool: store.pool).localDay(chosen, now: now)
        try await recordAccess(session, action: "schedule.read", clients: appointments.map(\.clientID))
        let schedule = Self.scheduleContext(appointments, day: chosen, now: now)
        if isFragment {
            return html(templates.render("schedule", schedule))
        }
        var context = base(session, title: chosen.map { "Schedule for \($0)" } ?? "Today")
        context.merge(schedule) { _, new in new }
        context["live"] = true
        context["fragment"] = "/console/today?fragment=1" + (chosen.map { "&day=\($0)" } ?? "")
        context["after"] = Checkpoint(position: after).token
        return html(templates.render("today", context))
    }

    /// Appointments grouped by location, then technician, times in the location's zone; each location names
    /// the local day it shows (`day`, or its own today at `now`).
    static func scheduleContext(_ appointments: [ScheduledAppointment], day: CalendarDay?, now: Date)
        -> [String: Any]
    {
        var locations: [[String: Any]] = []
        let byLocation = Dictionary(grouping: appointments, by: \.location)
        for location in byLocation.keys.sorted() {
            let items = byLocation[location] ?? []
            let zone = items.first?.timeZone
            let byTechnician = Dictionary(grouping: items, by: \.technician)
            let technicians = byTechnician.keys.sorted().map { technician -> [String: Any] in
                let rows = (byTechnician[technician] ?? []).sorted { $0.startsAt < $1.startsAt }
                return [
                    "name": rows.first?.technicianName ?? technician,
                    "appointments": rows.map { appointment -> [String: Any] in
                        [
                            "id": appointment.appointmentID, "clientID": appointment.clientID,
                            "client": appointment.clientName ?? "(unknown client)",
                            "time": ConsoleFormat.time(appointment.startsAt, zone: zone) + "–"
                                + ConsoleFormat.time(appointment.endsAt, zone: zone),
                            "iso": BusinessTime.iso(appointment.startsAt),
                            "label": appointment.label, "status": appointment.status,
                        ]
                    },
                ]
            }
            locations.append([
                "name": items.first?.locationName ?? location, "zone": ConsoleFormat.zoneName(zone),
                "day": (day ?? CalendarDay(now, in: TimeZone.location(zone))).description, "technicians": technicians,
            ])
        }
        return [
            "day": day?.description ?? "", "heading": day.map { "\($0)" } ?? "Today at each location",
            "count": appointments.count, "locations": locations,
        ]
    }

    // MARK: - Clients

    func clients(_ session: ConsoleSession, query: String?, form: ConsoleForm?, status: HTTPResponse.Status)
        async throws -> Response
    {
        var context = base(session, title: "Clients")
        let query = query?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        context["query"] = query
        if !query.isEmpty {
            guard let searchKey else {
                context["notice"] = "Search needs the master key (STIPPLE_MASTER_KEY_FILE), which this server lacks."
                return html(templates.render("clients", context), status: status)
            }
            let matches = try await SearchQueries(pool: store.pool, key: searchKey).search(query)
            try await recordAccess(session, action: "client.search", clients: matches.map(\.clientID.uuidString))
            let zones = try await locationZones()
            context["searched"] = true
            context["results"] = matches.map { match -> [String: Any] in
                let nextZone = match.nextAppointmentLocation.flatMap { zones[$0] }
                return [
                    "id": match.clientID.uuidString.lowercased(), "name": match.name ?? "(unknown)",
                    "lastVisit": ConsoleFormat.day(
                        match.lastVisitAt, zone: match.lastVisitLocation.flatMap { zones[$0] }),
                    "next": match.nextAppointmentAt.map {
                        ConsoleFormat.zonedDateTime($0, zone: nextZone)
                            + (match.nextAppointmentKind.map { " · \($0)" } ?? "")
                    } ?? "—",
                ]
            }
        }
        if session.mayCommand { context["form"] = (form ?? ConsoleForm.registration()).context }
        return html(templates.render("clients", context), status: status)
    }

    func client(
        _ id: UUID, _ session: ConsoleSession, payment: ConsoleForm? = nil, consultation: ConsoleForm? = nil,
        photo: ConsoleForm? = nil, uploaded: String? = nil, notice: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let timeline = try await TimelineQueries.timeline(client: id, store: store) else {
            return message(
                session, title: "No such client", status: .notFound,
                "No client \(id.uuidString.lowercased()) is known (yet).")
        }
        let forecast = try await ForecastQueries(pool: store.pool).client(id)
        try await recordAccess(session, action: "timeline.read", clients: [id.uuidString])
        let name = timeline.erased ? ErasedPersonalData.placeholder : (timeline.displayName ?? "(no name)")
        var context = base(session, title: name)
        if let notice { context["notice"] = notice }
        let currency = timeline.currency
        context["id"] = id.uuidString.lowercased()
        context["erased"] = timeline.erased
        context["balance"] = ConsoleFormat.money(timeline.balanceMinor, currency)
        context["paid"] = ConsoleFormat.money(timeline.paidMinor, currency)
        context["refunded"] = ConsoleFormat.money(timeline.refundedMinor, currency)
        context["charged"] = ConsoleFormat.money(timeline.chargedMinor, currency)
        context["sessions"] = timeline.sessionsPerformed
        context["touchUps"] = timeline.touchUpsPerformed
        // Times are read in the zone of the location they are about: an entry's own location (its appointment's),
        // else the client's latest location; UTC for a client never booked anywhere.
        let schedule = ScheduleQueries(pool: store.pool)
        let locations = try await schedule.locations()
        let zones = Self.zones(locations)
        func zone(_ location: String?) -> String? { (location ?? timeline.lastLocation).flatMap { zones[$0] } }
        let home = ConsoleFormat.zoneName(zone(nil))
        context["zone"] = home
        context["registered"] = ConsoleFormat.day(timeline.registeredAt, zone: zone(nil))
        context["next"] =
            timeline.nextAppointmentAt.map {
                let place = zone(timeline.nextAppointmentLocation)
                return ConsoleFormat.zonedDateTime($0, zone: place)
                    + (timeline.nextAppointmentKind.map { " · \($0)" } ?? "")
            } ?? "none booked"
        context["consent"] = timeline.entries.last(where: { $0.kind == "consent" })?.summary ?? "no consent recorded"
        let deposits = timeline.entries.filter { $0.kind == "deposit" }
        context["hasDeposits"] = !deposits.isEmpty
        context["deposits"] = deposits.map { entry -> [String: Any] in
            [
                "at": ConsoleFormat.day(entry.at, zone: zone(entry.location)),
                "summary": ConsoleFormat.localizing(entry.summary, zone: zone(entry.location)),
            ]
        }
        // One read of the client's photos for both the timeline's links and before/after (none when forgotten).
        var album: (photos: [StoredPhoto], pairs: [BeforeAfter]) = ([], [])
        if !timeline.erased {
            do {
                album = try await photos.album(client: id)
            } catch is PhotoError {}
        }
        // Photo entries link to their image when it is stored here (records without bytes stay plain text).
        let storedPhotos = Set(album.photos.filter(\.stored).map(\.contentHash))
        let clientPath = "/console/clients/\(id.uuidString.lowercased())"
        context["entries"] = timeline.entries.reversed().map { entry -> [String: Any] in
            let place = zone(entry.location)
            var item: [String: Any] = [
                "iso": BusinessTime.iso(entry.at), "at": ConsoleFormat.dateTime(entry.at, zone: place),
                "kind": entry.kind, "summary": ConsoleFormat.localizing(entry.summary, zone: place),
            ]
            // A time in another zone than the client's usual one says so.
            if ConsoleFormat.zoneName(place) != home { item["otherZone"] = ConsoleFormat.zoneName(place) }
            if let hash = entry.photoHash, storedPhotos.contains(hash) {
                item["photo"] = "\(clientPath)/photos/\(hash)"
            }
            return item
        }
        if let forecast, let prediction = forecast.prediction, prediction.status == .predicted {
            var chart = FadeChart.svg(
                prediction: prediction, observations: forecast.subject.observations, width: 720, height: 320)
            if chart.hasPrefix("<?xml"), let end = chart.firstIndex(of: "\n") {
                chart = String(chart[chart.index(after: end)...])
            }
            var shown: [String: Any] = [
                "due": ConsoleFormat.day(forecast.dueDate ?? prediction.crossingDate), "svg": chart,
                "drivers": forecast.drivers,
            ]
            if let low = forecast.intervalLow, let high = forecast.intervalHigh {
                shown["interval"] = "\(ConsoleFormat.day(low)) – \(ConsoleFormat.day(high))"
            }
            context["forecast"] = shown
        } else {
            context["forecastReason"] = forecast?.reason ?? "Not enough data for a fade forecast yet."
        }
        context["photoPairs"] = beforeAfterContext(id, album.pairs, zone: zone(nil))
        if let shown = uploadedContext(id, album.photos, hash: uploaded) { context["uploaded"] = shown }
        if session.mayCommand, !timeline.erased {
            let technicians = try await schedule.technicians()
            context["payment"] = (payment ?? ConsoleForm.payment(currency: currency, locations: locations)).context
            context["consultation"] =
                (consultation ?? ConsoleForm.consultation(locations: locations, technicians: technicians)).context
            context["photoUpload"] = (photo ?? ConsoleForm.photoUpload(sizeLimit: photos.sizeLimit)).context
        } else {
            context["mayCommand"] = false
        }
        return html(templates.render("client", context), status: status)
    }

    // MARK: - Revenue

    func revenue(_ request: Request, _ session: ConsoleSession) async throws -> Response {
        var context = base(session, title: "Revenue")
        let today = CalendarDay(Date())
        let to = request.query("to").flatMap { CalendarDay(iso: $0) } ?? today
        let defaultFrom = CalendarDay(year: to.year - (to.month == 12 ? 0 : 1), month: to.month % 12 + 1, day: 1)
        let from = request.query("from").flatMap { CalendarDay(iso: $0) } ?? defaultFrom ?? to.adding(days: -365)
        context["from"] = from.description
        context["to"] = to.description
        var schema = "revenue"
        if session.key.role == .auditor {
            context["asOfField"] = true
            if let text = request.query("as_of"), !text.isEmpty {
                guard let asOf = CalendarDay(iso: text) else {
                    context["notice"] = "The as-of date must be YYYY-MM-DD."
                    return html(templates.render("revenue", context), status: .badRequest)
                }
                context["asOf"] = asOf.description
                let position = try await store.position(asOf: asOf.adding(days: 1).startDate)
                schema = try await revenueSnapshot(upTo: position, asOf: asOf.adding(days: 1).startDate)
                context["asOfNote"] =
                    "Revenue as the log stood at the end of \(asOf) (UTC), position \(position): rebuilt from the events up to then."
            }
        }
        let pool = store.pool
        let months = try await RevenueQueries.report(
            from: from.description, to: to.description, by: .month, schema: schema, pool: pool)
        let currencies = Set(months.lines.map(\.currency)).sorted()
        context["currencies"] = currencies.map { currency -> [String: Any] in
            let lines = months.lines.filter { $0.currency == currency }.sorted { $0.group < $1.group }
            return [
                "currency": currency,
                "chart": RevenueChart.svg(
                    lines.map { .init(label: $0.group, cash: $0.cashReceivedMinor, earned: $0.earnedMinor) },
                    currency: currency),
            ]
        }
        context["completion"] = ConsoleFormat.percent(months.courseCompletionRate)
        context["returnRate"] = ConsoleFormat.percent(months.touchUpReturnRate)
        var tables: [[String: Any]] = []
        for grouping in [RevenueGrouping.location, .technician] {
            let report = try await RevenueQueries.report(
                from: from.description, to: to.description, by: grouping, schema: schema, pool: pool)
            tables.append([
                "by": grouping.rawValue,
                "lines": report.lines.sorted { ($0.group, $0.currency) < ($1.group, $1.currency) }.map {
                    line -> [String: Any] in
                    [
                        "group": line.group, "cash": ConsoleFormat.money(line.cashReceivedMinor, line.currency),
                        "earned": ConsoleFormat.money(line.earnedMinor, line.currency),
                        "refunds": ConsoleFormat.money(line.refundsMinor, line.currency),
                        "deposits": ConsoleFormat.money(line.depositsTakenMinor, line.currency),
                        "services": line.services,
                    ]
                },
            ])
        }
        context["tables"] = tables
        return html(templates.render("revenue", context))
    }

    /// The schema holding the revenue projection as of `position`, built (once per position) by the runner's
    /// snapshot builder.
    func revenueSnapshot(upTo position: Int64, asOf: Date) async throws -> String {
        let schema = "console_asof_revenue_\(position)"
        let complete = try await store.pool.withConnection { connection in
            try await connection.query(
                "SELECT 1 FROM projection_snapshots WHERE schema_name = \(schema) AND complete")
        }
        if complete.isEmpty {
            try await projections.buildSnapshot(["revenue"], upTo: position, asOf: asOf, into: schema)
        }
        return schema
    }

    // MARK: - Touch-ups and recall

    func touchUps(_ request: Request, _ session: ConsoleSession) async throws -> Response {
        var context = base(session, title: "Touch-ups due")
        let within = request.query("within").flatMap { Int($0) }.map { min(max($0, 1), 3650) } ?? 90
        let due = try await ForecastQueries(pool: store.pool).due(asOf: Date(), withinDays: within)
        try await recordAccess(session, action: "forecast.read", clients: due.map(\.clientID))
        context["within"] = within
        context["rows"] = due.map { row -> [String: Any] in
            [
                "id": row.clientID, "name": row.name ?? "(unknown)", "due": ConsoleFormat.day(row.dueDate),
                "interval": row.intervalLow.map { low in
                    "\(ConsoleFormat.day(low)) – \(ConsoleFormat.day(row.intervalHigh))"
                } ?? "—",
                "last": ConsoleFormat.day(row.lastTreatmentAt),
                "density": ConsoleFormat.percent(row.densityAtLastEvent),
            ]
        }
        return html(templates.render("touch-ups", context))
    }

    /// Treatments whose aftercare was not given within a day (`AftercareQueries`, as `GET /v1/aftercare-follow-ups`):
    /// the list a clinic works through, oldest first, each time in its location's zone.
    func aftercare(_ request: Request, _ session: ConsoleSession) async throws -> Response {
        var context = base(session, title: "Aftercare follow-ups")
        let location = request.query("location").flatMap { $0.isEmpty ? nil : $0 }
        let followUps = try await AftercareQueries(pool: store.pool).followUps(asOf: Date(), location: location)
        try await recordAccess(session, action: "aftercare.read", clients: followUps.map(\.clientID))
        let zones = try await locationZones()
        context["location"] = location ?? ""
        context["rows"] = followUps.map { row -> [String: Any] in
            let zone = zones[row.location]
            return [
                "id": row.clientID, "name": row.clientName ?? "(unknown)",
                "treatment": row.sessionNumber.map { "\(row.kind) \($0)" } ?? row.kind,
                "performed": ConsoleFormat.zonedDateTime(row.performedAt, zone: zone),
                "technician": row.technician, "place": row.location,
                "status": row.givenAt.map { "late: given \(ConsoleFormat.dateTime($0, zone: zone))" } ?? "missing",
                "missing": row.givenAt == nil,
            ]
        }
        return html(templates.render("aftercare", context))
    }

    func recall(_ request: Request, _ session: ConsoleSession) async throws -> Response {
        var context = base(session, title: "Recall")
        let queries = RecallQueries(pool: store.pool)
        let recalled = try await queries.recalledBatches()
        context["recalled"] = recalled
        context["hasRecalled"] = !recalled.isEmpty
        guard let batch = request.query("batch")?.trimmingCharacters(in: .whitespaces), !batch.isEmpty else {
            return html(templates.render("recall", context))
        }
        context["batch"] = batch
        guard PigmentBatchNumber(batch) != nil, let report = try await queries.recall(batch: batch) else {
            context["error"] = "Pigment batch \(batch) is not known to the traceability projection."
            return html(templates.render("recall", context), status: .notFound)
        }
        try await recordAccess(session, action: "recall.read", clients: report.clients.map(\.clientID))
        let names = Dictionary(report.clients.map { ($0.clientID, $0.name ?? "(unknown)") }) { first, _ in first }
        // Each time in the zone of the location it happened at: a use at its location, the recall at the
        // location that received the batch, a client's last use where that use was.
        let zones = try await locationZones()
        let lastUseZone = Dictionary(
            report.uses.map { ($0.clientID, $0) }, uniquingKeysWith: { $0.performedAt >= $1.performedAt ? $0 : $1 }
        ).compactMapValues { zones[$0.location] }
        let batchZone = report.location.flatMap { zones[$0] }
        context["report"] =
            [
                "batchNumber": report.batchNumber, "product": report.product ?? "unknown product",
                "expiresOn": report.expiresOn ?? "—",
                "status": report.recalledAt.map {
                    "recalled \(ConsoleFormat.day($0, zone: batchZone)): \(report.recallReason ?? "")"
                } ?? "not recalled",
                "uses": report.uses.map { use -> [String: Any] in
                    let zone = zones[use.location]
                    return [
                        "at": ConsoleFormat.zonedDateTime(use.performedAt, zone: zone),
                        "kind": use.sessionNumber.map { "\(use.kind) \($0)" } ?? use.kind,
                        "technician": use.technician, "location": use.location, "clientID": use.clientID,
                        "client": names[use.clientID] ?? "(unknown)",
                    ]
                },
                "clients": report.clients.map { client -> [String: Any] in
                    [
                        "clientID": client.clientID, "name": client.name ?? "(unknown)",
                        "uses": client.uses == 1 ? "1 use" : "\(client.uses) uses",
                        "last": ConsoleFormat.day(client.lastUse, zone: lastUseZone[client.clientID]),
                    ]
                },
            ] as [String: Any]
        return html(templates.render("recall", context))
    }

    // MARK: - Audit

    func audit(_ request: Request, _ session: ConsoleSession) async throws -> Response {
        var context = base(session, title: "Audit")
        context["today"] = CalendarDay(Date()).description
        let seal = try await store.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT position, recorded_at, coalesce(metadata->>'actor', 'unknown') FROM events
                WHERE stream = \(ChainVerifier.sealStream) ORDER BY version DESC LIMIT 1
                """
            ).first
        }
        if let seal {
            let (position, at, actor) = try seal.decode((Int64, Date, String).self)
            context["seal"] = ["position": position, "at": ConsoleFormat.dateTime(at) + " UTC", "actor": actor]
        }
        if let last = try await ChainVerifications(pool: store.pool).latest() {
            var shown: [String: Any] = [
                "at": ConsoleFormat.dateTime(last.at) + " UTC", "actor": last.actor, "channel": last.channel.rawValue,
                "summary": last.summary, "class": last.isIntact ? "ok" : "field-error",
                "verdict": last.isIntact ? "intact" : "NOT intact", "iso": BusinessTime.iso(last.at),
            ]
            if let anchor = last.anchor { shown["anchor"] = anchor }
            context["verification"] = shown
        }
        if let text = request.query("client")?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            context["client"] = text
            if let id = UUID(uuidString: text.hasPrefix("client-") ? String(text.dropFirst(7)) : text) {
                let subject = ClinicPrivacy.accessSubject(client: id.uuidString.lowercased())
                let entries = try await AccessLog(pool: store.pool).entries(subject: subject, limit: 500)
                try await recordAccess(session, action: "access-log.read", clients: [subject])
                context["accessShown"] = true
                context["access"] = entries.map { entry -> [String: Any] in
                    [
                        "at": ConsoleFormat.dateTime(entry.at) + " UTC", "actor": entry.actor, "action": entry.action,
                        "channel": entry.channel.rawValue, "reason": entry.reason ?? "",
                    ]
                }
            } else {
                context["clientError"] = "A client id is a UUID (or client-<uuid>)."
            }
        }
        return html(templates.render("audit", context))
    }
}
