import Foundation
import Testing
@testable import Clinic

@Suite("Clinic settings recorded as events")
struct ClinicSettingsTests {
    let boston = Fixture.must(LocationID("bos"))

    func change(
        _ values: SettingValues, location: LocationID? = nil, at: Date = Fixture.date("2026-01-02"),
        by: String = "Dana (clinic manager)", reason: String = "State law"
    ) -> ClinicSettingsChanged {
        ClinicSettingsChanged(at: at, locationID: location, settings: values, changedBy: by, reason: reason)
    }

    func decide(
        _ payload: ClinicSettingsChanged, state: ClinicSettingsState = ClinicSettingsState(),
        location: LocationState? = nil
    ) -> Result<Decision, Rejection> {
        do {
            return .success(
                try SettingsDecider.decide(
                    .change(payload), settings: state, location: location, now: Fixture.date("2026-01-05")))
        } catch {
            return .failure(error)
        }
    }

    var nyc: LocationState {
        LocationState.replay(
            id: Fixture.locationID,
            [
                .opened(
                    LocationOpened(
                        at: Fixture.date("2025-12-01"), name: "Stipple NYC", city: "New York",
                        timeZone: "America/New_York", currency: .usd))
            ])
    }

    @Test func theFoldLayersLocationValuesOverClinicWideOnesOverTheDefaults() {
        let state = ClinicSettingsState.replay([
            .changed(change(SettingValues(minimumAge: 19, retentionYears: 7))),
            .changed(change(SettingValues(minimumAge: 21, cancellationWindowHours: 24), location: Fixture.locationID)),
            .changed(change(SettingValues(healingIntervalDays: 14))),
            .changed(change(SettingValues(minimumAge: 20), location: Fixture.locationID)),
        ])
        // Clinic-wide: 19, 14 days, window 48 (default), 7 years.
        #expect(state.settings.minimumAge == 19)
        #expect(state.settings.healingIntervalDays == 14)
        #expect(state.settings.cancellationWindowHours == 48)
        #expect(state.settings.retentionYears == 7)
        // NYC: its own 20 and 24 h; the clinic's later 14 days still applies there.
        let nyc = state.settings(at: Fixture.locationID)
        #expect(nyc.minimumAge == 20)
        #expect(nyc.cancellationWindowHours == 24)
        #expect(nyc.healingIntervalDays == 14)
        #expect(nyc.retentionYears == 7)
        // A location without values of its own has the clinic's.
        #expect(state.settings(at: boston) == state.settings)
        #expect(state.changes.count == 4 && state.changes.last?.changedBy == "Dana (clinic manager)")
        let context = DecisionContext(now: Fixture.date("2026-01-05"), settings: state)
        #expect(context.settings(at: Fixture.locationID).minimumAge == 20)
        #expect(context.settings(at: boston).minimumAge == 19)
    }

    @Test func aBoundedChangeWithWhoAndWhyIsAcceptedOnTheSettingsStream() throws {
        let payload = change(
            SettingValues(minimumAge: 21, depositPolicy: DepositPolicy(percentOfPrice: 10)),
            location: Fixture.locationID)
        let decision = try decide(payload, location: nyc).get()
        #expect(decision.streams == [.clinicSettings])
        #expect(StreamName.clinicSettings.rawValue == "settings-clinic")
        #expect(decision.events.map(\.event) == [.settings(.changed(payload))])
    }

