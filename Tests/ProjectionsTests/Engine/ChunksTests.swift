import Testing

@testable import Projections

@Suite("a collection in pieces (chunks)")
struct ChunksTests {
    @Test("consecutive pieces of the size asked, the last shorter, nothing for nothing")
    func pieces() {
        #expect(Array(1...7).chunks(of: 3).map(Array.init) == [[1, 2, 3], [4, 5, 6], [7]])
        #expect(Array(1...6).chunks(of: 3).map(Array.init) == [[1, 2, 3], [4, 5, 6]])
        #expect([Int]().chunks(of: 3).isEmpty)
        #expect(Array(1...2).chunks(of: 0).map(Array.init) == [[1], [2]])
    }
}
