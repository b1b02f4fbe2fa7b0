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
        var column = 0
        func next<Element: PostgresDecodable>(_ type: Element.Type) throws -> Element {
            defer { column += 1 }
            return try decode(type, at: column)
        }
        return (repeat try next((each T).self))
    }
}
