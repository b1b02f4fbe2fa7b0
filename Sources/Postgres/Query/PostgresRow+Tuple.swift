extension PostgresRow {
    /// Decodes the row's first column, for one-column answers: `let count = try row.decode(Int.self)`.
    ///
    /// NULL is an error unless `T` is Optional.
    public func decode<T: PostgresDecodable>(_ type: T.Type) throws -> T {
        try decode(type, at: 0)
    }

    /// Decodes the row's leading columns into a typed tuple, in order, as postgres-nio does:
    /// `let (id, name, at) = try row.decode((Int64, String, Date?).self)`.
    ///
    /// The row must have at least as many columns as the tuple has elements; NULL is an error unless the
    /// element type is Optional.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        // A local cursor rather than a counter captured by a nested function: a captured variable is
        // boxed and checked for exclusive access at run time, on every cell.
        var cursor = ColumnCursor(row: self)
        return (repeat try cursor.next((each T).self))
    }
}

/// Decodes a row's cells one after the other.
private struct ColumnCursor {
    let row: PostgresRow
    var column = 0

    mutating func next<Element: PostgresDecodable>(_ type: Element.Type) throws -> Element {
        defer { column += 1 }
        return try row.decode(type, at: column)
    }
}
