import MachiCore
import Testing

@Suite struct PrincipalTests {
    @Test func rolesAreHeldPerTenant() {
        let staff = Principal(
            subject: "urn:machi:person:0b1c",
            kind: .person,
            roles: ["": [.operator], "shiojiri": [.admin]]
        )
        #expect(staff.roles(in: "shiojiri") == [.admin])
        #expect(staff.roles(in: "") == [.operator])
        #expect(staff.roles(in: "matsumoto").isEmpty)
    }

    @Test func onlyTheOpenModeCallerIsMarkedOpen() {
        #expect(Principal.openMode.isOpenMode)
        #expect(!Principal.anonymous.isOpenMode)
        #expect(!Principal.system("iot-agent").isOpenMode)
        #expect(Principal.system("iot-agent").subject == "urn:machi:system:iot-agent")
    }
}
