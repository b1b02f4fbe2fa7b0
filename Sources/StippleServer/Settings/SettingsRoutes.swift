import Clinic
import ClinicService
import Foundation
import Hummingbird

/// `GET /v1/settings`: the clinic's settings as the settings stream says now (clinic-wide, per location) and every
/// change with who and why. Changes are made with `POST /v1/settings` (`CommandRoutes`).
struct SettingsRoutes {
    let routes: APIRoutes
    let handler: CommandHandler

    func register() {
        let handler = self.handler
        routes.add(
            .get, "/v1/settings", .query,
            summary: "The clinic's settings now (clinic-wide and per location) and every change with who and why"
        ) { _, _, _ in
            let state: ClinicSettingsState
            do {
                state = try await handler.currentSettings()
            } catch let failure as CommandHandler.Failure {
                throw CommandRoutes.problem(failure)
            }
            return try JSONResponse.make(SettingsAnswer(state))
        }
    }
}

/// The answer of `GET /v1/settings`.
struct SettingsAnswer: Encodable {
    /// The settings in force somewhere.
    struct Values: Encodable {
        var minimumAge: Int
        var healingIntervalDays: Int
        var screeningValidityMonths: Int
        var cancellationWindowHours: Int
        var retentionYears: Int
        var depositPolicy: DepositPolicy?

        init(_ settings: ClinicSettings) {
            minimumAge = settings.minimumAge
            healingIntervalDays = settings.healingIntervalDays
            screeningValidityMonths = settings.screeningValidityMonths
            cancellationWindowHours = settings.cancellationWindowHours
            retentionYears = settings.retentionYears
            depositPolicy = settings.depositPolicy
        }
    }

    struct Location: Encodable {
        var locationID: String
        var settings: Values
    }

    var clinic: Values
    var locations: [Location]
    var changes: [ClinicSettingsChanged]
    /// The consent forms published, oldest first.
    var consentForms: [ConsentFormPublished]

    init(_ state: ClinicSettingsState) {
        clinic = Values(state.settings)
        locations = state.locationSettings.keys.sorted().map { id in
            Location(locationID: id.rawValue, settings: Values(state.settings(at: id)))
        }
        changes = state.changes
        consentForms = state.consentForms.order.compactMap { state.consentForms.byVersion[$0] }
    }
}
