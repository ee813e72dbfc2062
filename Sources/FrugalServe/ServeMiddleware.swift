// ServeMiddleware — the two middlewares of `frugal serve`. ErrorMiddleware (outermost) turns every
// error into OpenAI's error shape: APIError as it is, Hummingbird's HTTPError (unknown route 404,
// wrong method 405) with its status, anything else a 500 — so no input gets a non-JSON answer or
// takes the server down. BearerAuthMiddleware requires `Authorization: Bearer KEY` on /v1/ when
// the server was started with --api-key (compared in constant time); /health stays open.
import Hummingbird

struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as APIError {
            return try e.response(from: request, context: context)
        } catch let e as HTTPError {
            let message: String
            switch e.status {
            case .notFound: message = "No route \(request.method) \(request.uri.path): this server answers /v1/chat/completions, /v1/completions, /v1/models and /health."
            case .methodNotAllowed: message = "\(request.method) is not allowed on \(request.uri.path)."
            default: message = e.body ?? e.status.reasonPhrase
            }
            return try APIError(status: e.status, message: message, code: e.status == .notFound ? "unknown_url" : nil)
                .response(from: request, context: context)
        } catch let e as any HTTPResponseError where e.status.code < 500 {
            return try APIError(status: e.status, message: "\(e)").response(from: request, context: context)
        } catch {
            context.logger.error("request failed: \(error)")
            return try APIError.server("The server could not answer this request: \(error)").response(from: request, context: context)
        }
    }
}

struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/health" { return try await next(request, context) }
        guard let header = request.headers[.authorization], Self.equal(Array(header.utf8), Array("Bearer \(key)".utf8)) else {
            throw APIError.unauthorized
        }
        return try await next(request, context)
    }

    /// Equal in time that depends on the lengths only.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
