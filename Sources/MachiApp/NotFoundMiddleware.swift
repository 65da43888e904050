import Hummingbird
import MachiCore
import NIOCore

/// Answers requests that match no route — and every uncaught error outside `/ngsi-ld/v1` — with ProblemDetails.
struct NotFoundMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            return problem(NGSIError(.resourceNotFound, "No resource at \(request.uri.path)"))
        } catch let error as HTTPError where error.status == .methodNotAllowed {
            return problem(NGSIError(.methodNotAllowed, "\(request.method) is not allowed on \(request.uri.path)"))
        }
    }

    func problem(_ error: NGSIError) -> Response {
        Response(
            status: .init(code: error.status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: error.problemDetails)))
        )
    }
}
