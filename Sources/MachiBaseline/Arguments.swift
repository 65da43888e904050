import Foundation

/// A minimal `--name value` parser: the baseline tool has a handful of options and no need for more.
struct Arguments {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let command: String
    private var values: [String: String] = [:]
    private var unknown: [String] = []

    init(_ arguments: some Sequence<String>) {
        var iterator = Array(arguments).makeIterator()
        command = iterator.next() ?? ""
        while let name = iterator.next() {
            if name.hasPrefix("--"), let value = iterator.next() {
                values[name] = value
            } else {
                unknown.append(name)
            }
        }
    }

    mutating func optionalString(_ name: String) -> String? {
        values.removeValue(forKey: name)
    }

    mutating func string(_ name: String, default value: String) -> String {
        optionalString(name) ?? value
    }

    mutating func requiredString(_ name: String) throws -> String {
        guard let value = optionalString(name) else { throw Failure(description: "missing \(name)") }
        return value
    }

    mutating func int(_ name: String, default value: Int) -> Int {
        optionalString(name).flatMap { Int($0) } ?? value
    }

    mutating func double(_ name: String, default value: Double) -> Double {
        optionalString(name).flatMap { Double($0) } ?? value
    }

    /// Fails on anything that was not consumed.
    func finish() throws {
        let rest = unknown + values.keys.sorted()
        guard rest.isEmpty else { throw Failure(description: "unknown arguments: \(rest.joined(separator: " "))") }
    }
}
