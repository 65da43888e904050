import Foundation

/// `machi-baseline`: the ceilings `scripts/bench` compares Machi with.
///
/// ```
/// machi-baseline http --host 127.0.0.1 --port 8081
/// machi-baseline sqlite --like /path/to/machi/default.sqlite --dir /tmp/x [--rows 100000] [--read-seconds 5]
/// ```
///
/// `http` serves `GET /raw` (a fixed 300-byte JSON document), `POST /raw` (a JSON object decoded with
/// `JSONSerialization`, answered 201 with a `Location`) and `GET /health` until SIGINT/SIGTERM.
/// `sqlite` runs the storage ceilings on fresh databases in `--dir`, with the schema and the rows of the first entity
/// of the Machi database given with `--like`, and prints one JSON object on standard output.
@main
struct MachiBaseline {
    static func main() async throws {
        var arguments = Arguments(CommandLine.arguments.dropFirst())
        switch arguments.command {
        case "http":
            let host = arguments.string("--host", default: "127.0.0.1")
            let port = arguments.int("--port", default: 8081)
            try arguments.finish()
            try await RawHTTPServer(host: host, port: port).run()
        case "sqlite":
            let directory = try arguments.requiredString("--dir")
            let rows = arguments.int("--rows", default: 100_000)
            let batchSize = arguments.int("--batch", default: 1000)
            let readSeconds = arguments.double("--read-seconds", default: 5)
            let singleSeconds = arguments.double("--single-seconds", default: 3)
            let like = try arguments.requiredString("--like")
            try arguments.finish()
            let sample = try SampleEntity(machiDatabase: like)
            let benchmark = RawSQLiteBenchmark(
                directory: URL(fileURLWithPath: directory, isDirectory: true),
                rows: rows,
                batchSize: batchSize,
                readSeconds: readSeconds,
                singleSeconds: singleSeconds,
                sample: sample
            )
            let report = try benchmark.run()
            let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            FileHandle.standardOutput.write(data)
            FileHandle.standardOutput.write(Data("\n".utf8))
        default:
            FileHandle.standardError.write(
                Data(
                    "usage: machi-baseline http [--host H] [--port P] | sqlite --like MACHI_DB --dir DIR [--rows N]\n"
                        .utf8
                )
            )
            exit(64)
        }
    }
}
