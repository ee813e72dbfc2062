// `frugal serve MODEL [--adapter NAME=DIR …]` — an OpenAI-compatible HTTP API (FrugalServe) over one
// model and any number of LoRA adapters on it, each selectable by `model` in a request. This file
// only parses options, loads the model and starts the server; the server lives in FrugalServe.
// Serves until SIGINT/SIGTERM (graceful: generations stop, connections drain).
import ArgumentParser
import Dispatch
import Foundation
import FrugalIO
import FrugalModels
import FrugalServe

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve",
        abstract: "Serve a model (and adapters) over an OpenAI-compatible HTTP API.",
        discussion: """
        Endpoints: POST /v1/chat/completions, POST /v1/completions (both with "stream": true for \
        server-sent events), GET /v1/models, GET /health. One generation runs at a time; up to \
        --queue-size requests wait, more get 429. Example:
          frugal serve default --adapter pirate=out/pirate-lora
          curl localhost:8080/v1/chat/completions -d '{"model":"pirate","messages":[{"role":"user","content":"Hi"}]}'
        """)

    @Argument(help: "A GGUF file, an HF model directory, or `default`.") var model: String
    @Option(name: .customLong("adapter"), help: ArgumentHelp("A PEFT LoRA adapter to serve as model NAME (may repeat).", valueName: "NAME=DIR"))
    var adapters: [String] = []
    @Option(help: "Address to bind (127.0.0.1: this machine only).") var host: String = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port).") var port: Int = 8080
    @Option(name: .customLong("api-key"), help: "Require 'Authorization: Bearer KEY' on /v1/ requests.") var apiKey: String?
    @Option(name: .customLong("queue-size"), help: "Most requests waiting for the model; more get 429.") var queueSize: Int = 16
    @Option(name: .customLong("model-name"), help: "The base model's id in /v1/models (default: from MODEL).") var modelName: String?
    @OptionGroup var weights: InferenceWeightFlags
    @Option(help: "A Jinja chat template file to use instead of the model's own.") var chatTemplate: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port) is out of range: it must be 0…65535") }
        guard queueSize >= 0 else { throw ValidationError("--queue-size \(queueSize) is out of range: it must be ≥ 0") }
        _ = try parsedAdapters()
    }

    func parsedAdapters() throws -> [(name: String, directory: String)] {
        try adapters.map { arg in
            guard let eq = arg.firstIndex(of: "="), eq != arg.startIndex, arg.index(after: eq) != arg.endIndex else {
                throw ValidationError(ServeError.badAdapterArgument(arg).description)
            }
            return (String(arg[..<eq]), String(arg[arg.index(after: eq)...]))
        }
    }

    /// The base model's id: --model-name, else MODEL without its folders and .gguf.
    var baseID: String {
        if let modelName { return modelName }
        let last = (model as NSString).lastPathComponent
        return last.hasSuffix(".gguf") ? String(last.dropLast(5)) : last
    }

    func run() throws {
        let files = try ModelFiles.open(model)
        let tokenizer = try ModelTokenizer.load(files, chatTemplateFile: chatTemplate)
        let llm = try weights.load(files)
        let served = try ServedModel(model: llm, tokenizer: tokenizer, baseID: baseID, adapters: try parsedAdapters())
        let server = OpenAIServer(model: served, configuration: ServeConfiguration(
            host: host, port: port, apiKey: apiKey, queueCapacity: queueSize))
        if apiKey == nil && !["127.0.0.1", "localhost", "::1"].contains(host) {
            Terminal.note("warning: serving on \(host) without --api-key: anyone who can reach this address can use the model")
        }
        let ids = served.info.modelIDs.joined(separator: ", ")
        let host = self.host
        let outcome = ServeOutcome()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await server.run { port in
                    Terminal.note("serving \(ids) on http://\(host.contains(":") ? "[\(host)]" : host):\(port)/v1 (Ctrl-C stops)")
                }
            } catch {
                outcome.error = error
            }
            done.signal()
        }
        done.wait()
        if let error = outcome.error { throw error }
        Terminal.note("server stopped")
    }
}

/// The server task's error, handed back to the blocked command thread (written before the signal,
/// read after the wait).
private final class ServeOutcome: @unchecked Sendable {
    var error: (any Error)?
}
