import Foundation
import Postgres
import Testing

@Suite("Quoting identifiers")
struct QuoteIdentifierTests {
    @Test("an identifier is double-quoted with each quote doubled, as replacingOccurrences wrote it, quotes or not")
    func quotesAsBefore() {
        let identifiers = [
            "", "revenue_daily", "client_id", "a\"b", "\"", "\"\"", "\"start", "end\"", "é\"\u{301}x", "quote\"\u{301}",
            "space d", "semi;colon", "ünïcødé", "😀\"😀", "tab\tnew\nline",
        ]
        for identifier in identifiers {
            let expected = "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            #expect(SQL.quoteIdentifier(identifier) == expected, "\(identifier)")
        }
        #expect(SQL.quoteIdentifier("a\"b") == "\"a\"\"b\"")
        #expect(SQL.quoteIdentifier("plain") == "\"plain\"")
    }
}
