import Foundation

/// The consent form versions the clinic published, in publication order: what a signature must refer to, and
/// which version a treatment needs.
public struct ConsentForms: Hashable, Sendable {
    /// Published forms by version.
    public private(set) var byVersion: [String: ConsentFormPublished] = [:]
    /// Versions in publication order.
    public private(set) var order: [String] = []

    /// No form published.
    public init() {}

    /// True when the clinic published no form: signatures are then recorded as given (older logs).
    public var isEmpty: Bool { order.isEmpty }

    /// Adds a published form (a version published twice keeps its first publication).
    public mutating func add(_ form: ConsentFormPublished) {
        guard byVersion[form.formVersion] == nil else { return }
        byVersion[form.formVersion] = form
        order.append(form.formVersion)
    }

    /// The latest form requiring re-consent for `scope` published by `date`, if any.
    public func reconsentRequirement(for scope: ConsentScope, at date: Date) -> ConsentFormPublished? {
        order.reversed().lazy.compactMap { self.byVersion[$0] }.first { form in
            form.requiresReconsent && form.scopes.contains(scope) && form.at <= date
        }
    }

    /// True when `version` was published no earlier than `required` (a later form includes what it asks).
    public func version(_ version: String, isAtLeast required: String) -> Bool {
        guard let index = order.firstIndex(of: version), let requiredIndex = order.firstIndex(of: required) else {
            return false
        }
        return index >= requiredIndex
    }
}
