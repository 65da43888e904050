import AsyncHTTPClient
import Logging
import MachiMQTT
import Synchronization

extension CitySimulator {
    /// Streams measures of every device until the task is cancelled, then returns.
    ///
    /// One child task per device family (plus the MQTT connection keeper and command handler when a broker is
    /// configured). Measure intervals are real time; the flood scenario advances at `options.speed`.
    public func run() async throws {
        try await self.withHTTPClient { http in
            let mqtt = self.options.mqttHost.map { host in
                MQTTClient(
                    configuration: .init(
                        host: host,
                        port: self.options.mqttPort,
                        clientIdentifier: "machi-demo-\(UInt32.random(in: 0...UInt32.max))",
                        keepAlive: .seconds(30),
                        connectTimeout: .seconds(5),
                        acknowledgementTimeout: .seconds(10)
                    ),
                    logger: self.logger
                )
            }
            if let mqtt { await self.connect(mqtt) }
            let southbound = Southbound(
                http: http,
                mqtt: mqtt,
                options: self.options,
                counters: self.counters,
                reporter: self.reporter
            )
            let time = SimulationTime(speed: self.options.speed)
            self.logger.info(
                "demo city running",
                metadata: ["demo.target": "\(self.options.target)", "demo.bridge_rate": "\(self.options.bridgeRate)"]
            )
            await withDiscardingTaskGroup { group in
                if let mqtt {
                    group.addTask { await self.keepConnected(mqtt) }
                    group.addTask { await self.answerCommands(mqtt, southbound: southbound, time: time) }
                }
                group.addTask {
                    await self.runPeriodic([.river, .shelterMeter, .shelterCounter], .seconds(5), southbound, time)
                }
                group.addTask {
                    await self.runPeriodic([.soil, .weather, .airQuality], .seconds(10), southbound, time)
                }
                group.addTask { await self.runPeriodic([.bus], .seconds(2), southbound, time) }
                group.addTask { await self.runTraps(southbound, time) }
                if self.options.bridgeRate > 0 {
                    group.addTask { await self.runBridge(southbound, time) }
                }
            }
            await mqtt?.disconnect()
        }
    }

    /// Sends the current measures of `families` every `interval`.
    private func runPeriodic(
        _ families: [DeviceFamily],
        _ interval: Duration,
        _ southbound: Southbound,
        _ time: SimulationTime
    ) async {
        let devices = self.city.devices.filter { families.contains($0.family) }
        await Self.every(interval) {
            let elapsed = time.elapsed
            let t = time.scenarioTime(elapsed: elapsed)
            let epoch = time.epochSeconds(elapsed: elapsed)
            await withDiscardingTaskGroup { group in
                for device in devices {
                    guard let measures = self.models.measures(of: device, at: t, epochSeconds: epoch) else { continue }
                    group.addTask { await southbound.send([measures], from: device) }
                }
            }
        }
    }

    /// Advances the traps every second; reports a trap when it closes or reopens, and every minute anyway.
    private func runTraps(_ southbound: Southbound, _ time: SimulationTime) async {
        let devices = self.city.devices(of: .trap)
        var lastReport: [Double] = Array(repeating: -.infinity, count: devices.count)
        await Self.every(.seconds(1)) {
            let elapsed = time.elapsed
            let t = time.scenarioTime(elapsed: elapsed)
            var due: [(DemoDevice, MeasureGroup)] = []
            for (position, device) in devices.enumerated() {
                let (changed, state) = self.trapStates.withLock { states in
                    let changed = states[device.index].advance(to: t, model: self.models.traps)
                    return (changed, states[device.index])
                }
                guard changed || elapsed - lastReport[position] >= 60 else { continue }
                if changed {
                    self.logger.info(
                        "trap changed",
                        metadata: ["device.id": "\(device.id)", "trap.status": "\(state.status.rawValue)"]
                    )
                }
                lastReport[position] = elapsed
                due.append((device, self.trapReport(device, state: state, at: t, time: time)))
            }
            await withDiscardingTaskGroup { group in
                for (device, measures) in due {
                    group.addTask { await southbound.send([measures], from: device) }
                }
            }
        }
    }

    func trapReport(_ device: DemoDevice, state: TrapState, at t: Double, time: SimulationTime) -> MeasureGroup {
        self.models.trapMeasures(of: device, state: state, at: t) { time.epochMilliseconds(ofScenarioTime: $0) }
    }

    /// Sends the bridge's measures four times a second, each with its own timestamp, one message per sensor.
    private func runBridge(_ southbound: Southbound, _ time: SimulationTime) async {
        let devices = self.city.devices(of: .bridge)
        var previous = time.elapsed
        await Self.every(.milliseconds(250)) {
            let now = time.elapsed
            // After a stall (slow server), skip what is older than 5 s instead of sending a huge backlog.
            let from = max(previous, now - 5)
            previous = now
            await withDiscardingTaskGroup { group in
                for device in devices {
                    let measures = self.models.bridgeMeasures(
                        of: device,
                        from: from,
                        to: now,
                        startEpochMilliseconds: time.startEpochMilliseconds
                    )
                    group.addTask { await southbound.send(measures, from: device) }
                }
            }
        }
    }

    /// Runs `body` every `interval` (without drift, skipping missed ticks) until the task is cancelled.
    static func every(_ interval: Duration, _ body: () async -> Void) async {
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isCancelled {
            await body()
            next += interval
            if next < clock.now { next = clock.now }
            do {
                try await Task.sleep(until: next, clock: clock)
            } catch {
                return
            }
        }
    }
}
