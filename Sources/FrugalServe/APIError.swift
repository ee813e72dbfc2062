// APIError — every error `frugal serve` answers with, in OpenAI's shape
// `{"error": {"message", "type", "param", "code"}}` and its status: 400 malformed JSON or
// parameters, 401 a missing or wrong bearer token, 404 an unknown model or route, 413 a prompt
// longer than the context (or a body over the size limit), 429 a full queue (with Retry-After),
// 500 anything unexpected. Messages say what was wrong and what to send instead.
import Foundation
import Hummingbird

public struct APIError: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    public var type: String
    public var param: String?
    public var code: String?
    /// Seconds, for 429.
    public var retryAfter: Int?

    public init(status: HTTPResponse.Status, message: String, type: String = "invalid_request_error",
                param: String? = nil, code: String? = nil, retryAfter: Int? = nil) {
        self.status = status; self.message = message; self.type = type; self.param = param; self.code = code
        self.retryAfter = retryAfter
    }

    public var description: String { "\(status.code) \(type): \(message)" }

    public static func badRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: .badRequest, message: message, param: param, code: code)
    }

    public static func unknownModel(_ name: String, known: [String]) -> APIError {
        APIError(status: .notFound, message: "The model '\(name)' does not exist. Served models: \(known.joined(separator: ", ")) (GET /v1/models lists them).",
                 param: "model", code: "model_not_found")
    }

    public static func promptTooLong(tokens: Int, context: Int, param: String) -> APIError {
        APIError(status: .contentTooLarge,
                 message: "The prompt is \(tokens) tokens; this model's context is \(context) tokens, and at least one must be left for the reply. Shorten the prompt.",
                 param: param, code: "context_length_exceeded")
    }

    public static let unauthorized = APIError(status: .unauthorized,
        message: "Missing or incorrect API key: send 'Authorization: Bearer KEY' with the key the server was started with (--api-key).",
        code: "invalid_api_key")

    public static func queueFull(waiting: Int) -> APIError {
        APIError(status: .tooManyRequests,
                 message: "The server is busy: \(waiting) requests are already waiting for the model. Retry after a moment.",
                 type: "server_busy", code: "rate_limit_exceeded", retryAfter: max(1, waiting))
    }

    public static func server(_ message: String) -> APIError {
        APIError(status: .internalServerError, message: message, type: "server_error")
    }

    var body: ErrorBody { ErrorBody(error: .init(message: message, type: type, param: param, code: code)) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: JSONWire.encode(body))))
    }

    /// A readable message for a JSON decoding failure: which field, and what was wrong with it.
    static func from(decoding error: any Error) -> APIError {
        guard let e = error as? DecodingError else {
            return .badRequest("The body is not valid JSON: \(error)", code: "invalid_json")
        }
        func path(_ p: [any CodingKey]) -> String {
            p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop(while: { $0 == "." }).description
        }
        switch e {
        case let .dataCorrupted(ctx) where ctx.codingPath.isEmpty:
            return .badRequest("The body is not valid JSON (\(ctx.underlyingError.map { "\($0)" } ?? ctx.debugDescription)).",
                               code: "invalid_json")
        case let .dataCorrupted(ctx):
            return .badRequest("'\(path(ctx.codingPath))': \(ctx.debugDescription)", param: path(ctx.codingPath))
        case let .keyNotFound(key, ctx):
            let p = path(ctx.codingPath + [key])
            return .badRequest("'\(p)' is required.", param: p)
        case let .typeMismatch(type, ctx):
            let p = path(ctx.codingPath)
            return .badRequest("'\(p)' has the wrong type: expected \(Self.jsonName(type)).", param: p)
        case let .valueNotFound(type, ctx):
            let p = path(ctx.codingPath)
            return .badRequest("'\(p)' must not be null: expected \(Self.jsonName(type)).", param: p)
        @unknown default:
            return .badRequest("The body could not be read: \(e)")
        }
    }

    static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is [Any].Type: return "an array"
        default: return type == [String: Any].self ? "an object" : "\(type)"
        }
    }
}

/// The server's one JSON encoder and decoder settings.
enum JSONWire {
    static func encode(_ value: some Encodable) -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        // Encoding these plain value types cannot fail; a failure would be a programming error.
        return (try? e.encode(value)) ?? Data(#"{"error":{"message":"encoding failed","type":"server_error","param":null,"code":null}}"#.utf8)
    }

    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws(APIError) -> T {
        guard buffer.readableBytes > 0 else { throw .badRequest("The request body is empty: send a JSON object.", code: "invalid_json") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.from(decoding: error)
        }
    }
}
