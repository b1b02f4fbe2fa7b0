import Clinic
import EventStore
import Foundation
import Hummingbird
import Postgres
import Projections

/// Read-model queries. Lists are paginated with an opaque `cursor` (`next_cursor` in the answer).
struct QueryRoutes {
    let routes: APIRoutes
    let pool: ConnectionPool
    /// The log, for answers as of a past time (built into a scratch schema).
    let store: EventStore

    func register() {
        let pool = self.pool
        let store = self.store
        let access = APIAccessLog(pool: pool)
        routes.add(
            .get, "/v1/clients/{id}/timeline", .query, summary: "A client's timeline (entries paginated)",
            query: ["cursor", "limit"]
        ) { request, context, caller in
            guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
                throw Problem.notFound("no client with that id (client ids are UUIDs)")
            }
            guard let timeline = try await TimelineQueries.timeline(client: id, store: store) else {
                throw Problem.notFound("the timeline has no client \(text.lowercased()) (yet)")
            }
            let page = try Page(
                request,
                timeline.entries.map { entry -> [String: Any] in
                    var item: [String: Any] = [
                        "position": entry.position, "at": BusinessTime.iso(entry.at), "kind": entry.kind,
                        "summary": entry.summary,
                    ]
                    // A logged photo links to its image (404 when only the record exists, 410 after a forget).
                    if let hash = entry.photoHash {
                        item["photo"] = "/v1/clients/\(timeline.clientID.uuidString.lowercased())/photos/\(hash)"
                    }
                    return item
                })
            var object: [String: Any] = [
                "clientID": timeline.clientID.uuidString.lowercased(), "erased": timeline.erased,
                "paidMinor": timeline.paidMinor, "refundedMinor": timeline.refundedMinor,
                "chargedMinor": timeline.chargedMinor, "balanceMinor": timeline.balanceMinor,
                "sessionsPerformed": timeline.sessionsPerformed, "touchUpsPerformed": timeline.touchUpsPerformed,
            ]
            object["displayName"] = timeline.displayName
            object["currency"] = timeline.currency
            object["registeredAt"] = timeline.registeredAt.map(BusinessTime.iso)
            object["nextAppointmentAt"] = timeline.nextAppointmentAt.map(BusinessTime.iso)
            object["nextAppointmentKind"] = timeline.nextAppointmentKind
            page.fill(&object, key: "entries")
            try await access.record(caller, request, action: "timeline.read", clients: [timeline.clientID.uuidString])
            return try JSONResponse.object(object)
        }
        routes.add(
            .get, "/v1/revenue", .query,
            summary: "Revenue between two days, grouped; known_at / effective_at answer as of a past time",
            query: ["from", "to", "by", "known_at", "effective_at"]
        ) { request, _, _ in
            let from = try Self.day(request.query("from"), field: "from")
            let to = try Self.day(request.query("to"), field: "to")
            let byText = request.query("by") ?? "month"
            guard let grouping = RevenueGrouping(rawValue: byText) else {
                let options = RevenueGrouping.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem.badRequest("by must be one of \(options)", field: "by")
            }
            let question = AsOfQuestion(
                knownAt: try Self.endOfDay(request.query("known_at"), field: "known_at"),
                effectiveAt: try Self.endOfDay(request.query("effective_at"), field: "effective_at"))
            let report: RevenueReport
            var asked: [String: Any] = [:]
            if question.isLive {
                report = try await RevenueQueries.report(from: from, to: to, by: grouping, pool: pool)
                asked["description"] = "live, from every event recorded"
            } else {
                let (answer, position) = try await AsOfBuild.withScratchSnapshot(
                    question, projections: [RevenueProjection()], store: store, pool: pool
                ) { schema, position in
                    (
                        try await RevenueQueries.report(from: from, to: to, by: grouping, schema: schema, pool: pool),
                        position
                    )
                }
                report = answer
                asked["position"] = position
                asked["description"] = question.describe(position: position)
                asked["knownAt"] = question.knownAt.map(BusinessTime.iso)
                asked["effectiveAt"] = question.effectiveAt.map(BusinessTime.iso)
            }
            var object: [String: Any] = [
                "asked": asked,
                "from": report.from, "to": report.to, "by": grouping.rawValue,
                "lines": report.lines.map { line -> [String: Any] in
                    [
                        "group": line.group, "currency": line.currency, "cashReceivedMinor": line.cashReceivedMinor,
                        "earnedMinor": line.earnedMinor, "refundsMinor": line.refundsMinor,
                        "depositsTakenMinor": line.depositsTakenMinor,
                        "depositsAppliedMinor": line.depositsAppliedMinor,
                        "depositsForfeitedMinor": line.depositsForfeitedMinor, "services": line.services,
                    ]
                },
                "positions": report.positions.map { position -> [String: Any] in
                    [
                        "currency": position.currency, "depositsHeldMinor": position.depositsHeldMinor,
                        "outstandingMinor": position.outstandingMinor, "clientsOwing": position.clientsOwing,
                    ]
                },
            ]
            object["courseCompletionRate"] = report.courseCompletionRate
            object["touchUpReturnRate"] = report.touchUpReturnRate
            object["rates"] = report.rates.map { rates -> [String: Any] in
                var line: [String: Any] = [
                    "group": rates.group, "coursesStarted": rates.coursesStarted,
                    "coursesCompleted": rates.coursesCompleted, "coursesFinished": rates.coursesFinished,
                    "touchUpReturns": rates.touchUpReturns, "treatments": rates.treatments,
                    "rebookedWithin90Days": rates.rebookedWithin90Days, "appointmentsDue": rates.appointmentsDue,
                    "noShows": rates.noShows, "lateCancellations": rates.lateCancellations,
                ]
                line["courseCompletionRate"] = rates.courseCompletionRate
                line["touchUpReturnRate"] = rates.touchUpReturnRate
                line["rebookingRate"] = rates.rebookingRate
                line["noShowRate"] = rates.noShowRate
                line["lateCancellationRate"] = rates.lateCancellationRate
                return line
            }
            return try JSONResponse.object(object)
        }
        routes.add(
            .get, "/v1/forecasts", .query, summary: "Clients predicted to need a touch-up soon",
            query: ["due_within", "as_of", "cursor", "limit"]
        ) { request, _, caller in
            let days = try Self.days(request.query("due_within") ?? "90d")
            let asOf = try Self.date(request.query("as_of"), field: "as_of") ?? Date()
            let due = try await ForecastQueries(pool: pool).due(asOf: asOf, withinDays: days)
            let page = try Page(request, try due.map(Self.jsonObject))
            var object: [String: Any] = ["asOf": BusinessTime.iso(asOf), "dueWithinDays": days]
            page.fill(&object, key: "clients")
            try await access.record(
                caller, request, action: "forecast.read", clients: APIAccessLog.clientIDs(in: page.items))
            return try JSONResponse.object(object)
        }
        routes.add(
            .get, "/v1/schedule", .query, summary: "Upcoming appointments, soonest first",
            query: ["from", "location", "technician", "cursor", "limit"]
        ) { request, _, caller in
            let from = try Self.date(request.query("from"), field: "from") ?? Date()
            let appointments = try await ScheduleQueries(pool: pool).upcoming(
                from: from, limit: 1000, location: request.query("location"),
                technician: request.query("technician"))
            let page = try Page(request, try appointments.map(Self.jsonObject))
            var object: [String: Any] = ["from": BusinessTime.iso(from)]
            page.fill(&object, key: "appointments")
            try await access.record(
                caller, request, action: "schedule.read", clients: APIAccessLog.clientIDs(in: page.items))
            return try JSONResponse.object(object)
        }
        routes.add(
            .get, "/v1/aftercare-follow-ups", .query,
            summary: "Sessions and touch-ups whose aftercare was not given within a day (missing or late)",
            query: ["as_of", "from", "location", "technician", "cursor", "limit"]
        ) { request, _, caller in
            let asOf = try Self.date(request.query("as_of"), field: "as_of") ?? Date()
            let from = try Self.date(request.query("from"), field: "from")
            let followUps = try await AftercareQueries(pool: pool).followUps(
                asOf: asOf, from: from, location: request.query("location"), technician: request.query("technician"),
                limit: 5000)
            let items = try followUps.map { followUp -> Any in
                guard var object = try Self.jsonObject(followUp) as? [String: Any] else { return [:] }
                object["status"] = followUp.status
                return object
            }
            let page = try Page(request, items)
            var object: [String: Any] = ["asOf": BusinessTime.iso(asOf), "graceHours": 24]
            page.fill(&object, key: "followUps")
            try await access.record(
                caller, request, action: "aftercare.read", clients: APIAccessLog.clientIDs(in: page.items))
            return try JSONResponse.object(object)
        }
        routes.add(
            .get, "/v1/recalls/{batch}", .query, summary: "Who was treated with a pigment batch (recall lookup)"
        ) { request, context, caller in
            guard let batch = context.parameters.get("batch"), PigmentBatchNumber(batch) != nil else {
                throw Problem.notFound("no such pigment batch")
            }
            guard let report = try await RecallQueries(pool: pool).recall(batch: batch) else {
                throw Problem.notFound("pigment batch \(batch) is not known to the traceability projection")
            }
            try await access.record(
                caller, request, action: "recall.read", clients: APIAccessLog.clientIDs(in: try Self.jsonObject(report))
            )
            return try JSONResponse.make(report)
        }
    }

    static func jsonObject(_ value: some Encodable) throws -> Any {
        try JSONSerialization.jsonObject(with: try JSONResponse.encoder().encode(value))
    }

    static func day(_ text: String?, field: String) throws -> String {
        guard let text else { throw Problem.badRequest("\(field) is required (YYYY-MM-DD)", field: field) }
        guard CalendarDay(iso: text) != nil else {
            throw Problem.badRequest("\(field) must be YYYY-MM-DD", field: field)
        }
        return text
    }

    static func date(_ text: String?, field: String) throws -> Date? {
        guard let text else { return nil }
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        if let day = CalendarDay(iso: text) { return day.startDate }
        throw Problem.badRequest("\(field) must be an ISO-8601 time or YYYY-MM-DD", field: field)
    }

    /// An ISO-8601 time, or a day meaning its last instant (UTC): "as of 2023-12-31" includes that day.
    static func endOfDay(_ text: String?, field: String) throws -> Date? {
        guard let text else { return nil }
        if let day = CalendarDay(iso: text) { return day.startDate.addingTimeInterval(86_400 - 0.000_001) }
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        throw Problem.badRequest("\(field) must be an ISO-8601 time or YYYY-MM-DD", field: field)
    }

    /// `90d`, `12w` or a bare number of days.
    static func days(_ text: String) throws -> Int {
        var digits = Substring(text)
        var factor = 1
        if digits.hasSuffix("d") {
            digits = digits.dropLast()
        } else if digits.hasSuffix("w") {
            digits = digits.dropLast()
            factor = 7
        }
        guard let value = Int(digits), (1...3650).contains(value * factor) else {
            throw Problem.badRequest("due_within must be like 90d or 12w (at most 3650 days)", field: "due_within")
        }
        return value * factor
    }
}

/// A slice of a list: `cursor` is an opaque offset, `limit` 1–500 (default 100).
struct Page {
    var items: [Any]
    var next: String?

    init(_ request: Request, _ all: [Any]) throws {
        let limit: Int
        if let text = request.query("limit") {
            guard let value = Int(text), (1...500).contains(value) else {
                throw Problem.badRequest("limit must be between 1 and 500", field: "limit")
            }
            limit = value
        } else {
            limit = 100
        }
        var offset = 0
        if let cursor = request.query("cursor") {
            guard let data = Data(base64Encoded: cursor), let text = String(data: data, encoding: .utf8),
                text.hasPrefix("o:"), let value = Int(text.dropFirst(2)), value >= 0
            else { throw Problem.badRequest("cursor is not one this server issued", field: "cursor") }
            offset = value
        }
        let end = min(all.count, offset + limit)
        items = offset < end ? Array(all[offset..<end]) : []
        next = end < all.count ? Data("o:\(end)".utf8).base64EncodedString() : nil
    }

    func fill(_ object: inout [String: Any], key: String) {
        object[key] = items
        object["next_cursor"] = next.map { $0 as Any } ?? NSNull()
    }
}