    @Test func outOfRangeValuesAreRefusedNamingTheField() {
        #expect(
            decide(change(SettingValues(minimumAge: 15))).rejection
                == .invalidValue(field: "settings.minimumAge", reason: "must be 16–30, not 15"))
        #expect(
            decide(change(SettingValues(healingIntervalDays: 0))).rejection
                == .invalidValue(field: "settings.healingIntervalDays", reason: "must be 1–120, not 0"))
        #expect(
            decide(change(SettingValues(screeningValidityMonths: 0))).rejection
                == .invalidValue(field: "settings.screeningValidityMonths", reason: "must be 1–60, not 0"))
        #expect(
            decide(change(SettingValues(retentionYears: 0))).rejection
                == .invalidValue(field: "settings.retentionYears", reason: "must be 1–100, not 0"))
        #expect(
            decide(change(SettingValues())).rejection
                == .invalidValue(field: "settings", reason: "must set at least one value"))
    }

    @Test func aDepositPolicyNeedsExactlyOneFormInTheClinicCurrency() {
        let both = DepositPolicy(fixedAmount: Fixture.usd(200), percentOfPrice: 10)
        #expect(
            decide(change(SettingValues(depositPolicy: both))).rejection
                == .invalidValue(
                    field: "settings.depositPolicy", reason: "must set only one of fixedAmount and percentOfPrice"))
        let euros = DepositPolicy(fixedAmount: Money(major: 200, currency: .eur))
        #expect(
            decide(change(SettingValues(depositPolicy: euros))).rejection
                == .invalidValue(field: "settings.depositPolicy", reason: "fixedAmount must be in USD, not EUR"))
        #expect(
            decide(change(SettingValues(depositPolicy: DepositPolicy(percentOfPrice: 150)))).rejection
                == .invalidValue(field: "settings.depositPolicy", reason: "percentOfPrice must be 1–100, not 150"))
        #expect(
            decide(change(SettingValues(depositPolicy: DepositPolicy(fixedAmount: Fixture.usd(200))))).rejection == nil)
    }

    @Test func aChangeNeedsWhoAndWhyAndAnOpenedLocation() {
        #expect(
            decide(change(SettingValues(minimumAge: 21), by: " ")).rejection
                == .invalidValue(field: "changedBy", reason: "must name who decided the change"))
        #expect(
            decide(change(SettingValues(minimumAge: 21), reason: "")).rejection
                == .invalidValue(field: "reason", reason: "must say why the settings change"))
        #expect(
            decide(change(SettingValues(minimumAge: 21), location: boston), location: LocationState(id: boston))
                .rejection == .unknownLocation(boston))
        #expect(
            decide(change(SettingValues(minimumAge: 21), at: Fixture.date("2026-01-06"))).rejection
                == .inTheFuture(at: Fixture.date("2026-01-06"), now: Fixture.date("2026-01-05")))
    }

    @Test func aLocationsMinimumAgeRefusesATreatmentTheClinicWideAgeAllows() throws {
        // Born 2006-01-01: 20 on 2026-01-12.
        var world = try World.readyForSessions(born: "2006-01-01")
        let booking = World.booking(1, id: Fixture.uuid(0x5E01), start: Fixture.date("2026-01-12"))
        #expect(world.rejection(booking) == nil)
        world.locationSettings[Fixture.locationID] = SettingValues(minimumAge: 21).applied(to: world.settings)
        #expect(world.rejection(booking) == .underage(age: 20, on: Fixture.day("2026-01-12"), minimum: 21))
    }

    @Test func aLocationsHealingIntervalAppliesToBookingsThere() throws {
        var world = try World.readyForSessions()
        try world.run(World.booking(1, id: Fixture.uuid(0x5E01), start: Fixture.date("2026-01-12")))
        let second = World.booking(2, id: Fixture.uuid(0x5E02), start: Fixture.date("2026-01-23"))
        #expect(world.rejection(second) == nil)  // 11 days after: the default 10 allows it
        world.locationSettings[Fixture.locationID] = SettingValues(healingIntervalDays: 14).applied(to: world.settings)
        #expect(
            world.rejection(second)
                == .healingIntervalNotElapsed(
                    last: Fixture.date("2026-01-12"), earliest: Fixture.date("2026-01-26")))
    }

    @Test func aSettingsChangeIsStoredAndReadBack() throws {
        let event = ClinicEvent.settings(
            .changed(
                change(
                    SettingValues(
                        cancellationWindowHours: 24, depositPolicy: DepositPolicy(fixedAmount: Fixture.usd(150))),
                    location: Fixture.locationID)))
        let (type, version, data) = try event.encoded()
        #expect(type == "settings.changed" && version == 1)
        #expect(event.streamCategory == "settings")
        #expect(try ClinicEvent.decode(type: type, schemaVersion: version, data: data) == event)
    }
}

extension Result where Failure == Rejection {
    /// The rejection, or nil when accepted.
    var rejection: Rejection? {
        if case .failure(let rejection) = self { rejection } else { nil }
    }
}
