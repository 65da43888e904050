import MachiCore
import MachiIdentity
import Testing

@Suite struct AccessPolicyTests {
    let policy = AccessPolicy(publicReadTenants: ["", "opendata"])

    func person(_ roles: [String: Set<Role>], scopes: Set<String>) -> Principal {
        Principal(subject: "urn:machi:person:1", kind: .person, roles: roles, scopes: scopes)
    }

    /// The status the policy answers with, or 200 when it allows.
    func status(_ principal: Principal, _ action: AccessAction, tenant: String = "city") -> Int {
        do {
            try policy.authorize(principal, action, tenant: tenant)
            return 200
        } catch {
            return error.status
        }
    }

    @Test func anonymousCallersReadOnlyPublicTenants() {
        #expect(status(.anonymous, .read, tenant: "opendata") == 200)
        #expect(status(.anonymous, .read, tenant: "") == 200)
        #expect(status(.anonymous, .read, tenant: "city") == 401)
        #expect(status(.anonymous, .write, tenant: "opendata") == 401)
        #expect(status(.anonymous, .selfService) == 401)
    }

    @Test func openModeAndSystemMayDoEverything() {
        for action in [AccessAction.read, .write, .iotAdmin, .auditRead, .admin] {
            #expect(status(.openMode, action) == 200)
            #expect(status(.system("iot-agent"), action) == 200)
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var roles: Set<Role>
        var scopes: Set<String>
        var action: AccessAction
        var expected: Int
        var testDescription: String { "\(roles) \(scopes) \(action) → \(expected)" }
    }

    static let cases: [Case] = [
        Case(roles: [.resident], scopes: [Scope.read], action: .read, expected: 200),
        // A resident never writes, whatever the token says.
        Case(roles: [.resident], scopes: [Scope.read, Scope.write], action: .write, expected: 403),
        Case(roles: [.developer], scopes: [Scope.read, Scope.write], action: .write, expected: 200),
        Case(roles: [.developer], scopes: [Scope.read], action: .write, expected: 403),  // the scope is missing
        Case(roles: [.developer], scopes: [Scope.iotAdmin], action: .iotAdmin, expected: 403),
        Case(roles: [.operator], scopes: [Scope.iotAdmin], action: .iotAdmin, expected: 200),
        Case(roles: [.operator], scopes: [Scope.auditRead], action: .auditRead, expected: 403),
        Case(roles: [.admin], scopes: [Scope.auditRead], action: .auditRead, expected: 200),
        Case(roles: [.admin], scopes: [Scope.read], action: .admin, expected: 403),  // the admin scope is missing
        Case(roles: [.admin], scopes: [Scope.admin], action: .admin, expected: 200),
        Case(roles: [], scopes: [Scope.read], action: .read, expected: 403),  // no role in this tenant
    ]

    /// Roles and scopes both count.
    @Test(arguments: cases) func rolesAndScopes(_ row: Case) {
        #expect(status(person(["city": row.roles], scopes: row.scopes), row.action) == row.expected)
    }

    @Test func aRoleInOneTenantGivesNothingInAnother() {
        let admin = person(["other": [.admin]], scopes: Set(Scope.all))
        #expect(status(admin, .read, tenant: "city") == 403)
        #expect(status(admin, .write, tenant: "other") == 200)
    }

    @Test func devicesAndApplicationsHaveNoAccountToManage() {
        let device = Principal(subject: "urn:machi:device:d1", kind: .device, roles: ["city": [.admin]])
        #expect(status(device, .read) == 403)
        let app = Principal(subject: "urn:machi:application:a", kind: .application, roles: ["city": [.developer]])
        #expect(status(app, .selfService) == 403)
        #expect(status(person([:], scopes: []), .selfService) == 200)
    }
}
