import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MachiCore
import MachiIoT
import NIOCore

/// One IoT Agent API request: the FIWARE service (tenant) and service path from the headers, the body, and the
/// FIWARE-style answers (`{"name": …, "message": …}` errors).
struct IoTExchange {
    /// `Fiware-Service` (or `NGSILD-Tenant`); `nil` for the default tenant.
    let service: String?
    /// `Fiware-ServicePath`, `/` when absent.
    let servicePath: String
    let request: Request

    static let maxBodyBytes = 4 * 1024 * 1024

    init(_ request: Request) throws(IoTError) {
        self.request = request
        let named = request.headers[HTTPField.Name("Fiware-Service")!] ?? request.headers[.ngsildTenant]
        if let named, !named.isEmpty {
            let allowed = named.unicodeScalars.allSatisfy {
                $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
            }
            guard named.utf8.count <= 50, allowed else {
                throw IoTError(.missingHeaders, "Fiware-Service must be 1-50 letters, digits or underscores")
            }
            service = named.lowercased()
        } else {
            service = nil
        }
        let path = request.headers[HTTPField.Name("Fiware-ServicePath")!] ?? "/"
        guard path.hasPrefix("/"), path.utf8.count <= 100, !path.contains(" ") else {
            throw IoTError(.missingHeaders, "Fiware-ServicePath must start with / (e.g. /gardens)")
        }
        servicePath = path
    }

    /// The body as JSON.
    func json() async throws(IoTError) -> JSON {
        let bytes = try await body()
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw IoTError(.wrongSyntax, "the body is not valid JSON: \(error)")
        }
    }

    /// The body's bytes (at most 4 MiB).
    func body() async throws(IoTError) -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
            return Array(buffer.readableBytesView)
        } catch {
            throw IoTError(.badRequest, "the body is larger than \(Self.maxBodyBytes) bytes or could not be read")
        }
    }

    func query(_ name: String) -> String? { request.uri.queryParameters[Substring(name)].map(String.init) }

    func requiredQuery(_ name: String) throws(IoTError) -> String {
        guard let value = query(name), !value.isEmpty else {
            throw IoTError(.badRequest, "the query parameter \(name) is required")
        }
        return value
    }

    static func json(_ body: JSON, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: body)))
        )
    }

    static func empty(_ status: HTTPResponse.Status) -> Response { Response(status: status) }

    static func error(_ error: IoTError) -> Response {
        json(
            ["name": .string(error.code.name), "message": .string(error.message)],
            status: .init(code: error.code.status)
        )
    }
}

/// Answers every IoT Agent API error in FIWARE's shape; anything unexpected is a 500 without internals.
struct IoTErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as IoTError {
            return IoTExchange.error(error)
        } catch let error as HTTPError {
            return IoTExchange.error(
                IoTError(error.status.code == 404 ? .deviceNotFound : .badRequest, error.body ?? "\(error.status)")
            )
        } catch {
            context.logger.error("IoT API failure", metadata: ["error": "\(error)"])
            return IoTExchange.error(IoTError(.internalError, "the request failed"))
        }
    }
}
