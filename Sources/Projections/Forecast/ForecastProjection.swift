import EventStore
import FadeModel
import Foundation
import Postgres

/// Every client's current fade forecast: touch-up date, 80% interval, density, drivers.
///
/// Tables: `forecast_clients` (see `ForecastFold`) and `forecast_parameters`, the population
/// parameters and threshold predictions use (one row; `FadeParameters.prior` and 0.6 when
/// empty). `stipple forecast --calibrate` fits `FadeCalibrator` on every client's subject,
/// stores the result in the live schema's `forecast_parameters`, and rebuilds: a rebuild
/// (or an auditor's snapshot) copies the live parameters into its fresh schema first, so the
/// parameters survive the swap and every row is recomputed with them.
public struct ForecastProjection: Projection {
    public let name = "forecast"
    /// v2: `ForecastFold` v4 (its state rows only for clients with an event it folds). v3: `ForecastFold` v5 (its
    /// rows' predictions without their curve). v4: `ForecastFold` v6 (fold states as `json`). v5: `ForecastFold` v7
    /// (prediction and subject as `json`).
    public let version = 5

    public init() {}

    /// `ForecastFold`'s tables without their indexes, and the parameters (copied from the live schema).
    public func createUnindexedTables(in schema: String, on connection: PostgresConnection) async throws {
        try await ForecastFold().createUnindexedTables(in: schema, on: connection)
        try await ForecastParameterStore.createTable(in: schema, on: connection)
        if schema != name {
            try await ForecastParameterStore.copy(from: name, to: schema, on: connection)
        }
    }

    public func createIndexes(in schema: String, on connection: PostgresConnection) async throws {
        try await ForecastFold().createIndexes(in: schema, on: connection)
    }

    public func orderLoadedRows(in schema: String, inOrder: Set<String>, on connection: PostgresConnection)
        async throws
    {
        try await ForecastFold().orderLoadedRows(in: schema, inOrder: inOrder, on: connection)
    }

    public func apply(_ batch: ProjectionBatch, in schema: String, on connection: PostgresConnection) async throws {
        let settings = try await ForecastParameterStore.load(schema: schema, on: connection)
        try await ForecastFold(parameters: settings.parameters, threshold: settings.threshold)
            .apply(batch, in: schema, on: connection)
    }

    /// (The parameters only shape the rows `finish` makes, not the fold states.)
    public func refold(_ request: FoldStatesToRefold, in schema: String, from store: EventStore) async throws {
        try await ForecastFold().refold(request, in: schema, from: store)
    }

    /// Loads the schema's parameters once for the whole rebuild.
    public func makeBuilder(in schema: String, on connection: PostgresConnection) async throws
        -> any ProjectionBuilder
    {
        let settings = try await ForecastParameterStore.load(schema: schema, on: connection)
        return try await ForecastFold(parameters: settings.parameters, threshold: settings.threshold)
            .makeBuilder(in: schema, on: connection)
    }
}

/// The population parameters a forecast schema predicts with.
public struct ForecastSettings: Sendable, Equatable {
    public var parameters: FadeParameters
    public var threshold: Double
    /// `prior` or `calibrated`.
    public var source: String
    public var calibratedAt: Date?
    /// A line about the calibration (observations, clients, form).
    public var summary: String?

    public static let prior = ForecastSettings(
        parameters: .prior, threshold: FadeParameters.defaultThreshold, source: "prior", calibratedAt: nil,
        summary: nil)
}

/// Reads and writes `forecast_parameters`.
public enum ForecastParameterStore {
    static func createTable(in schema: String, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(identifier: schema).forecast_parameters (
                id integer PRIMARY KEY CHECK (id = 1), parameters jsonb NOT NULL,
                threshold double precision NOT NULL, source text NOT NULL, calibrated_at timestamptz, summary text)
            """)
    }

    static func copy(from live: String, to schema: String, on connection: PostgresConnection) async throws {
        let exists = try await connection.query(
            "SELECT to_regclass(\(SQL.quoteIdentifier(live) + ".forecast_parameters"))::text"
        ).first?.decode(String?.self)
        guard exists != nil else { return }
        try await connection.execute(
            """
            INSERT INTO \(identifier: schema).forecast_parameters
            SELECT * FROM \(identifier: live).forecast_parameters ON CONFLICT (id) DO NOTHING
            """)
    }

    /// The stored settings, or the prior when none are stored.
    public static func load(schema: String = "forecast", on connection: PostgresConnection) async throws
        -> ForecastSettings
    {
        guard
            let row = try await connection.query(
                """
                SELECT parameters::text, threshold, source, calibrated_at, summary
                FROM \(identifier: schema).forecast_parameters WHERE id = 1
                """
            ).first
        else { return .prior }
        let (json, threshold, source, calibratedAt, summary) = try row.decode(
            (JSONText, Double, String, Date?, String?).self)
        let parameters = try JSONDecoder().decode(FadeParameters.self, from: json.data)
        return ForecastSettings(
            parameters: parameters, threshold: threshold, source: source, calibratedAt: calibratedAt,
            summary: summary)
    }

    /// Stores settings in `schema` (the live one): they take effect for the rows at the next rebuild.
    public static func save(
        _ settings: ForecastSettings, schema: String = "forecast", on connection: PostgresConnection
    )
        async throws
    {
        try settings.parameters.validate()
        let json = String(decoding: try JSONEncoder().encode(settings.parameters), as: UTF8.self)
        try await createTable(in: schema, on: connection)
        try await connection.execute(
            """
            INSERT INTO \(identifier: schema).forecast_parameters
                (id, parameters, threshold, source, calibrated_at, summary)
            VALUES (1, \(JSONText(json))::jsonb, \(settings.threshold), \(settings.source), \(settings.calibratedAt),
                    \(settings.summary))
            ON CONFLICT (id) DO UPDATE SET parameters = EXCLUDED.parameters, threshold = EXCLUDED.threshold,
                source = EXCLUDED.source, calibrated_at = EXCLUDED.calibrated_at, summary = EXCLUDED.summary
            """)
    }
}
