import Hummingbird
import Logging
import MachiCore
import OrderedCollections

/// Turns every error into an NGSI-LD ProblemDetails response; nothing else ever reaches a client.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let tenant = request.headers[.ngsildTenant].flatMap { NGSIExchange.isValidTenant($0) ? $0 : nil }
        do {
            return try await next(request, context)
        } catch let error as NGSIError {
            if error.code == .internalError {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
                return NGSIResponse.problem(
                    NGSIError(.internalError, "The operation failed; see the server log (request \(context.id))"),
                    tenant: tenant
                )
            }
            return NGSIResponse.problem(error, tenant: tenant)
        } catch let error as HTTPError {
            return NGSIResponse.problem(Self.translate(error), tenant: tenant)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            return NGSIResponse.problem(
                NGSIError(.internalError, "The operation failed; see the server log (request \(context.id))"),
                tenant: tenant
            )
        }
    }

    static func translate(_ error: HTTPError) -> NGSIError {
        switch error.status.code {
        case 404: NGSIError(.resourceNotFound, "No such resource")
        case 405: NGSIError(.methodNotAllowed, "Method not allowed on this resource")
        case 413: NGSIError(.payloadTooLarge, "The request body is too large")
        case 400..<500: NGSIError(.badRequestData, error.body ?? "Bad request", status: error.status.code)
        default: NGSIError(.internalError, "The operation failed")
        }
    }
}
