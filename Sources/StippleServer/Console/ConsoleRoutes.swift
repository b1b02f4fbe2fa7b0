import Clinic
import ClinicService
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Projections

/// The operator console under `/console`: server-rendered pages over the read models for the operator and
/// auditor roles, signed in with an API key into a server-side session.
///
/// Every page needs a live session (303 to the sign-in page otherwise); every form carries the session's
/// CSRF token (403 without it); front-desk forms go through the same `CommandHandler` as the API and are
/// refused to auditors. Pages that show a client's personal data write the access log (channel `console`)
/// with the same actions as the API.
struct ConsoleRoutes: Sendable {
    let store: EventStore
    let keys: APIKeyStore
    let sessions: ConsoleSessionStore
    let handler: CommandHandler
    let follower: LogFollower
    /// The server's one projection runner: where the read models stand (live resume points, waits after a form).
    let projections: ProjectionRunner
    /// The clients' photos, for before and after on the client page.
    let photos: PhotoService
    let templates: ConsoleTemplates
    /// The blind index key (nil without a master key: search is then unavailable).
    let searchKey: BlindIndexKey?
    /// Mark cookies `Secure` whatever the request says (the server is reached over TLS).
    let secureCookies: Bool
    let bodyLimit: Int

    static let sessionCookie = "stipple_console"
    static let signInCookie = "stipple_console_signin"
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto") ?? .contentType

    typealias Page = @Sendable (Request, BasicRequestContext, ConsoleSession) async throws -> Response
    typealias FormHandler =
        @Sendable (Request, BasicRequestContext, ConsoleSession, [String: String]) async throws
        -> Response

    typealias ConsoleRouter = Router<BasicRequestContext>

    func register(on router: ConsoleRouter) {
        router.get("/console") { _, _ in Self.redirect("/console/today") }
        registerStatic(router)
        registerSignIn(router)
        registerPages(router)
        registerPhotos(router)
        registerForms(router)
        registerLive(router)
    }

    // MARK: - Sessions

    /// The session the request's cookie names, if it is live.
    func session(_ request: Request) async throws -> ConsoleSession? {
        guard let token = request.cookies[Self.sessionCookie]?.value else { return nil }
        return try await sessions.session(token: token)
    }

    /// A GET page that needs a session (and, when given, one of `roles`).
    func page(
        _ router: ConsoleRouter, _ path: String, roles: Set<Role> = ConsoleSessionStore.roles, _ body: @escaping Page
    ) {
        let routes = self
        router.get(RouterPath(path)) { request, context -> Response in
            guard let session = try await routes.session(request) else { return Self.redirect("/console/sign-in") }
            guard roles.contains(session.key.role) else {
                return routes.message(
                    session, title: "Not for this role", status: .forbidden,
                    "The \(session.key.role.rawValue) role cannot open this page.")
            }
            return try await body(request, context, session)
        }
    }

    /// A POST form that needs a session and its CSRF token; `command` forms need a role that may run commands.
    func form(_ router: ConsoleRouter, _ path: String, command: Bool, _ body: @escaping FormHandler) {
        let routes = self
        router.post(RouterPath(path)) { request, context -> Response in
            guard let session = try await routes.session(request) else { return Self.redirect("/console/sign-in") }
            let fields: [String: String]
            switch try await Self.postedForm(request, limit: routes.bodyLimit) {
            case .fields(let posted): fields = posted
            case .tooLarge(let limit):
                return routes.message(
                    session, title: "Form too large", status: .contentTooLarge,
                    "The form is over the limit of \(limit) bytes; nothing was saved.")
            case .malformed(let reason):
                return routes.message(
                    session, title: "Form not readable", status: .badRequest, "\(reason); nothing was saved.")
            }
            if let refusal = routes.refusal(session, fields, command: command) { return refusal }
            return try await body(request, context, session, fields)
        }
    }

    /// The answer refusing a posted form: 403 when its CSRF token is missing or not the session's, or when
    /// `command` is set and the session's role may not run commands; nil when the form may go on.
    func refusal(_ session: ConsoleSession, _ fields: [String: String], command: Bool) -> Response? {
        guard let token = fields["csrf"], ConsoleSessionStore.same(token, session.csrfToken) else {
            return message(
                session, title: "Form expired", status: .forbidden,
                "The form's security token is missing or does not match this session. Reload the page and try again."
            )
        }
        return command ? roleRefusal(session) : nil
    }

    /// 403 when the session's role may not run commands (auditors), else nil.
    func roleRefusal(_ session: ConsoleSession) -> Response? {
        guard !session.mayCommand else { return nil }
        return message(
            session, title: "Not for this role", status: .forbidden,
            "The \(session.key.role.rawValue) role cannot change anything; sign in with an operator key.")
    }

    // MARK: - Sign-in

