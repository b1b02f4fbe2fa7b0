import Clinic
import ClinicService
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
        var schemas = componentSchemas
        for (name, schema) in answerSchemas { schemas[name] = schema }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Stipple API", "version": "1.0.0",
                "description": "Commands, queries, the event feed and live subscriptions of a Stipple SMP clinic.",
            ],
            "paths": paths,
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
                "schemas": schemas,
            ] as [String: Any],
        ]
    }

    /// The shared command body: any event payload, with the bounds `FieldRules` applies to every
    /// member of that name wherever it appears (strings not listed: at most `defaultMaximumLength`).
    static func commandPayloadSchema() -> [String: Any] {
        func text(_ name: String) -> [String: Any] {
            ["type": "string", "maxLength": FieldRules.maximumLength(of: name)]
        }
        var properties: [String: Any] = [:]
        for name in FieldRules.maximumLength.keys.sorted() where name != "url" {
            properties[name] = text(name)
        }
        properties["currentMedications"] =
            [
                "type": "array", "maxItems": FieldRules.maximumItems, "items": text("currentMedications"),
            ] as [String: Any]
        properties["items"] =
            [
                "type": "array", "maxItems": FieldRules.maximumItems,
                "description": "A care instruction set's items (instruction-set publish and revise).",
                "items": [
                    "type": "object",
                    "properties": [
                        "kind": ["type": "string", "enum": InstructionKind.allCases.map(\.rawValue)],
                        "topic": ["type": "string", "enum": CareTopic.allCases.map(\.rawValue)],
                        "text": text("text"),
                        "days": [
                            "type": ["integer", "null"], "minimum": 1, "maximum": 365,
                            "description": "For how many days it holds.",
                        ] as [String: Any],
                        "fromDay": [
                            "type": ["integer", "null"], "minimum": -30, "maximum": 365,
                            "description":
                                "First day it applies, from the session (0 = that day, -1 = the day before).",
                        ] as [String: Any],
                    ] as [String: Any],
                    "required": ["kind", "topic", "text"],
                ] as [String: Any],
            ] as [String: Any]
        var settings: [String: Any] = [:]
        for (name, range, _) in SettingValues.ranges {
            settings[name] = ["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound]
        }
        settings["depositPolicy"] =
            [
                "type": "object",
                "description": "Exactly one of fixedAmount (in the clinic's currency, above zero) and percentOfPrice "
                    + "(of the course price). A course session is booked only with that much deposit held or "
                    + "applied; a no-show or a late cancellation forfeits held deposits, a cancellation with notice "
                    + "refunds refundable ones.",
                "properties": [
                    "fixedAmount": [
                        "type": "object",
                        "properties": [
                            "minorUnits": ["type": "integer", "minimum": 1], "currency": ["type": "string"],
                        ],
                    ] as [String: Any],
                    "percentOfPrice": ["type": "integer", "minimum": 1, "maximum": 100],
                ] as [String: Any],
            ] as [String: Any]
        properties["settings"] =
            [
                "type": "object",
                "description":
                    "settings.changed: the values set (others keep theirs), clinic-wide or for `locationID`.",
                "properties": settings,
            ] as [String: Any]
        properties["at"] = [
            "type": "string", "format": "date-time",
            "description": "ISO-8601 time (years \(FieldRules.plausibleYears.lowerBound)–"
                + "\(FieldRules.plausibleYears.upperBound)); defaults to now.",
        ]
        properties["personal"] =
            [
                "type": "object",
                "properties": [
                    "fullName": text("fullName"),
                    "contact": [
                        "type": "object",
                        "properties": [
                            "email": [
                                "type": ["string", "null"], "format": "email",
                                "maxLength": ContactDetails.maximumEmailLength,
                                "description": "local@domain: one @, no spaces, a dot in the domain.",
                            ] as [String: Any],
                            "phone": [
                                "type": ["string", "null"], "maxLength": ContactDetails.maximumPhoneLength,
                                "pattern": #"^\+?[0-9 ().-]+$"#,
                                "description": "E.164 (+442079460958) or written with spaces, dots, hyphens and "
                                    + "parentheses: 7 to 15 digits.",
                            ] as [String: Any],
                        ] as [String: Any],
                    ] as [String: Any],
                    "dateOfBirth": [
                        "type": "string", "format": "date",
                        "description": "YYYY-MM-DD, on or after \(PersonalDetails.earliestDateOfBirth).",
                    ],
                ] as [String: Any],
            ] as [String: Any]
        return [
            "type": "object",
            "description":
                "The payload of the event the command asks for (camelCase keys, ISO-8601 times); `at` defaults to "
                + "now. Every text member is bounded (`maxLength` below for named members, "
                + "\(FieldRules.defaultMaximumLength) characters for any other), lists hold at most "
                + "\(FieldRules.maximumItems) items, no text may contain NUL, and `-0` is not a number. "
                + "The body must be strict UTF-8 JSON (no trailing commas, no duplicate members) sent as "
                + "`application/json`.",
            "properties": properties,
        ]
    }

    /// The request and older answer schemas.
    static var componentSchemas: [String: Any] {
        [
            "Problem": [
                "type": "object",
                "properties": [
                    "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"],
                    "detail": ["type": "string"], "field": ["type": "string"],
                ],
                "required": ["type", "title", "status", "detail"],
            ] as [String: Any],
            "WebhookCreate": [
                "type": "object",
                "description":
                    "A webhook to register: deliveries are POSTed to `url`, signed with the secret "
                    + "the answer carries (once).",
                "properties": [
                    "url": [
                        "type": "string", "maxLength": 2048,
                        "description": "An absolute https:// URL on a public address.",
                    ] as [String: Any],
                    "categories": [
                        "type": "array", "items": ["type": "string"],
                        "description": "Categories to deliver (default: all the key may read).",
                    ] as [String: Any],
                    "after": [
                        "type": "string",
                        "description": "Resume token to deliver after (default: the log's head now).",
                    ],
                ] as [String: Any],
                "required": ["url"],
            ] as [String: Any],
            "WebhookRotateSecret": [
                "type": "object",
                "description":
                    "A secret rotation: the answer carries the new secret (once); the current one keeps signing "
                    + "deliveries beside it (a second `v1=` in Stipple-Signature) for `overlap_seconds`.",
                "properties": [
                    "overlap_seconds": [
                        "type": "integer", "minimum": 0, "maximum": WebhookRoutes.maximumOverlapSeconds,
                        "default": WebhookRoutes.defaultOverlapSeconds,
                        "description": "Seconds the current secret keeps signing (0: replaced at once).",
                    ] as [String: Any]
                ] as [String: Any],
            ] as [String: Any],
            "Event": [
                "type": "object",
                "properties": [
                    "position": ["type": "integer"], "token": ["type": "string"],
                    "stream": ["type": "string"], "category": ["type": "string"],
                    "version": ["type": "integer"], "id": ["type": "string", "format": "uuid"],
                    "type": ["type": "string"], "schema_version": ["type": "integer"],
                    "data": ["type": "object"], "metadata": ["type": "object"],
                    "recorded_at": ["type": "string", "format": "date-time"],
                ] as [String: Any],
                "required": [
                    "position", "token", "stream", "category", "version", "id", "type", "schema_version",
                    "data",
                    "metadata", "recorded_at",
                ],
            ] as [String: Any],
            "EventPage": [
                "type": "object",
                "properties": [
                    "events": ["type": "array", "items": ["$ref": "#/components/schemas/Event"]],
                    "next": ["type": "string"], "has_more": ["type": "boolean"],
                ] as [String: Any],
                "required": ["events", "next", "has_more"],
            ] as [String: Any],
            "StreamPage": [
                "type": "object",
                "properties": [
                    "stream": ["type": "string"],
                    "events": ["type": "array", "items": ["$ref": "#/components/schemas/Event"]],
                    "next_version": ["type": "integer"], "has_more": ["type": "boolean"],
                ] as [String: Any],
                "required": ["stream", "events", "next_version", "has_more"],
            ] as [String: Any],
            "Key": [
                "type": "object",
                "properties": [
                    "id": ["type": "string", "format": "uuid"], "name": ["type": "string"],
                    "role": ["type": "string", "enum": Role.allCases.map(\.rawValue)],
                    "categories": ["type": ["array", "null"], "items": ["type": "string"]] as [String: Any],
                    "created_at": ["type": "string"], "revoked_at": ["type": "string"],
                ] as [String: Any],
                "required": ["id", "name", "role", "created_at"],
            ] as [String: Any],
            "KeyList": [
                "type": "object",
                "properties": ["keys": ["type": "array", "items": ["$ref": "#/components/schemas/Key"]]],
                "required": ["keys"],
            ] as [String: Any],
            "Webhook": webhookSchema(withSecret: false),
            "WebhookCreated": webhookSchema(withSecret: true),
            "WebhookList": [
                "type": "object",
                "properties": [
                    "webhooks": ["type": "array", "items": ["$ref": "#/components/schemas/Webhook"]]
                ],
                "required": ["webhooks"],
            ] as [String: Any],
            "CommandPayload": commandPayloadSchema(),
        ]
    }

    static func webhookSchema(withSecret: Bool) -> [String: Any] {
        let nullableString: [String: Any] = ["type": ["string", "null"]]
        var properties: [String: Any] = [
            "id": ["type": "string", "format": "uuid"], "url": ["type": "string"],
            "categories": ["type": ["array", "null"], "items": ["type": "string"]] as [String: Any],
            "api_key_id": ["type": "string", "format": "uuid"], "created_at": ["type": "string"],
            "delivery": [
                "type": "object",
                "properties": [
                    "checkpoint": ["type": "string"], "delivered": ["type": "integer"],
                    "attempts": ["type": "integer"], "last_error": nullableString,
                    "last_attempt_at": nullableString, "last_success_at": nullableString,
                    "failing_since": nullableString,
                ] as [String: Any],
                "required": [
                    "checkpoint", "delivered", "attempts", "last_error", "last_attempt_at", "last_success_at",
                    "failing_since",
                ],
            ] as [String: Any],
            "disabled": [
                "type": ["object", "null"],
                "description":
                    "Set when failing deliveries disabled the webhook (N consecutive failures over at least T "
                    + "hours); POST /v1/webhooks/{id}/enable resumes it from its checkpoint.",
                "properties": ["at": ["type": "string"], "reason": ["type": "string"]],
                "required": ["at", "reason"],
            ] as [String: Any],
            "previous_secret_expires_at": [
                "type": ["string", "null"],
                "description": "While a secret is rotated: until when the previous one signs deliveries too.",
            ] as [String: Any],
        ]
        var required = [
            "id", "url", "categories", "api_key_id", "created_at", "delivery", "disabled", "previous_secret_expires_at",
        ]
        if withSecret {
            properties["secret"] = [
                "type": "string", "pattern": "^whsec_[0-9a-f]{64}$",
                "description": "The HMAC-SHA256 signing key, shown this once.",
            ]
            required.append("secret")
        }
        return ["type": "object", "properties": properties, "required": required]
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
        let readsPersonalData = endpoint.permission == .query || endpoint.permission == .readFeed
        if readsPersonalData {
            parameters.append([
                "name": "Stipple-Access-Reason", "in": "header", "required": false,
                "description": "Why the data is read; recorded in the access log with the key's name.",
                "schema": ["type": "string", "maxLength": 1000],
            ])
        }
        let problem: [String: Any] = [
            "description": "Problem details",
            "content": ["application/problem+json": ["schema": ["$ref": "#/components/schemas/Problem"]]],
        ]
        var success: [String: Any] = ["description": "Success"]
        if endpoint.success != 204 {
            let type =
                endpoint.path == "/v1/subscribe"
                ? "text/event-stream" : endpoint.path == "/metrics" ? "text/plain" : "application/json"
            var media: [String: Any] = [:]
            if let schema = responseSchema(endpoint) { media["schema"] = ["$ref": "#/components/schemas/\(schema)"] }
            success["content"] = [type: media]
            if isPhotoBytes(endpoint) {
                let binary: [String: Any] = ["schema": ["type": "string", "format": "binary"]]
                success["content"] = ["image/jpeg": binary, "image/png": binary, "image/webp": binary]
                success["headers"] = [
                    "ETag": ["description": "The content hash, quoted", "schema": ["type": "string"]],
                    "Cache-Control": ["description": "private", "schema": ["type": "string"]],
                ]
            }
        }
        var responses: [String: Any] = [String(endpoint.success): success]
        if endpoint.permission != .public {
            responses["401"] = problem
            responses["403"] = problem
        }
        // Any route: a NUL in the path, the query or a header is a 400, an over-long path a 414.
        responses["400"] = problem
        responses["414"] = problem
        if endpoint.body != nil {
            responses["413"] = problem
            responses["415"] = problem
        }
        if !pathParameters(endpoint.path).isEmpty { responses["404"] = problem }
        if endpoint.permission == .command {
            for code in ["404", "409", "413", "422"] { responses[code] = problem }
        }
        if endpoint.path.hasPrefix("/v1/clients/{id}/photos") {
            // The client was forgotten: their photos are shredded.
            responses["410"] = problem
            if endpoint.body == imageBody { responses["415"] = problem }
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
        if endpoint.body == imageBody {
            let binary: [String: Any] = ["schema": ["type": "string", "format": "binary"]]
            operation["requestBody"] =
                [
                    "required": true,
                    "description": "The image's bytes, 25 MB at most; the type must match the bytes.",
                    "content": ["image/jpeg": binary, "image/png": binary, "image/webp": binary],
                ] as [String: Any]
        } else if let body = endpoint.body {
            operation["requestBody"] =
                [
                    "required": true,
                    "content": [
                        "application/json": [
                            "schema": ["$ref": "#/components/schemas/\(schemaName(body))"],
                            "x-stipple-event-type": body,
                        ] as [String: Any]
                    ],
                ] as [String: Any]
        }
        return operation
    }

    /// The component schema a success answer is described by, where there is one.
    static func responseSchema(_ endpoint: Endpoint) -> String? {
        switch (endpoint.method, endpoint.path) {
        case ("GET", "/v1/webhooks"): "WebhookList"
        case ("POST", "/v1/webhooks"), ("POST", "/v1/webhooks/{id}/rotate-secret"): "WebhookCreated"
        case ("GET", "/v1/webhooks/{id}"), ("POST", "/v1/webhooks/{id}/enable"): "Webhook"
        case ("GET", "/v1/events"): "EventPage"
        case ("GET", "/v1/streams/{stream}"): "StreamPage"
        case ("GET", "/v1/keys"): "KeyList"
        default: answerSchema(endpoint)
        }
    }

    /// The `body` of routes that take a raw image.
    static let imageBody = "image"

    /// Whether a route answers with image bytes (a photo or its thumbnail).
    static func isPhotoBytes(_ endpoint: Endpoint) -> Bool {
        endpoint.method == "GET"
            && (endpoint.path.hasSuffix("/photos/{hash}") || endpoint.path.hasSuffix("/photos/{hash}/thumbnail"))
    }

    /// The component schema a request body is described by.
    static func schemaName(_ body: String) -> String {
        ["WebhookCreate", "WebhookRotateSecret"].contains(body) ? body : "CommandPayload"
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
