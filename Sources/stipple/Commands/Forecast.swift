import ArgumentParser
import Clinic
import EventStore
import FadeModel
import Foundation
import Projections

struct Forecast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Touch-up forecasts: who is due, one client's forecast, the revenue outlook, calibration.",
        discussion: """
            Exactly one of:
              stipple forecast --due-within 90d [--as-of YYYY-MM-DD]   the recall list
              stipple forecast CLIENT [--svg out.svg]                  one client's forecast (and chart)
              stipple forecast --outlook [--as-of YYYY-MM-DD]          expected touch-up revenue, 12 months
              stipple forecast --calibrate                             fit the model on all follow-ups, rebuild
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "A client id (UUID).")
    var client: String?

    @Option(name: .customLong("due-within"), help: "List clients due within this many days, e.g. 90d.")
    var dueWithin: String?

    @Option(name: .customLong("as-of"), help: "The reference day, YYYY-MM-DD (default: today, UTC).")
    var asOf: String?

    @Option(help: "Write the client's fade chart to this SVG file.")
    var svg: String?

    @Flag(help: "Expected touch-up revenue per month for the next 12 months.")
    var outlook = false

    @Option(name: .customLong("default-price"), help: "Touch-up price for clients with no quote or plan.")
    var defaultPrice = "USD 600.00"

    @Flag(help: "Calibrate the fade model on every client's follow-ups, store it, and rebuild the forecasts.")
    var calibrate = false

    @Option(help: "table (for people), csv or json.")
    var format: OutputFormat = .table

    func run() async throws {
        try await reportingErrors {
            let modes = [client != nil, dueWithin != nil, outlook, calibrate].filter { $0 }.count
            guard modes == 1 else {
                throw UserError("give exactly one of CLIENT, --due-within DAYS, --outlook or --calibrate")
            }
            if svg != nil, client == nil { throw UserError("--svg needs a CLIENT") }
            let reference = try Self.referenceDate(asOf)
            let projections: [any Projection] = [TimelineProjection(), ForecastProjection()]
            if let dueWithin {
                let days = try Self.days(dueWithin)
                let due = try await ReadModels.using(database, projections) {
                    try await ForecastQueries(pool: $0).due(asOf: reference, withinDays: days)
                }
                print(Self.render(due, format: format), terminator: "")
            } else if let client {
                guard let id = UUID(uuidString: client) else {
                    throw UserError("'\(client)' is not a client id: expected a UUID such as 6f1c0e9a-…")
                }
                let found = try await ReadModels.using(database, projections) {
                    try await ForecastQueries(pool: $0).client(id, asOf: reference)
                }
                guard let forecast = found else { throw UserError("unknown client \(id.uuidString.lowercased())") }
                if let svg { try writeChart(forecast, to: svg) }
                print(Self.render(forecast, asOf: reference, format: format), terminator: "")
            } else if outlook {
                let price = try Self.money(defaultPrice)
                let outlooks = try await ReadModels.using(database, projections) {
                    try await ForecastQueries(pool: $0).outlook(now: reference, months: 12, defaultPrice: price)
                }
                print(Self.render(outlooks, format: format), terminator: "")
            } else {
                let (calibration, settings) = try await ReadModels.using(database, projections) { pool in
                    let result = try await ForecastQueries(pool: pool).calibrate(now: Date())
                    try await ProjectionRunner(store: database.store(pool), projections: projections)
                        .rebuild(ForecastProjection().name)
                    return result
                }
                let p = calibration.parameters
                let shape = p.form == .weibull ? p.shape : 1
                print(
                    TableOutput.keyValues([
                        ("calibrated", settings.summary ?? ""),
                        (
                            "average client reaches \(settings.threshold) after",
                            String(
                                format: "%.2f years (median)", pow(log(1 / settings.threshold), 1 / shape) / p.baseRate)
                        ),
                        ("base rate k0", String(format: "%.4f /yr", p.baseRate)),
                        ("between-client sd", String(format: "%.3f", p.betweenClientSD)),
                        ("observation sd", String(format: "%.3f", p.observationSD)),
                        ("forecasts", "rebuilt with the calibrated parameters"),
                    ]), terminator: "")
            }
        }
    }

    private func writeChart(_ forecast: ClientForecast, to path: String) throws {
        guard let prediction = forecast.prediction else {
            throw UserError("no forecast to draw for \(forecast.clientID): \(forecast.reason ?? "not enough data")")
        }
        let document = FadeChart.svg(prediction: prediction, observations: forecast.subject.observations)
        do {
            try Data(document.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw UserError("cannot write \(path): check the folder exists and is writable")
        }
    }

    // MARK: - Input

    static func referenceDate(_ text: String?) throws -> Date {
        guard let text else { return CalendarDay(Date()).startDate }
        guard let day = CalendarDay(iso: text) else {
            throw UserError("invalid date '\(text)': use YYYY-MM-DD, e.g. 2026-03-02")
        }
        return day.startDate
    }

    /// "90d" or "90" → 90.
    static func days(_ text: String) throws -> Int {
        let digits = text.hasSuffix("d") ? String(text.dropLast()) : text
        guard let days = Int(digits), (0...36_500).contains(days) else {
            throw UserError("invalid --due-within '\(text)': give a number of days such as 90d")
        }
        return days
    }

    /// "USD 600.00", "USD 600" → money.
    static func money(_ text: String) throws -> Money {
        let parts = text.split(separator: " ")
        let amount = parts.count == 2 ? parts[1].split(separator: ".", omittingEmptySubsequences: false) : []
        guard parts.count == 2, let currency = Currency(String(parts[0])), (1...2).contains(amount.count),
            let major = Int64(amount[0]), major >= 0,
            amount.count == 1 || (amount[1].count == 2 && Int64(amount[1]) != nil)
        else { throw UserError("invalid --default-price '\(text)': write it like USD 600.00") }
        let minor = amount.count == 2 ? Int64(amount[1]) ?? 0 : 0
        return Money(minorUnits: major * 100 + minor, currency: currency)
    }

    // MARK: - Output

    static func render(_ due: [DueTouchUp], format: OutputFormat) -> String {
        TableOutput.render(
            headers: ["client", "name", "due", "interval_low", "interval_high", "last_treatment"],
            rows: due.map { item in
                [
                    item.clientID, item.name ?? "", TableOutput.day(item.dueDate), TableOutput.day(item.intervalLow),
                    TableOutput.day(item.intervalHigh), TableOutput.day(item.lastTreatmentAt),
                ]
            }, format: format)
    }

    static func render(_ forecast: ClientForecast, asOf: Date, format: OutputFormat) -> String {
        let price = forecast.priceMinor.map { TableOutput.money($0, forecast.priceCurrency) } ?? "clinic default"
        let interval =
            forecast.intervalLow.map { "\(TableOutput.day($0)) – \(TableOutput.day(forecast.intervalHigh))" } ?? ""
        let density = (forecast.densityAsOf ?? forecast.densityAtLastEvent).map { String(format: "%.2f", $0) } ?? ""
        let densityOn = forecast.densityAsOf == nil ? forecast.predictedAt : max(asOf, forecast.predictedAt)
        switch format {
        case .table:
            var pairs: [(String, String)] = [("client", forecast.clientID)]
            if let name = forecast.name { pairs.append(("name", name)) }
            pairs.append(("status", forecast.status + (forecast.reason.map { ": \($0)" } ?? "")))
            if forecast.status == "predicted" {
                pairs += [
                    ("touch-up due", TableOutput.day(forecast.dueDate)), ("80% interval", interval),
                    ("density", "\(density) on \(TableOutput.day(densityOn))"),
                    ("observations used", String(forecast.observationsUsed)),
                ]
            }
            pairs += [
                ("sessions", String(forecast.subject.sessions.count)),
                ("touch-ups", String(forecast.subject.touchUps.count)),
                ("last treatment", TableOutput.day(forecast.lastTreatmentAt)),
                ("touch-up price", "\(price) (\(forecast.priceSource))"),
            ]
            let drivers = forecast.drivers.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            for (index, driver) in drivers.enumerated() { pairs.append((index == 0 ? "drivers" : "", driver)) }
            return TableOutput.keyValues(pairs)
        case .csv, .json:
            return TableOutput.render(
                headers: [
                    "client", "name", "status", "reason", "due", "interval_low", "interval_high", "density",
                    "density_on", "observations_used", "sessions", "touch_ups", "last_treatment", "price",
                    "price_source", "drivers",
                ],
                rows: [
                    [
                        forecast.clientID, forecast.name ?? "", forecast.status, forecast.reason ?? "",
                        TableOutput.day(forecast.dueDate), TableOutput.day(forecast.intervalLow),
                        TableOutput.day(forecast.intervalHigh), density, TableOutput.day(densityOn),
                        String(forecast.observationsUsed), String(forecast.subject.sessions.count),
                        String(forecast.subject.touchUps.count), TableOutput.day(forecast.lastTreatmentAt),
                        forecast.priceMinor == nil ? "" : price, forecast.priceSource, forecast.drivers,
                    ]
                ], format: format)
        }
    }

    static func render(_ outlooks: [CurrencyOutlook], format: OutputFormat) -> String {
        func money(_ value: Double, _ currency: String) -> String {
            TableOutput.money(Int64((value * 100).rounded()), currency)
        }
        var rows: [[String]] = []
        for item in outlooks {
            let outlook = item.outlook
            rows.append(["overdue", "", money(outlook.overdue, item.currency), ""])
            for month in outlook.months {
                rows.append([
                    String(TableOutput.day(month.start).prefix(7)), TableOutput.day(month.start),
                    money(month.expected, item.currency), String(format: "%.2f", month.expectedTouchUps),
                ])
            }
            rows.append(["later", "", money(outlook.later, item.currency), ""])
        }
        var out = TableOutput.render(headers: ["month", "from", "expected", "touch_ups"], rows: rows, format: format)
        if format == .table {
            for item in outlooks {
                let sources = item.priceSources.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                out += "\(item.currency) prices: " + sources.joined(separator: ", ") + "\n"
            }
        }
        return out
    }
}