    private func registerSignIn(_ router: ConsoleRouter) {
        let routes = self
        router.get("/console/sign-in") { request, _ -> Response in
            if try await routes.session(request) != nil { return Self.redirect("/console/today") }
            return routes.signInPage(request: request, error: nil, status: .ok)
        }
        router.post("/console/sign-in") { request, _ -> Response in
            let fields: [String: String]
            switch try await Self.postedForm(request, limit: Self.signInLimit) {
            case .fields(let posted): fields = posted
            case .tooLarge(let limit):
                return routes.signInPage(
                    request: request, error: "The sign-in form is over \(limit) bytes.", status: .contentTooLarge)
            case .malformed(let reason):
                return routes.signInPage(request: request, error: "The sign-in form: \(reason).", status: .badRequest)
            }
            guard let cookie = request.cookies[Self.signInCookie]?.value, let token = fields["csrf"],
                ConsoleSessionStore.same(cookie, token)
            else {
                return routes.signInPage(
                    request: request, error: "The sign-in form expired; enter the key again.", status: .forbidden)
            }
            let secret = (fields["key"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard let key = try await routes.keys.authenticate(secret: secret) else {
                return routes.signInPage(
                    request: request, error: "That key is not valid, or it was revoked.", status: .unauthorized)
            }
            guard let opened = try await routes.sessions.open(for: key) else {
                return routes.signInPage(
                    request: request,
                    error:
                        "The \(key.role.rawValue) role cannot sign in to the console; use an operator or auditor key.",
                    status: .forbidden)
            }
            var response = Self.redirect("/console/today")
            response.setCookie(routes.cookie(Self.sessionCookie, opened.token, request: request))
            response.setCookie(routes.cookie(Self.signInCookie, "", request: request, expire: true))
            return response
        }
        form(router, "/console/sign-out", command: false) { request, _, _, _ in
            if let token = request.cookies[Self.sessionCookie]?.value { try await routes.sessions.close(token: token) }
            var response = Self.redirect("/console/sign-in")
            response.setCookie(routes.cookie(Self.sessionCookie, "", request: request, expire: true))
            return response
        }
    }

    private func signInPage(request: Request, error: String?, status: HTTPResponse.Status) -> Response {
        let token = ConsoleSessionStore.randomToken()
        var context: [String: Any] = ["title": "Sign in", "csrf": token]
        if let error { context["error"] = error }
        var response = html(templates.render("sign-in", context), status: status)
        response.setCookie(cookie(Self.signInCookie, token, request: request, maxAge: 3600))
        return response
    }

    /// A cookie scoped to the console: HttpOnly, SameSite=Strict, Secure behind TLS.
    func cookie(_ name: String, _ value: String, request: Request, maxAge: Int? = nil, expire: Bool = false) -> Cookie {
        let secure = secureCookies || request.headers[Self.forwardedProto]?.lowercased() == "https"
        return Cookie(
            name: name, value: value, expires: expire ? Date(timeIntervalSince1970: 0) : nil,
            maxAge: expire ? 0 : maxAge, path: "/console", secure: secure, httpOnly: true, sameSite: .strict)
    }

    // MARK: - Static files

    private func registerStatic(_ router: ConsoleRouter) {
        let templates = self.templates
        router.get("/console/static/console.css") { _, _ in
            Self.file(templates.stylesheet, type: "text/css; charset=utf-8")
        }
        router.get("/console/static/console.js") { _, _ in
            Self.file(templates.script, type: "text/javascript; charset=utf-8")
        }
    }

    static func file(_ buffer: ByteBuffer, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }

    /// Each location's IANA time zone, by location id (locations without one are left out: read in UTC).
    func locationZones() async throws -> [String: String] {
        Self.zones(try await ScheduleQueries(pool: store.pool).locations())
    }

    /// The time zones of `locations`, by location id.
    static func zones(_ locations: [ScheduleQueries.Place]) -> [String: String] {
        let pairs = locations.compactMap { location in location.timeZone.map { (location.id, $0) } }
        return Dictionary(pairs) { first, _ in first }
    }

    // MARK: - Responses

    /// The layout's context for a signed-in page.
    func base(_ session: ConsoleSession, title: String) -> [String: Any] {
        [
            "title": title, "csrf": session.csrfToken, "mayCommand": session.mayCommand,
            "session": [
                "csrf": session.csrfToken, "actor": session.actor, "role": session.key.role.rawValue,
                "auditor": session.key.role == .auditor,
            ] as [String: Any],
        ]
    }

    func message(_ session: ConsoleSession?, title: String, status: HTTPResponse.Status, _ text: String) -> Response {
        var context: [String: Any] = session.map { base($0, title: title) } ?? ["title": title]
        context["message"] = text
        return html(templates.render("message", context), status: status)
    }

    /// An HTML answer with the console's security headers: no caching (pages show personal data), a
    /// content security policy allowing only the console's own files, no framing.
    func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] =
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "same-origin"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        return Response(status: .seeOther, headers: headers)
    }

    /// The sign-in form's body limit (a key and a token).
    static let signInLimit = 16 * 1024

    /// A posted `application/x-www-form-urlencoded` body: its fields, or why it cannot be read.
    enum PostedForm {
        case fields([String: String])
        /// Over the route's limit (bytes).
        case tooLarge(limit: Int)
        /// Not a url-encoded form of plain fields (e.g. a name sent twice); the decoder's words.
        case malformed(String)
    }

    /// Reads a posted form through Hummingbird's `URLEncodedFormDecoder`, up to `limit` bytes.
    static func postedForm(_ request: Request, limit: Int) async throws -> PostedForm {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            return .tooLarge(limit: limit)
        }
        do {
            return .fields(try URLEncodedFormDecoder().decode([String: String].self, from: String(buffer: buffer)))
        } catch let error as URLEncodedFormError {
            return .malformed(error.description)
        } catch {
            return .malformed("the form's fields must be plain name=value pairs")
        }
    }

    /// Records that `session` read the personal data of `clients` (ids or stream names).
    func recordAccess(_ session: ConsoleSession, action: String, clients: [String]) async throws {
        try await APIAccessLog(pool: store.pool).record(
            actor: session.actor, action: action, clients: clients, reason: nil, channel: .console)
    }
}

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy") ?? .contentType
}
