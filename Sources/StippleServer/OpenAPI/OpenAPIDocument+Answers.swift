import Foundation

/// The schemas of the command and query answers, so a fuzzer can check every answer's body.
extension OpenAPIDocument {
    private static var string: [String: Any] { ["type": "string"] }
    private static var integer: [String: Any] { ["type": "integer"] }
    private static var number: [String: Any] { ["type": "number"] }
    private static var time: [String: Any] { ["type": "string", "format": "date-time"] }
    private static var nullableString: [String: Any] { ["type": ["string", "null"]] }

    /// An object schema: `required` members always present, `optional` ones left out when empty.
    static func object(_ required: [String: Any], optional: [String: Any] = [:]) -> [String: Any] {
        var properties = required
        for (key, value) in optional { properties[key] = value }
        return ["type": "object", "properties": properties, "required": required.keys.sorted()]
    }

    static func list(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }

    /// The answer schemas, by component name.
    static var answerSchemas: [String: Any] {
        let event = object([
            "id": ["type": "string", "format": "uuid"], "stream": string, "version": integer, "position": integer,
            "type": string,
        ])
        let appointment = object(
            [
                "appointmentID": string, "clientID": string, "kind": string, "startsAt": time, "endsAt": time,
                "status": string, "location": string, "technician": string, "reschedules": integer,
            ],
            optional: [
                "clientName": string, "sessionNumber": integer, "locationName": string, "technicianName": string,
                "cancelledBy": string, "reason": string,
            ])
        let due = object(
            ["clientID": string, "dueDate": time, "predictedAt": time],
            optional: [
                "name": string, "intervalLow": time, "intervalHigh": time, "lastTreatmentAt": time,
                "densityAtLastEvent": number,
            ])
        let use = object(
            [
                "clientID": string, "appointmentID": string, "kind": string, "performedAt": time, "technician": string,
                "location": string, "product": string, "expiresOn": string, "dilution": string,
            ], optional: ["sessionNumber": integer])
        let followUp = object(
            [
                "clientID": string, "appointmentID": string, "kind": string, "location": string, "technician": string,
                "performedAt": time, "status": ["type": "string", "enum": ["missing", "late"]],
            ],
            optional: ["clientName": string, "sessionNumber": integer, "givenAt": time])
        let settingValues = object(
            [
                "minimumAge": integer, "healingIntervalDays": integer, "cancellationWindowHours": integer,
                "retentionYears": integer, "screeningValidityMonths": integer,
            ],
            optional: ["depositPolicy": ["type": "object"]])
        let recallClient = object(
            ["clientID": string, "uses": integer, "firstUse": time, "lastUse": time], optional: ["name": string])
        return [
            "CommandAnswer": object(
                ["token": string, "events": list(event)],
                optional: ["clientID": ["type": "string", "format": "uuid"]]),
            "Timeline": object(
                [
                    "clientID": string, "erased": ["type": "boolean"], "paidMinor": integer, "refundedMinor": integer,
                    "chargedMinor": integer, "balanceMinor": integer, "sessionsPerformed": integer,
                    "touchUpsPerformed": integer, "next_cursor": nullableString,
                    "entries": list(
                        object(
                            ["position": integer, "at": time, "kind": string, "summary": string],
                            optional: ["photo": string])),
                ],
                optional: [
                    "displayName": string, "currency": string, "registeredAt": time, "nextAppointmentAt": time,
                    "nextAppointmentKind": string,
                ]),
            "Revenue": object(
                [
                    "from": string, "to": string, "by": string,
                    "lines": list(
                        object([
                            "group": string, "currency": string, "cashReceivedMinor": integer, "earnedMinor": integer,
                            "refundsMinor": integer, "depositsTakenMinor": integer, "depositsAppliedMinor": integer,
                            "depositsForfeitedMinor": integer, "services": integer,
                        ])),
                    "positions": list(
                        object([
                            "currency": string, "depositsHeldMinor": integer, "outstandingMinor": integer,
                            "clientsOwing": integer,
                        ])),
                ],
                optional: ["courseCompletionRate": number, "touchUpReturnRate": number]),
            "Forecasts": object([
                "asOf": time, "dueWithinDays": integer, "clients": list(due), "next_cursor": nullableString,
            ]),
            "AftercareFollowUps": object([
                "asOf": time, "graceHours": integer, "followUps": list(followUp), "next_cursor": nullableString,
            ]),
            "Schedule": object(["from": time, "appointments": list(appointment), "next_cursor": nullableString]),
            "Recall": object(
                ["batchNumber": string, "uses": list(use), "clients": list(recallClient)],
                optional: [
                    "product": string, "expiresOn": string, "supplier": string, "location": string,
                    "receivedAt": time, "recalledAt": time, "recallReason": string,
                ]),
            "Settings": object(
                [
                    "clinic": settingValues,
                    "locations": list(object(["locationID": string, "settings": settingValues])),
                    "changes": list(
                        object(
                            ["at": time, "settings": ["type": "object"], "changedBy": string, "reason": string],
                            optional: ["locationID": string])),
                    "consentForms": list(
                        object([
                            "at": time, "formVersion": string, "contentHash": string, "scopes": list(string),
                            "requiresReconsent": ["type": "boolean"], "publishedBy": string, "reason": string,
                        ])),
                ]),
            "Health": object(
                ["status": ["type": "string", "enum": ["ok", "degraded"]], "database": string],
                optional: [
                    "head": integer, "projections": ["type": "object"], "failedProjections": list(string),
                    "subscribers": integer,
                ]),
        ]
    }

    /// The answer schema of a route that has one besides the older ones in `responseSchema`.
    static func answerSchema(_ endpoint: Endpoint) -> String? {
        if endpoint.permission == .command { return "CommandAnswer" }
        switch (endpoint.method, endpoint.path) {
        case ("GET", "/v1/clients/{id}/timeline"): return "Timeline"
        case ("GET", "/v1/revenue"): return "Revenue"
        case ("GET", "/v1/forecasts"): return "Forecasts"
        case ("GET", "/v1/schedule"): return "Schedule"
        case ("GET", "/v1/aftercare-follow-ups"): return "AftercareFollowUps"
        case ("GET", "/v1/recalls/{batch}"): return "Recall"
        case ("GET", "/v1/settings"): return "Settings"
        case ("GET", "/health"): return "Health"
        case ("POST", "/v1/keys"): return "Key"
        case ("GET", "/openapi.json"): return nil
        default: return nil
        }
    }
}
