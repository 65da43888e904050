import ArgumentParser
import Configuration
import Foundation
import MachiApp
import MachiIdentity

/// Options shared by `machi user`, `machi client` and `machi token`: they open the data directory directly, as
/// `machi serve` does (the environment is read the same way).
struct IdentityOptions: ParsableArguments {
    @Option(name: .long, help: "The directory of the data files (default ./machi-data; env STORE_SQLITE_PATH).")
    var data: String?

    @Option(
        name: .long,
        help: "The port `machi serve` listens on, which names the token issuer (default 1026; env HTTP_PORT)."
    )
    var port: Int?

    @Option(name: .long, help: "The server's public URL, if set for `machi serve` (env HTTP_PUBLIC_URL).")
    var publicURL: String?

    /// The identity provider of the data directory.
    func open() async throws -> IdentityServices {
        var overrides: [AbsoluteConfigKey: ConfigValue] = [:]
        if let data { overrides["store.sqlite.path"] = .init(.string(data), isSecret: false) }
        if let port { overrides["http.port"] = .init(.int(port), isSecret: false) }
        if let publicURL { overrides["http.public.url"] = .init(.string(publicURL), isSecret: false) }
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "command line", values: overrides),
            EnvironmentVariablesProvider(),
        ])
        return try await IdentityServices.open(configuration: AppConfiguration(reader: reader))
    }

    /// The directory of users and clients, its changes recorded as the command line's (`urn:machi:system:cli`).
    func directory() async throws -> IdentityDirectory {
        try await open().directory.administered(by: .commandLine)
    }
}

/// Reads one line from standard input (a password or an external identifier, so it stays out of `ps` and the
/// shell history).
func readSecretLine(_ what: String) throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw ValidationError("expected the \(what) on standard input")
    }
    return line
}

/// Parses `tenant:role` (or `role` for the default tenant) arguments into roles per tenant.
func parseRoles(_ values: [String]) -> [String: Set<String>] {
    var roles: [String: Set<String>] = [:]
    for value in values {
        let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
        let (tenant, role) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
        roles[tenant, default: []].insert(role)
    }
    return roles
}

/// `tenant: role, role; …` for printing.
func describeRoles(_ roles: [String: Set<String>]) -> String {
    roles.keys.sorted().map { tenant in
        "\(tenant.isEmpty ? "(default)" : tenant): \(roles[tenant]!.sorted().joined(separator: ","))"
    }.joined(separator: "; ")
}
