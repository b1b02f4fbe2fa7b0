import Foundation
@testable import Projections
import Testing

@Suite("Encoded fold states of a rebuild")
struct EncodedStatesTests {
    @Test("counts each state's cost in its size class, and forgets it when it leaves or is replaced")
    func costBySizeClass() {
        var states = EncodedStates()
        let small = Data(#"{"uses":0}"#.utf8)
        let large = Data(repeating: UInt8(ascii: "x"), count: 3_000)
        states.insert(small, for: "a")
        states.insert(large, for: "b")
        let smallCost = EncodedStates.cost(key: "a", json: small)
        let largeCost = EncodedStates.cost(key: "b", json: large)
        #expect(states.bytes == smallCost + largeCost)
        #expect(states.bytesByClass[EncodedStates.sizeClass(ofCost: smallCost)] == smallCost)
        #expect(states.bytesByClass[EncodedStates.sizeClass(ofCost: largeCost)] == largeCost)
        #expect(EncodedStates.sizeClass(ofCost: smallCost) < EncodedStates.sizeClass(ofCost: largeCost))
        states.insert(small, for: "b")
        #expect(states.bytes == smallCost * 2, "keys of one length: the replaced large state no longer counts")
        #expect(states.remove("a") == small)
        #expect(states.remove("a") == nil)
        #expect(states.count == 1 && states.bytes == EncodedStates.cost(key: "b", json: small))
    }

    @Test("beyond its budget, the largest states are written out first, down to three quarters of it")
    func largestFirst() throws {
        var states = EncodedStates()
        for index in 0..<10 { states.insert(Data(#"{"open":{}}"#.utf8), for: "small-\(index)") }
        for index in 0..<3 { states.insert(Data(repeating: UInt8(ascii: "1"), count: 2_500), for: "large-\(index)") }
        #expect(EncodedStates.firstClassToWrite(states.bytesByClass, within: states.bytes) == nil)
        let budget = states.bytes - 1
        let first = try #require(EncodedStates.firstClassToWrite(states.bytesByClass, within: budget))
        let written = states.removeAll(fromClass: first)
        #expect(Set(written.map(\.key)) == ["large-0", "large-1", "large-2"])
        #expect(states.count == 10 && states.bytes <= budget * 3 / 4)
        // With room for no state at all, every one goes.
        #expect(EncodedStates.firstClassToWrite(states.bytesByClass, within: 0) == 0)
        #expect(states.removeAll(fromClass: 0).count == 10)
        #expect(states.isEmpty && states.bytes == 0 && states.bytesByClass.allSatisfy { $0 == 0 })
    }
}
