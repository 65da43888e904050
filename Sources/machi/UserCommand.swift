import ArgumentParser
import Foundation
import MachiApp
import MachiIdentity
import MachiStore

/// `machi user add|list|passwd|disable|enable|role|link`
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage people who sign in (residents, staff).",
        subcommands: [Add.self, List.self, Passwd.self, Disable.self, Enable.self, Role.self, Link.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user; prints the new common ID. The password is read from standard input."
        )
        @OptionGroup var options: IdentityOptions
        @Argument(help: "The username (letters, digits, . _ @ -).") var username: String
        @Option(name: .long, help: "The name shown to others (default: the username).") var displayName: String?
        @Option(name: .long, help: "A role, as tenant:role or role (default tenant); repeatable.") var role: [String] =
            []
        @Flag(name: .long, help: "Create the user without a password (cannot sign in yet).") var noPassword = false

        func run() async throws {
            let password = noPassword ? nil : try readSecretLine("password")
            let identity = try await options.open()
            let user = try await identity.directory.administered(by: .commandLine).addUser(
                username: username,
                displayName: displayName,
                password: password,
                roles: parseRoles(role)
            )
            print(user.subject)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users.")
        @OptionGroup var options: IdentityOptions

        func run() async throws {
            let identity = try await options.open()
            for user in try await identity.directory.store.users() {
                print(
                    [user.username, user.subject, user.disabled ? "disabled" : "active", describeRoles(user.roles)]
                        .joined(separator: "\t")
                )
            }
        }
    }

    struct Passwd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password (read from standard input).")
        @OptionGroup var options: IdentityOptions
        @Argument(help: "The username or common ID.") var user: String

        func run() async throws {
            let password = try readSecretLine("password")
            try await options.directory().setPassword(user, password: password)
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user: no sign-in, no token refresh.")
        @OptionGroup var options: IdentityOptions
        @Argument(help: "The username or common ID.") var user: String

        func run() async throws { try await options.directory().setDisabled(user, true) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled user.")
        @OptionGroup var options: IdentityOptions
        @Argument(help: "The username or common ID.") var user: String

        func run() async throws { try await options.directory().setDisabled(user, false) }
    }

    struct Role: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's roles in one tenant.")
        @OptionGroup var options: IdentityOptions
        @Argument(help: "The username or common ID.") var user: String
        @Option(name: .long, help: "The tenant (default: the default tenant).") var tenant: String = ""
        @Argument(help: "The roles (admin, operator, developer, resident, …); none removes them.") var roles: [String] =
            []

        func run() async throws {
            let user = try await options.directory().setRoles(user, tenant: tenant, roles: Set(roles))
            print(describeRoles(user.roles))
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link an external identifier (e.g. a My Number) to a user, as a keyed pseudonym only.",
            discussion: "The identifier is read from standard input and never stored or printed."
        )
        @OptionGroup var options: IdentityOptions
        @Argument(help: "The username or common ID.") var user: String
        @Option(name: .long, help: "The identifier's scheme, e.g. mynumber, patient:shiojiri-hospital.") var scheme:
            String

        func run() async throws {
            let value = try readSecretLine("identifier")
            try await options.directory().linkExternalID(user, scheme: scheme, value: value)
        }
    }
}
