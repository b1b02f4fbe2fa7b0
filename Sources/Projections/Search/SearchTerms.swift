import Foundation

/// How names, e-mail addresses and phone numbers become search terms, the same way when a client is
/// indexed and when someone searches: lower case, accents folded, split into words; every word is
/// indexed with its prefixes (from 2 characters), a phone number as its digits with every run of at
/// least 4 of them, so "ali", "smi", "@example" or the last digits of a number find the client.
public enum SearchTerms {
    /// Longest prefix indexed per word (longer words still match any prefix up to this length).
    static let maximumPrefix = 24

    /// The terms a client is indexed under.
    public static func index(name: String?, email: String?, phone: String?) -> Set<String> {
        var terms = Set<String>()
        for word in words(name ?? "") + words(email ?? "") {
            let characters = Array(word.prefix(maximumPrefix))
            guard characters.count >= 2 else { continue }
            for end in 2...characters.count { terms.insert("w:" + String(characters[0..<end])) }
        }
        let digits = Array((phone ?? "").filter(\.isASCIIDigit))
        if digits.count >= 4 {
            for start in 0...(digits.count - 4) {
                for end in (start + 4)...digits.count { terms.insert("d:" + String(digits[start..<end])) }
            }
        }
        return terms
    }

    /// The terms a query must all match; empty when the query has nothing to look for.
    public static func query(_ text: String) -> [String] {
        let digits = text.filter(\.isASCIIDigit)
        let letters = text.filter(\.isLetter)
        if digits.count >= 4, letters.isEmpty { return ["d:" + String(digits.suffix(32))] }
        return words(text).filter { $0.count >= 2 }.map { "w:" + String($0.prefix(maximumPrefix)) }
    }

    /// Lower-case, accent-free words: runs of letters and digits.
    static func words(_ text: String) -> [String] {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .lowercased()
        return folded.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
