import AsyncHTTPClient
import Logging
import MachiCore
import MachiMQTT
import NIOCore
import NIOHTTP1

/// Delivers measures to the IoT agent over the device's transport: UltraLight or JSON, over HTTP or MQTT QoS 0.
///
/// Never throws: failures are counted and reported (rate-limited).
struct Southbound: Sendable {
    let http: HTTPClient
    let mqtt: MQTTClient?
    let options: DemoOptions
    let counters: StatisticsCounters
    let reporter: ErrorReporter

    /// Sends the groups of one device: one UltraLight message, or one JSON message per group.
    func send(_ groups: [MeasureGroup], from device: DemoDevice) async {
        guard !groups.isEmpty else { return }
        let count = groups.reduce(0) { $0 + $1.measures.count }
        switch device.format {
        case .ultraLight:
            let payload = ByteBuffer(string: UltraLightEncoder.encode(groups))
            await self.deliver(payload, measures: count, device: device)
        case .json:
            for group in groups {
                let payload = ByteBuffer(bytes: JSONMeasureEncoder.encode(group))
                await self.deliver(payload, measures: group.measures.count, device: device)
            }
        }
    }

    /// The MQTT topic measures of `device` are published on.
    static func measureTopic(of device: DemoDevice) -> String {
        switch device.format {
        case .ultraLight: "/ul/\(device.apikey)/\(device.id)/attrs"
        case .json: "/json/\(device.apikey)/\(device.id)/attrs"
        }
    }

    /// The URL measures of `device` are posted to.
    func measureURL(of device: DemoDevice) -> String {
        "\(self.options.baseURL)\(device.format.resource)?k=\(Self.percentEncoded(device.apikey))"
            + "&i=\(Self.percentEncoded(device.id))"
    }

    private func deliver(_ payload: ByteBuffer, measures: Int, device: DemoDevice) async {
        if device.transport == .mqtt, let mqtt = self.mqtt {
            do {
                try await mqtt.publish(topic: Self.measureTopic(of: device), payload: payload, qos: .atMostOnce)
                self.counters.delivered(measures: measures)
            } catch {
                if Task.isCancelled { return }  // shutting down: not a failure
                self.counters.failed()
                self.reporter.report(
                    "mqtt.publish",
                    "MQTT publish failed",
                    metadata: ["device.id": "\(device.id)", "error": "\(error)"]
                )
            }
            return
        }
        var request = HTTPClientRequest(url: self.measureURL(of: device))
        request.method = .POST
        request.headers = self.headers(contentType: device.format == .json ? "application/json" : "text/plain")
        request.body = .bytes(payload)
        do {
            let response = try await self.http.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 64 * 1024)
            if (200..<300).contains(response.status.code) {
                self.counters.delivered(measures: measures)
            } else {
                self.counters.failed()
                self.reporter.report(
                    "http.status.\(device.family.rawValue)",
                    "IoT agent rejected measures",
                    metadata: ["device.id": "\(device.id)", "http.status": "\(response.status.code)"]
                )
            }
        } catch {
            if Task.isCancelled { return }  // shutting down: not a failure
            self.counters.failed()
            self.reporter.report(
                "http.error",
                "cannot reach the IoT agent",
                metadata: ["device.id": "\(device.id)", "error": "\(error)"]
            )
        }
    }

    /// `fiware-service` (if set), `fiware-servicepath` and `Content-Type`.
    func headers(contentType: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        if let service = self.options.service { headers.add(name: "fiware-service", value: service) }
        headers.add(name: "fiware-servicepath", value: self.options.servicePath)
        return headers
    }

    /// Percent-encodes everything but unreserved URL characters.
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(hex[Int(byte >> 4)])
                result.unicodeScalars.append(hex[Int(byte & 0xF)])
            }
        }
        return result
    }
}
