import Foundation
import Logging
import MachiCore
import MachiDemo
import MachiMQTT
import NIOCore
import NIOHTTP1
import Testing

struct CitySimulatorTests {
    /// Runs `simulator.run()` for `duration`, then cancels it.
    static func run(
        _ simulator: CitySimulator,
        for duration: Duration,
        while body: @Sendable () async throws -> Void = {}
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            try await Task.sleep(for: duration)
            try await body()
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    /// Runs the simulator until `done` holds (checked every 100 ms) or `limit` has passed, whichever comes first:
    /// a busy machine may need longer to send a first round.
    static func run(
        _ simulator: CitySimulator,
        until done: @escaping @Sendable () -> Bool,
        atMost limit: Duration
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            let deadline = ContinuousClock.now + limit
            while !done(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            group.cancelAll()
            try await group.waitForAll()
        }
    }

    @Test func provisioningIsIdempotentAndFollowsTheAgentAPI() async throws {
        let agent = try await FakeIoTAgent.start()
        let simulator = CitySimulator(options: DemoOptions(target: "http://127.0.0.1:\(agent.port)/"))
        try await simulator.provision()
        let first = agent.requests
        #expect(first.filter { $0.path == "/iot/services" }.count == DeviceFamily.allCases.count)
        #expect(first.filter { $0.path == "/iot/devices" }.count == simulator.city.devices.count)
        let upsert = try #require(first.first { $0.path == "/ngsi-ld/v1/entityOperations/upsert" })
        #expect(upsert.uri.hasSuffix("?options=update"))
        #expect(try JSONParser.parse(upsert.body).arrayValue?.count == simulator.city.staticEntities.count)
        for request in first {
            #expect(request.method == .POST)
            #expect(request.headers["fiware-servicepath"] == ["/"])
            #expect(request.headers["fiware-service"].isEmpty)
            #expect(request.headers["Content-Type"] == ["application/json"])
        }
        // Again: every group and device answers 409, which counts as provisioned.
        try await simulator.provision()
        #expect(simulator.statistics.itemsProvisioned == 2 * first.count)
        await agent.stop()
    }

    @Test func rejectedProvisioningThrowsAfterTryingEverything() async throws {
        let agent = try await FakeIoTAgent.start(rejecting: #""device_id":"bridge-07""#)
        let simulator = CitySimulator(options: DemoOptions(target: "http://127.0.0.1:\(agent.port)"))
        await #expect {
            try await simulator.provision()
        } throws: { error in
            guard let error = error as? DemoError else { return false }
            return error.code == .provisioningRejected && error.message.hasPrefix("1 of ")
                && error.message.contains("device bridge-07: HTTP 400")
        }
        // Everything after the rejected device was still tried.
        #expect(agent.requests.count == simulator.city.groups.count + simulator.city.devices.count + 1)
        #expect(simulator.statistics.itemsProvisioned == agent.requests.count - 1)
        await agent.stop()
    }

    @Test func unreachableServerThrowsServerUnreachable() async throws {
        let agent = try await FakeIoTAgent.start()
        let simulator = CitySimulator(options: DemoOptions(target: "http://127.0.0.1:\(agent.port)", service: "other"))
        await agent.stop()  // nothing listens on the port any more
        await #expect {
            try await simulator.provision()
        } throws: { error in
            (error as? DemoError)?.code == .serverUnreachable
        }
    }

    @Test func measuresFlowOverHTTPWithoutABroker() async throws {
        let agent = try await FakeIoTAgent.start()
        let options = DemoOptions(target: "http://127.0.0.1:\(agent.port)", bridgeRate: 480, service: "shiojiri")
        let simulator = CitySimulator(options: options)
        let started = ContinuousClock.now
        try await Self.run(
            simulator,
            until: {
                let uris = agent.requests.map(\.uri)
                return ContinuousClock.now - started >= .milliseconds(1500)
                    && uris.contains { $0.hasPrefix("/iot/d?k=shiojiri-bridge&") }
                    && uris.filter { $0.hasPrefix("/iot/d?k=shiojiri-trap&") }.count >= DemoCity.traps.count
            },
            atMost: .seconds(30)
        )
        let elapsed = (ContinuousClock.now - started) / .seconds(1)
        let statistics = simulator.statistics
        #expect(statistics.messagesFailed == 0)
        #expect(statistics.measuresSent > 0)

        let requests = agent.requests
        let river = try #require(requests.first { $0.uri == "/iot/d?k=shiojiri-river&i=river-narai-01" })
        #expect(river.headers["Content-Type"] == ["text/plain"])
        #expect(river.headers["fiware-service"] == ["shiojiri"])
        #expect(river.body.wholeMatch(of: /h\|\d+\.\d\d\|f\|\d+\.\d/) != nil, "\(river.body)")

        let bus = try #require(requests.first { $0.uri == "/iot/json?k=shiojiri-bus&i=bus-1a" })
        #expect(bus.headers["Content-Type"] == ["application/json"])
        let json = try JSONParser.parse(bus.body)
        #expect(json["l"]?["type"] == "Point")

        let bridge = requests.filter { $0.uri.hasPrefix("/iot/d?k=shiojiri-bridge&") }
        let bridgeMeasures = bridge.reduce(0) { $0 + $1.body.split(separator: "#").count }
        // Paced, never faster than the rate (a busy machine may send fewer: that is not the simulator's fault).
        #expect(
            bridgeMeasures > 0 && Double(bridgeMeasures) <= 480 * elapsed + 100,
            "\(bridgeMeasures) in \(elapsed) s"
        )
        let group = try #require(bridge.first?.body.split(separator: "#").first)
        #expect(group.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\|v\|-?\d+\.\d+/) != nil, "\(group)")

