import Foundation
import HTTPTypes
import Hummingbird
import MachiCore
import MachiIdentity
import MachiStore
import NIOCore

/// `/oauth2/authorize`: the authorization endpoint with its sign-in page, and `/oauth2/logout`.
///
/// GET checks the authorization request; with a valid single-sign-on session cookie (and no `prompt=login`) it
/// goes straight to the consent step and the code, otherwise it shows the sign-in form. POST checks the form token
/// against the browser's CSRF cookie, then the credentials (throttled: 429 with `Retry-After`), sets the session
/// cookie and redirects to the client with `code` and `state`.
struct SignInController {
    let service: OAuthService

    func register(on router: Router<AppRequestContext>) {
        router.get("oauth2/authorize") { request, context in
            var parameters: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { parameters[String(name)] = String(value) }
            return try await authorize(request: request, context: context, parameters: parameters, isPost: false)
        }
        router.post("oauth2/authorize") { request, context in
            let form = try await OAuthRouter.formFields(request, context: context)
            return try await authorize(request: request, context: context, parameters: form, isPost: true)
        }
        router.get("oauth2/logout") { _, _ in
            var response = html(SignInPage.page(title: "Signed out", body: "<h1>Signed out</h1>"), status: .ok)
            response.setCookie(cookie(BrowserSessions.sessionCookie, "", maxAge: 0))
            return response
        }
    }

    private func authorize(
        request: Request,
        context: AppRequestContext,
        parameters: [String: String],
        isPost: Bool
    ) async throws -> Response {
        let authorization: OAuthService.AuthorizationRequest
        do {
            authorization = try await service.authorizationRequest(parameters)
        } catch let error as OAuthService.RedirectedError {
            return redirect(error.location)
        } catch let error as IdentityError {
            return html(SignInPage.error(error.message), status: .badRequest)
        }
        let browserNonce = request.cookies[BrowserSessions.csrfCookie]?.value
        if isPost {
            guard service.sessions.checkFormToken(parameters["form_token"], browserNonce: browserNonce) else {
                return html(
                    SignInPage.error("The sign-in form has expired; go back and try again."),
                    status: .badRequest
                )
            }
            if let username = parameters["username"], let password = parameters["password"] {
                let user: UserRecord
                do {
                    user = try await service.signIn(
                        username: username,
                        password: password,
                        address: context.remoteAddress ?? "unknown"
                    )
                } catch let error as IdentityError where error.code == .throttled {
                    var response = signInForm(
                        authorization,
                        parameters,
                        browserNonce: browserNonce,
                        message: error.message
                    )
                    response.status = .tooManyRequests
                    response.headers[.retryAfter] = "\(error.retryAfter ?? 1)"
                    return response
                } catch let error as IdentityError where error.code == .accessDenied {
                    var response = signInForm(
                        authorization,
                        parameters,
                        browserNonce: browserNonce,
                        message: error.message
                    )
                    response.status = .unauthorized
                    return response
                }
                var response = try await proceed(
                    authorization,
                    subject: user.subject,
                    form: parameters,
                    browserNonce: browserNonce,
                    requestId: context.id
                )
                response.setCookie(
                    cookie(
                        BrowserSessions.sessionCookie,
                        service.sessions.session(for: user.subject),
                        maxAge: Int(BrowserSessions.sessionLifetime)
                    )
                )
                return response
            }
        }
        // A signed-in browser (single sign-on) skips the form unless the client asks for a fresh sign-in.
        if parameters["prompt"] != "login", let value = request.cookies[BrowserSessions.sessionCookie]?.value,
            let subject = service.sessions.subject(fromSession: value),
            let user = try await service.store.user(subject: subject), !user.disabled
        {
            return try await proceed(
                authorization,
                subject: subject,
                form: isPost ? parameters : [:],
                parameters: parameters,
                browserNonce: browserNonce,
                requestId: context.id
            )
        }
        if parameters["prompt"] == "none" {
            return redirect(
                OAuthService.RedirectedError(
                    redirectURI: authorization.redirectURI,
                    state: authorization.state,
                    error: IdentityError(.loginRequired, "the user is not signed in")
                ).location
            )
        }
        return signInForm(authorization, parameters, browserNonce: browserNonce, message: nil)
    }

    /// After sign-in: the consent step (its page, if it asks something), then the code.
    /// - Parameters:
    ///   - form: the posted fields (the consent page's answers), empty on a GET.
    ///   - parameters: the authorization request's fields, carried by the consent page.
    private func proceed(
        _ authorization: OAuthService.AuthorizationRequest,
        subject: String,
        form: [String: String],
        parameters: [String: String]? = nil,
        browserNonce: String?,
        requestId: String
    ) async throws -> Response {
        let step = SignInConsentRequest(
            subject: subject,
            client: authorization.client,
            scopes: authorization.scopes,
            form: form,
            requestId: requestId
        )
        switch try await service.consent.afterSignIn(step) {
        case .proceed:
            return try await issueCode(authorization, subject: subject)
        case .ask where (parameters ?? form)["prompt"] == "none":
            // OIDC Core 3.1.2.1: with prompt=none no page may be shown. The questions are not part of the
            // authorization (answering no still signs in), so they wait for the next interactive sign-in.
            return try await issueCode(authorization, subject: subject)
        case .ask(let questions):
            // The same form token (and CSRF cookie) as the sign-in form: the answers post back to this endpoint.
            let nonce = browserNonce ?? service.sessions.newBrowserNonce()
            var response = html(
                ConsentPage.form(
                    clientName: authorization.client.name,
                    questions: questions,
                    parameters: parameters ?? form,
                    formToken: service.sessions.formToken(browserNonce: nonce)
                ),
                status: .ok
            )
            if browserNonce == nil { response.setCookie(cookie(BrowserSessions.csrfCookie, nonce, maxAge: 3600)) }
            return response
        case .deny:
            return redirect(
                OAuthService.RedirectedError(
                    redirectURI: authorization.redirectURI,
                    state: authorization.state,
                    error: IdentityError(.accessDenied, "the user refused")
                ).location
            )
        }
    }

    /// Redirects to the client with a new authorization code.
    private func issueCode(_ authorization: OAuthService.AuthorizationRequest, subject: String) async throws -> Response
    {
        let code = try await service.issueCode(for: authorization, subject: subject)
        return redirect(
            OAuthService.redirect(authorization.redirectURI, [("code", code), ("state", authorization.state)])
        )
    }

    private func signInForm(
        _ authorization: OAuthService.AuthorizationRequest,
        _ parameters: [String: String],
        browserNonce: String?,
        message: String?
    ) -> Response {
        let nonce = browserNonce ?? service.sessions.newBrowserNonce()
        var response = html(
            SignInPage.form(
                clientName: authorization.client.name,
                parameters: parameters,
                formToken: service.sessions.formToken(browserNonce: nonce),
                message: message
            ),
            status: .ok
        )
        if browserNonce == nil { response.setCookie(cookie(BrowserSessions.csrfCookie, nonce, maxAge: 3600)) }
        return response
    }

    private func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: name,
            value: value,
            maxAge: maxAge,
            path: "/oauth2",
            secure: service.configuration.issuer.hasPrefix("https://"),
            httpOnly: true,
            sameSite: .lax
        )
    }

    private func redirect(_ location: String) -> Response {
        Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
    }

    private func html(_ page: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .cacheControl: "no-store",
                HTTPField.Name("Content-Security-Policy")!:
                    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
                HTTPField.Name("X-Frame-Options")!: "DENY",
            ],
            body: .init(byteBuffer: ByteBuffer(string: page))
        )
    }
}
