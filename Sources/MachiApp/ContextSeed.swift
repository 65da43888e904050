import Foundation
import MachiBroker
public import MachiCore
import OrderedCollections

/// Local copies of remote JSON-LD @context documents, loaded at start-up so that a broker without internet access
/// (an air-gapped city network) can use @contexts that are published on the internet (`contexts.seed`).
///
/// The seed is a directory with a `manifest.json` that maps each remote URL to a file, relative to the directory
/// (or absolute):
///
/// ```json
/// {
///   "https://smartdatamodels.org/context.jsonld": "smartdatamodels-context.jsonld",
///   "https://city.example/ld/waste.jsonld": "waste.jsonld"
/// }
/// ```
///
/// Each file must be a JSON object with an `@context` member whose value is a valid JSON-LD context (URLs it names
/// are not fetched here). The broker lists the documents as `Cached` @contexts and uses them instead of fetching
/// those URLs.
public struct ContextSeed: Sendable {
    /// URL → the document that stands in for it.
    public var documents: [String: JSON]

    public init(documents: [String: JSON]) {
        self.documents = documents
    }

    /// Reads and checks the seed in `directory`.
    /// - Throws: `ContextSeedError` naming the manifest or the file that is wrong.
    public static func load(directory: String) async throws(ContextSeedError) -> ContextSeed {
        let base = URL(fileURLWithPath: directory, isDirectory: true)
        let manifestURL = base.appendingPathComponent("manifest.json")
        let manifest: JSON
        do {
            manifest = try JSONParser.parse(try Data(contentsOf: manifestURL))
        } catch let error as JSONParser.Failure {
            throw ContextSeedError(.manifestInvalid, "\(manifestURL.path) is not JSON", underlying: error)
        } catch {
            throw ContextSeedError(.manifestUnreadable, "cannot read \(manifestURL.path)", underlying: error)
        }
        guard case .object(let entries) = manifest else {
            throw ContextSeedError(.manifestInvalid, "\(manifestURL.path) must be a JSON object of URL → file")
        }
        var documents: [String: JSON] = [:]
        for (url, value) in entries {
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw ContextSeedError(.manifestInvalid, "\(manifestURL.path): \"\(url)\" is not an http(s) URL")
            }
            guard case .string(let file) = value, !file.isEmpty else {
                throw ContextSeedError(.manifestInvalid, "\(manifestURL.path): the file of \(url) must be a file name")
            }
            let fileURL =
                file.hasPrefix("/") ? URL(fileURLWithPath: file) : base.appendingPathComponent(file)
            documents[url] = try await document(at: fileURL, for: url)
        }
        return ContextSeed(documents: documents)
    }

    /// Reads the file and checks that it is a JSON-LD @context document.
    static func document(at fileURL: URL, for url: String) async throws(ContextSeedError) -> JSON {
        let data: Data
        do {
            data = try Data(contentsOf: fileURL)
        } catch {
            throw ContextSeedError(.documentUnreadable, "cannot read \(fileURL.path) (for \(url))", underlying: error)
        }
        let document: JSON
        do {
            document = try JSONParser.parse(data)
        } catch {
            throw ContextSeedError(.documentInvalid, "\(fileURL.path) (for \(url)) is not JSON", underlying: error)
        }
        guard case .object(let object) = document, let context = object["@context"] else {
            throw ContextSeedError(.documentInvalid, "\(fileURL.path) (for \(url)) has no @context member")
        }
        do {
            try await ContextResolver.validate(context)
        } catch {
            throw ContextSeedError(
                .documentInvalid,
                "\(fileURL.path) (for \(url)) is not a valid JSON-LD @context: \(error.detail)",
                underlying: error
            )
        }
        return document
    }
}
