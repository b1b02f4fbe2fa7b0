import Foundation

/// Decides changes to the clinic settings: bounded values, a named person and a reason, an opened location.
public enum SettingsDecider {
    /// Checks a command against the settings stream (and the location it names, when it names one).
    public static func decide(
        _ command: SettingsCommand, settings: ClinicSettingsState, location: LocationState?, now: Date
    ) throws(Rejection) -> Decision {
        switch command {
        case .change(let payload):
            guard payload.at <= now else { throw .inTheFuture(at: payload.at, now: now) }
            guard !payload.settings.isEmpty else {
                throw .invalidValue(field: "settings", reason: "must set at least one value")
            }
            for (name, range, value) in SettingValues.ranges {
                if let number = payload.settings[keyPath: value], !range.contains(number) {
                    throw .invalidValue(
                        field: "settings.\(name)",
                        reason: "must be \(range.lowerBound)–\(range.upperBound), not \(number)")
                }
            }
            if let policy = payload.settings.depositPolicy,
                let problem = policy.problem(currency: settings.defaults.currency)
            {
                throw .invalidValue(field: "settings.depositPolicy", reason: problem)
            }
            guard !payload.changedBy.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "changedBy", reason: "must name who decided the change")
            }
            guard !payload.reason.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "reason", reason: "must say why the settings change")
            }
            if let id = payload.locationID {
                guard let location, location.id == id, location.isOpen else { throw .unknownLocation(id) }
            }
            return Decision([PendingEvent(stream: .clinicSettings, event: .settings(.changed(payload)))])
        case .publishConsentForm(let payload):
            guard payload.at <= now else { throw .inTheFuture(at: payload.at, now: now) }
            guard !payload.formVersion.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "formVersion", reason: "must not be blank")
            }
            guard settings.consentForms.byVersion[payload.formVersion] == nil else {
                throw .invalidValue(
                    field: "formVersion", reason: "version \(payload.formVersion) is already published; give a new one")
            }
            guard payload.contentHash.utf8.count == 64,
                payload.contentHash.allSatisfy({ $0.isHexDigit && !$0.isUppercase })
            else { throw .invalidValue(field: "contentHash", reason: "must be a lower-case hex SHA-256") }
            guard !payload.scopes.isEmpty else {
                throw .invalidValue(field: "scopes", reason: "must name at least one scope")
            }
            guard !payload.publishedBy.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "publishedBy", reason: "must name who published the form")
            }
            guard !payload.reason.allSatisfy(\.isWhitespace) else {
                throw .invalidValue(field: "reason", reason: "must say what changed")
            }
            return Decision([
                PendingEvent(stream: .clinicSettings, event: .settings(.consentFormPublished(payload)))
            ])
        }
    }
}
