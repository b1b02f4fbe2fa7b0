import Foundation
import JSONNodes

/// The members and objects of an event's JSON by byte range, from `JSONDocument`'s one scan, so personal
/// values can be replaced in place without re-encoding the rest of an event (numbers and key order stay as
/// they were).
///
/// It expects valid JSON (the store validated it, or PostgreSQL printed it) and throws on anything else.
struct JSONMemberScanner {
    /// One `"key": value` member.
    struct Member {
        var key: String
        /// The value's bytes.
        var value: Range<Int>
    }

    /// One object, with its first key and how many members it has.
    struct Object {
        var range: Range<Int>
        var firstKey: String?
        var memberCount: Int
        /// The value range of the first member.
        var firstValue: Range<Int>?
    }

    struct Malformed: Error {
        var reason: String
    }

    /// How deep event data may nest for the vault to read it (the recursion of the scan is bounded).
    static let maximumDepth = 512

    private let bytes: [UInt8]
    private(set) var members: [Member] = []
    private(set) var objects: [Object] = []

    /// Scans `data` and records every member and object.
    init(_ data: Data) throws {
        bytes = Array(data)
        var members: [Member] = []
        var objects: [Object] = []
        try bytes.withUnsafeBufferPointer { buffer in
            do throws(JSONNodeError) {
                let document = try JSONDocument(scanning: buffer, maximumDepth: Self.maximumDepth)
                for (index, node) in document.nodes.enumerated() where node.kind == .object {
                    var first: Member?
                    var count = 0
                    for (key, value) in document.members(of: index) {
                        let member = Member(key: try document.string(key), value: document.nodes[value].range)
                        members.append(member)
                        if first == nil { first = member }
                        count += 1
                    }
                    objects.append(
                        Object(range: node.range, firstKey: first?.key, memberCount: count, firstValue: first?.value))
                }
            } catch {
                throw Malformed(reason: "\(error.reason) (at byte \(error.offset))")
            }
        }
        self.members = members
        self.objects = objects
    }

    /// The bytes of `range`.
    func slice(_ range: Range<Int>) -> ArraySlice<UInt8> { bytes[range] }

    /// The outermost values of members named `key` (a match inside another match is left out).
    func outermostValues(of key: String) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for range in members.filter({ $0.key == key }).map(\.value).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, last.contains(range.lowerBound) { continue }
            result.append(range)
        }
        return result
    }
}

extension Data {
    /// True when `needle` occurs in these bytes (a fast check before any parsing).
    func containsBytes(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first, count >= needle.count else { return false }
        return withUnsafeBytes { (haystack: UnsafeRawBufferPointer) -> Bool in
            let bytes = haystack.bindMemory(to: UInt8.self)
            let last = bytes.count - needle.count
            var index = 0
            while index <= last {
                if bytes[index] == first {
                    var matched = 1
                    while matched < needle.count, bytes[index + matched] == needle[matched] { matched += 1 }
                    if matched == needle.count { return true }
                }
                index += 1
            }
            return false
        }
    }
}
