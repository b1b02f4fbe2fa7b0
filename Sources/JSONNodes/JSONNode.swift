/// One JSON value found by `JSONDocument`'s scan: its kind, its bytes and, for an object or array, its
/// extent in the document's node list.
///
/// Nodes are in document order. An object's children are its members, a key node (a string) then a
/// value node each; an array's children are its elements. `next` is the index of the node after this
/// value and everything inside it, so a reader skips a whole value in one step.
public struct JSONNode: Sendable {
    public enum Kind: UInt8, Sendable {
        case object, array, string, number, bool, null
    }

    public var kind: Kind
    /// For a bool: its value. For a number: whether it has a fraction or an exponent. For a string:
    /// whether it holds an escape (`\n`, `\u00e9`, …), so its bytes are not its text.
    public var flag: Bool

    /// Where the value's bytes start: for a string, after its opening quote; for an object or array,
    /// at its bracket.
    public var start: Int { Int(start32) }
    /// Where the value's bytes end: for a string, at its closing quote; for an object or array, after
    /// its closing bracket.
    public var end: Int { Int(end32) }
    /// The index of the node after this value and everything inside it.
    public var next: Int { Int(next32) }
    /// For an object, its members; for an array, its elements; else 0.
    public var count: Int { Int(count32) }

    /// The value's bytes in the document, a string's quotes included.
    public var range: Range<Int> { kind == .string ? (start - 1)..<(end + 1) : start..<end }

    // Stored in 32 bits (a document is refused from 2 GiB): a node is 20 bytes, not 40.
    private var start32: Int32
    private var end32: Int32
    private var next32: Int32
    private var count32: Int32

    init(kind: Kind, flag: Bool, start: Int, end: Int, next: Int, count: Int) {
        self.kind = kind
        self.flag = flag
        start32 = Int32(truncatingIfNeeded: start)
        end32 = Int32(truncatingIfNeeded: end)
        next32 = Int32(truncatingIfNeeded: next)
        count32 = Int32(truncatingIfNeeded: count)
    }

    mutating func close(end: Int, next: Int, count: Int) {
        end32 = Int32(truncatingIfNeeded: end)
        next32 = Int32(truncatingIfNeeded: next)
        count32 = Int32(truncatingIfNeeded: count)
    }
}

/// Why bytes are not one JSON value, or why a node is not what a reader asked for.
public struct JSONNodeError: Error, Sendable, Equatable {
    /// The byte offset where scanning stopped, or the asked node's start.
    public var offset: Int
    public var reason: String
}