        let traps = requests.filter { $0.uri.hasPrefix("/iot/d?k=shiojiri-trap&") }
        #expect(traps.count == DemoCity.traps.count)  // the first report of every trap
        await agent.stop()
    }

    @Test(.enabled(if: MosquittoLauncher.findExecutable() != nil))
    func measuresAndCommandsOverMQTT() async throws {
        let broker = try #require(try await MosquittoLauncher.start())
        defer { broker.stop() }
        let agent = try await FakeIoTAgent.start()
        let listener = MQTTClient(configuration: .init(host: broker.host, port: broker.port, clientIdentifier: "agent"))
        try await listener.connect()
        try await listener.subscribe(to: [
            MQTTSubscription(topicFilter: "/ul/+/+/attrs"), MQTTSubscription(topicFilter: "/json/+/+/attrs"),
            MQTTSubscription(topicFilter: "/shiojiri-trap/+/cmdexe"),
        ])
        let options = DemoOptions(
            target: "http://127.0.0.1:\(agent.port)",
            mqttHost: broker.host,
            mqttPort: broker.port,
            bridgeRate: 96
        )
        let simulator = CitySimulator(options: options)
        #expect(simulator.city.devices(of: .trap).allSatisfy { $0.transport == .mqtt })
        var topics: [String: [String]] = [:]
        // Until the bridge and the trap have reported (a loaded machine may take longer than a second), then a reset
        // command, whose answer is awaited too.
        var seen = Set<String>()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await simulator.run() }
            let deadline = ContinuousClock.now + .seconds(30)
            var iterator = listener.messages.makeAsyncIterator()
            var commanded = false
            while ContinuousClock.now < deadline, let message = await iterator.next() {
                seen.insert(message.topic)
                topics[message.topic, default: []].append(String(buffer: message.payload))
                if !commanded, seen.contains("/ul/shiojiri-trap/trap-02/attrs"),
                    seen.contains("/ul/shiojiri-bridge/bridge-01/attrs")
                {
                    commanded = true
                    try await listener.publish(
                        topic: "/shiojiri-trap/trap-02/cmd",
                        payload: ByteBuffer(string: "trap-02@reset|")
                    )
                }
                if commanded, (topics["/ul/shiojiri-trap/trap-02/attrs"]?.count ?? 0) >= 2,
                    seen.contains("/shiojiri-trap/trap-02/cmdexe"), seen.contains("/json/shiojiri-bus/bus-1a/attrs"),
                    seen.contains("/ul/shiojiri-air/air-01/attrs")
                {
                    break
                }
            }
            group.cancelAll()
            try await group.waitForAll()
        }
        await listener.disconnect()

        #expect(topics["/shiojiri-trap/trap-02/cmdexe"] == ["trap-02@reset|already open"])
        #expect(simulator.statistics.commandsAnswered == 1)
        // The trap reported at start and again after the reset.
        #expect(topics["/ul/shiojiri-trap/trap-02/attrs"]?.count == 2)
        #expect(topics["/ul/shiojiri-bridge/bridge-01/attrs"] != nil)
        #expect(topics["/json/shiojiri-bus/bus-1a/attrs"]?.first?.hasPrefix(#"{"l":{"type":"Point""#) == true)
        #expect(topics["/ul/shiojiri-air/air-01/attrs"]?.first?.hasPrefix("pm25|") == true)
        // HTTP families still use HTTP.
        #expect(agent.requests.contains { $0.uri == "/iot/d?k=shiojiri-river&i=river-narai-01" })
        #expect(!agent.requests.contains { $0.uri.contains("shiojiri-bridge") })
        #expect(simulator.statistics.messagesFailed == 0)
        await agent.stop()
    }

    @Test(.enabled(if: MosquittoLauncher.findExecutable() != nil))
    func mosquittoLauncherStartsAndStops() async throws {
        let broker = try #require(try await MosquittoLauncher.start())
        #expect(broker.isRunning)
        let client = MQTTClient(configuration: .init(host: broker.host, port: broker.port, clientIdentifier: "probe"))
        try await client.connect()
        await client.disconnect()
        broker.stop()
        #expect(!broker.isRunning)
        #expect(!FileManager.default.fileExists(atPath: broker.directory.path))
    }

    @Test func launcherFailsCleanlyWithoutAUsableMosquitto() async throws {
        #expect(MosquittoLauncher.findExecutable(searchPath: "/nonexistent:/also/not") == nil)
        await #expect {
            try await MosquittoLauncher.start(executable: "/nonexistent/mosquitto")
        } throws: { error in
            (error as? DemoError)?.code == .brokerUnavailable
        }
    }

    @Test(arguments: [("localhost:1884", "localhost", 1884), ("broker", "broker", 1883), ("10.0.0.1:1", "10.0.0.1", 1)])
    func parsesMQTTAddresses(text: String, host: String, port: Int) throws {
        let parsed = try #require(DemoOptions.parseMQTTAddress(text))
        #expect(parsed.host == host && parsed.port == port)
    }

    @Test(arguments: ["", ":1883", "host:0", "host:x", "host:70000"])
    func rejectsBadMQTTAddresses(text: String) {
        #expect(DemoOptions.parseMQTTAddress(text) == nil)
    }
}
