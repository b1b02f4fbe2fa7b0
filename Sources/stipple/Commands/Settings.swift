import ArgumentParser
import Clinic
import ClinicService
import EventStore
import Foundation

/// `stipple settings show|set`: the clinic's settings, recorded as `settings.changed` events with who and why.
struct Settings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or change the clinic's settings (clinic-wide or per location), recorded as events.",
        discussion: """
            Minimum age, healing interval, screening validity, cancellation window, retention years and the \
            deposit policy are events on the stream settings-clinic (type settings.changed), each saying who \
            decided it and why; every command is decided with the settings as that stream says. A location's \
            own values (where the law differs) override the clinic-wide ones there.
            """,
        subcommands: [Show.self, Change.self, PublishForm.self]
    )

    /// Runs a settings command through the command handler; a rejection becomes a user error led by `refused`.
    static func record(_ command: SettingsCommand, database: DatabaseOptions, reason: String, refused: String)
        async throws -> CommandHandler.Outcome
    {
        let pool = try database.pool(maximumConnections: 2)
        do {
            let outcome = try await CommandHandler(store: database.store(pool)).handle(
                command, metadata: EventMetadata(actor: AccessOptions.actor, reason: reason))
            await pool.close()
            return outcome
        } catch CommandHandler.Failure.rejected(let rejection) {
            await pool.close()
            throw UserError("\(refused): \(rejection.message)")
        } catch {
            await pool.close()
            throw error
        }
    }

    /// `stipple settings show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The settings in force, clinic-wide and per location, then every change with who and why.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "table (for people), csv or json.")
        var format: OutputFormat = .table

        func run() async throws {
            try await reportingErrors {
                let pool = try database.pool(maximumConnections: 2)
                do {
                    let state = try await CommandHandler(store: database.store(pool)).currentSettings()
                    await pool.close()
                    print(Self.render(state, format: format), terminator: "")
                } catch {
                    await pool.close()
                    throw error
                }
            }
        }

        static func render(_ state: ClinicSettingsState, format: OutputFormat) -> String {
            let headers = [
                "scope", "minimum_age", "healing_interval_days", "screening_validity_months",
                "cancellation_window_hours", "retention_years", "deposit_policy",
            ]
            func row(_ scope: String, _ settings: ClinicSettings) -> [String] {
                [
                    scope, String(settings.minimumAge), String(settings.healingIntervalDays),
                    String(settings.screeningValidityMonths),
                    String(settings.cancellationWindowHours), String(settings.retentionYears),
                    describe(settings.depositPolicy),
                ]
            }
            let rows =
                [row("clinic", state.settings)]
                + state.locationSettings.keys.sorted().map { row("location \($0)", state.settings(at: $0)) }
            var text = TableOutput.render(headers: headers, rows: rows, format: format)
            guard format == .table else { return text }
            let forms = state.consentForms.order.compactMap { state.consentForms.byVersion[$0] }
            text += "\n\(forms.count) consent form(s):\n"
            for form in forms {
                text +=
                    "\(form.formVersion)  published \(DateArgument.iso(form.at))  sha256 \(form.contentHash)  "
                    + form.scopes.map(\.rawValue).joined(separator: ", ")
                    + (form.requiresReconsent ? "  re-consent required" : "")
                    + "  by \(form.publishedBy): \(form.reason)\n"
            }
            text += "\n\(state.changes.count) change(s):\n"
            for change in state.changes {
                text +=
                    "\(DateArgument.iso(change.at))  \(change.locationID.map { "location \($0)" } ?? "clinic")  "
                    + "\(describe(change.settings))  by \(change.changedBy): \(change.reason)\n"
            }
            return text
        }

        static func describe(_ policy: DepositPolicy?) -> String {
            guard let policy else { return "none" }
            if let amount = policy.fixedAmount { return "deposit \(amount)" }
            return "deposit \(policy.percentOfPrice ?? 0)% of the course price"
        }

        static func describe(_ values: SettingValues) -> String {
            var parts: [String] = []
            if let value = values.minimumAge { parts.append("minimum age \(value)") }
            if let value = values.healingIntervalDays { parts.append("healing interval \(value) days") }
            if let value = values.screeningValidityMonths { parts.append("screening valid \(value) months") }
            if let value = values.cancellationWindowHours { parts.append("cancellation window \(value) h") }
            if let value = values.retentionYears { parts.append("retention \(value) years") }
            if values.depositPolicy != nil { parts.append(describe(values.depositPolicy)) }
            return parts.joined(separator: ", ")
        }
    }

    /// `stipple settings set`.
    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract:
                "Record a settings change: the values given, clinic-wide or for --location, with --by and --reason.")

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The location the values apply to (default: the whole clinic).")
        var location: String?

        @Option(help: "Minimum age in completed years on the treatment day (16–30).")
        var minimumAge: Int?

        @Option(help: "Minimum days between two treatments (1–120).")
        var healingIntervalDays: Int?

        @Option(help: "Months a medical screening stays valid before a touch-up or correction (1–60).")
        var screeningValidityMonths: Int?

        @Option(help: "Hours before the start inside which a client's cancellation is late (0–336).")
        var cancellationWindowHours: Int?

        @Option(help: "Years client records are kept after the last treatment (1–100).")
        var retentionYears: Int?

        @Option(help: "Deposit policy: a fixed deposit in minor units of the clinic's currency (e.g. 20000).")
        var depositMinor: Int64?

        @Option(help: "Deposit policy: a deposit of this percentage of the course price (1–100).")
        var depositPercent: Int?

        @Option(help: "Who decided the change (a name or staff id).")
        var by: String

        @Option(help: "Why, e.g. the regulation that requires it.")
        var reason: String

        func validate() throws {
            if let location, LocationID(location) == nil { throw ValidationError("--location is not a location id") }
            if depositMinor != nil, depositPercent != nil {
                throw ValidationError("give --deposit-minor or --deposit-percent, not both")
            }
        }

        func run() async throws {
            try await reportingErrors {
                let settings = ClinicSettings.standard
                var policy: DepositPolicy?
                if let depositMinor {
                    policy = DepositPolicy(fixedAmount: Money(minorUnits: depositMinor, currency: settings.currency))
                } else if let depositPercent {
                    policy = DepositPolicy(percentOfPrice: depositPercent)
                }
                let change = ClinicSettingsChanged(
                    at: Date(), locationID: location.flatMap(LocationID.init),
                    settings: SettingValues(
                        minimumAge: minimumAge, healingIntervalDays: healingIntervalDays,
                        screeningValidityMonths: screeningValidityMonths,
                        cancellationWindowHours: cancellationWindowHours,
                        retentionYears: retentionYears, depositPolicy: policy),
                    changedBy: by, reason: reason)
                let outcome = try await Settings.record(
                    .change(change), database: database, reason: reason, refused: "settings not changed")
                print(
                    "recorded \(Show.describe(change.settings)) for "
                        + "\(change.locationID.map { "location \($0)" } ?? "the clinic") at position "
                        + "\(outcome.events.first?.position ?? 0)")
            }
        }
    }

    /// `stipple settings publish-form`.
    struct PublishForm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "publish-form",
            abstract: "Publish a consent form version: the SHA-256 of its text file is what signatures refer to.",
            discussion: """
                With --requires-reconsent, a treatment from now on needs a treatment consent signed on this \
                version (or a later one): clients sign again before their next session or touch-up.
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(help: "The version clients sign, e.g. 2026-01.")
        var formVersion: String

        @Option(help: "The form's text as published (its bytes are hashed).")
        var file: String

        @Option(
            parsing: .upToNextOption,
            help: "Scopes the form asks consent for: treatment, clinical-photos, marketing-photos.")
        var scopes: [String]

        @Flag(help: "Clients must sign this version before their next treatment.")
        var requiresReconsent = false

        @Option(help: "Who publishes it.")
        var by: String

        @Option(help: "What changed, or why clients must sign again.")
        var reason: String

        func validate() throws {
            let allowed = ConsentScope.allCases.map(\.rawValue)
            for scope in scopes where ConsentScope(rawValue: scope) == nil {
                throw ValidationError("--scopes: '\(scope)' is not one of \(allowed.joined(separator: ", "))")
            }
        }

        func run() async throws {
            try await reportingErrors {
                guard let text = FileManager.default.contents(atPath: file) else {
                    throw UserError("cannot read \(file)")
                }
                let form = ConsentFormPublished(
                    at: Date(), formVersion: formVersion, contentHash: ConsentFormText.contentHash(text),
                    scopes: scopes.compactMap(ConsentScope.init(rawValue:)), requiresReconsent: requiresReconsent,
                    publishedBy: by, reason: reason)
                let outcome = try await Settings.record(
                    .publishConsentForm(form), database: database, reason: reason, refused: "form not published")
                print(
                    "published consent form \(form.formVersion) (sha256 \(form.contentHash))"
                        + (requiresReconsent ? ", re-consent required before treatment" : "")
                        + " at position \(outcome.events.first?.position ?? 0)")
            }
        }
    }
}
