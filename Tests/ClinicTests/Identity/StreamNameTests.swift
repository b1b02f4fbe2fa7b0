import Foundation
import Testing
@testable import Clinic

@Suite("Stream names and identifiers")
struct StreamNameTests {
    @Test func aClientStreamUsesTheLowerCaseUUID() throws {
        let id = try #require(UUID(uuidString: "6F1C2D3E-4A5B-4C6D-8E7F-901234567890"))
        let stream = StreamName.client(id)
        #expect(stream.rawValue == "client-6f1c2d3e-4a5b-4c6d-8e7f-901234567890")
        #expect(stream.category == "client")
        #expect(stream.clientID == id)
        #expect(stream.technicianID == nil)
    }

    @Test func theCategoryIsTheTextBeforeTheFirstDash() throws {
        let stream = StreamName.pigmentBatch(Fixture.batchNumber)
        #expect(stream.rawValue == "pigment-DB-91024110")
        #expect(stream.category == "pigment")
        #expect(stream.id == "DB-91024110")
        #expect(stream.pigmentBatchNumber == Fixture.batchNumber)
        #expect(StreamName.technician(Fixture.technicianID).rawValue == "technician-T-01")
        #expect(StreamName.location(Fixture.locationID).locationID == Fixture.locationID)
    }

    @Test func malformedStreamNamesAreRefused() {
        #expect(StreamName(rawValue: "client") == nil)
        #expect(StreamName(rawValue: "-abc") == nil)
        #expect(StreamName(rawValue: "client-") == nil)
        #expect(StreamName(rawValue: "client-1")?.category == "client")
    }

    @Test func shortIdsAllowOnlyLettersDigitsDotUnderscoreAndDash() {
        #expect(PigmentBatchNumber("DB-91024110.v2_a") != nil)
        #expect(PigmentBatchNumber("DB 91024110") == nil)
        #expect(TechnicianID("") == nil)
        #expect(LocationID(String(repeating: "a", count: 65)) == nil)
        #expect(LocationID("née") == nil)
    }

    @Test func calendarDaysConvertBothWays() {
        #expect(CalendarDay(daysSinceEpoch: 0).description == "1970-01-01")
        #expect(Fixture.day("2024-02-29").adding(days: 1).description == "2024-03-01")
        #expect(CalendarDay(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDay(Fixture.date("2026-11-01", hour: 23, minute: 59)) == Fixture.day("2026-11-01"))
        #expect(CalendarDay(Date(timeIntervalSince1970: -1)).description == "1969-12-31")
        #expect(BusinessTime.iso(Fixture.date("2026-03-02", hour: 7, minute: 5)) == "2026-03-02T07:05:00Z")
    }
}
