import Foundation
import Testing
@testable import Clinic

@Suite("Minimum age")
struct AgeRuleTests {
    @Test func aClientWhoTurns18OnTheSessionDayCanBeTreated() throws {
        let world = try World.readyForSessions(born: "2008-01-12")
        let start = Fixture.date("2026-01-12")
        #expect(world.rejection(World.booking(1, id: Fixture.uuid(1), start: start)) == nil)
    }

    @Test func aClientWhoIs17OnTheSessionDayIsRejected() throws {
        let world = try World.readyForSessions(born: "2008-01-13")
        let start = Fixture.date("2026-01-12")
        #expect(
            world.rejection(World.booking(1, id: Fixture.uuid(1), start: start))
                == .underage(age: 17, on: Fixture.day("2026-01-12"), minimum: 18))
    }

    @Test func theMessageSaysHowOldTheClientIs() {
        let rejection = Rejection.underage(age: 17, on: Fixture.day("2026-01-12"), minimum: 18)
        #expect(rejection.message == "the client is 17 on 2026-01-12; treatment needs at least 18")
    }

    @Test func completedYearsAreCountedFromTheBirthday() {
        let birth = Fixture.day("2000-02-29")
        #expect(birth.years(until: Fixture.day("2018-02-28")) == 17)
        #expect(birth.years(until: Fixture.day("2018-03-01")) == 18)
    }
}
