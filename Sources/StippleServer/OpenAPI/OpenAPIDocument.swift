import Foundation

/// The OpenAPI 3.1 document, built from the same route table the router is built from,
/// so the two cannot drift apart.
enum OpenAPIDocument {
    static func data(_ endpoints: [Endpoint]) throws -> Data {
        try JSONSerialization.data(
            withJSONObject: document(endpoints), options: [.sortedKeys, .withoutEscapingSlashes])
    }

    static func document(_ endpoints: [Endpoint]) -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for endpoint in endpoints {
            paths[endpoint.path, default: [:]][endpoint.method.lowercased()] = operation(endpoint)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Stipple API", "version": "1.0.0",
                "description": "Commands, queries, the event feed and live subscriptions of a Stipple SMP clinic.",
            ],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
                "schemas": [
                    "Problem": [
                        "type": "object",
                        "properties": [
                            "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"],
                            "detail": ["type": "string"], "field": ["type": "string"],
                        ],
                        "required": ["type", "title", "status", "detail"],
                    ] as [String: Any],
                    "CommandPayload": [
                        "type": "object",
                        "description":
                            "The payload of the event the command asks for (camelCase keys, ISO-8601 times); "
                            + "`at` defaults to now.",
                    ],
                ] as [String: Any],
            ] as [String: Any],
        ]
    }

    static func operation(_ endpoint: Endpoint) -> [String: Any] {
        var parameters: [[String: Any]] = []
        for name in pathParameters(endpoint.path) {
            parameters.append(["name": name, "in": "path", "required": true, "schema": ["type": "string"]])
        }
        for name in endpoint.query {
            parameters.append(["name": name, "in": "query", "required": false, "schema": ["type": "string"]])
        }
        if endpoint.permission == .command {
            parameters.append([
                "name": "Idempotency-Key", "in": "header", "required": false, "schema": ["type": "string"],
            ])
        }
        if endpoint.path == "/v1/subscribe" {
            parameters.append([
                "name": "Last-Event-ID", "in": "header", "required": false, "schema": ["type": "string"],
            ])
        }
        let problem: [String: Any] = [
            "description": "Problem details",
            "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]],
        ]
        var responses: [String: Any] = [
            String(endpoint.success): [
                "description": "Success",
                "content": [
                    endpoint.path == "/v1/subscribe"
                        ? "text/event-stream" : endpoint.path == "/metrics" ? "text/plain" : "application/json": [:]
                ] as [String: Any],
            ] as [String: Any]
        ]
        if endpoint.permission != .public {
            responses["401"] = problem
            responses["403"] = problem
        }
        if endpoint.body != nil || !endpoint.query.isEmpty { responses["400"] = problem }
        if endpoint.permission == .command {
            for code in ["404", "409", "413", "422"] { responses[code] = problem }
        }
        responses["503"] = problem
        var operation: [String: Any] = [
            "summary": endpoint.summary,
            "operationId": operationID(endpoint),
            "x-stipple-permission": endpoint.permission.rawValue,
            "x-stipple-roles": Role.allCases.filter { $0.allows(endpoint.permission) }.map(\.rawValue),
            "responses": responses,
        ]
        if !parameters.isEmpty { operation["parameters"] = parameters }
        operation["security"] = endpoint.permission == .public ? [] : [["bearer": []]]
        if let body = endpoint.body {
            operation["requestBody"] =
                [
                    "required": true,
                    "content": [
                        "application/json": [
                            "schema": ["$ref": "#/components/schemas/CommandPayload"], "x-stipple-event-type": body,
                        ] as [String: Any]
                    ],
                ] as [String: Any]
        }
        return operation
    }

    static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? String(part.dropFirst().dropLast()) : nil
        }
    }

    static func operationID(_ endpoint: Endpoint) -> String {
        let words = endpoint.path.split(separator: "/").map { part in
            part.hasPrefix("{") ? "by-" + part.dropFirst().dropLast() : String(part)
        }
        return ([endpoint.method.lowercased()] + words).joined(separator: "-")
            .replacingOccurrences(of: ".", with: "-")
    }
}
