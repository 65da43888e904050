public import NIOCore

/// An incremental decoder for MQTT 3.1.1 packets.
///
/// ``decode(buffer:)`` consumes one complete packet from the front of the buffer, returns `nil` (consuming nothing)
/// while more bytes are needed, and throws an ``MQTTError`` as soon as the bytes seen so far cannot be a valid
/// packet: ``MQTTError/Code/malformedPacket`` (remaining length longer than 4 bytes, wrong reserved flags, QoS 3,
/// truncated or trailing fields, ...), ``MQTTError/Code/packetTooLarge`` (the announced size exceeds
/// ``maximumPacketSize``) or ``MQTTError/Code/invalidUTF8String``. After an error the connection must be closed.
public struct MQTTPacketDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    /// Decoded values are MQTT packets.
    public typealias InboundOut = MQTTPacket

    /// The largest accepted packet, fixed header included, in bytes.
    public var maximumPacketSize: Int

    /// Creates a decoder that rejects packets larger than `maximumPacketSize` bytes (fixed header included).
    public init(maximumPacketSize: Int = MQTTPacket.maximumRemainingLength + 5) {
        self.maximumPacketSize = maximumPacketSize
    }

    /// Decodes and consumes one packet, or returns `nil` without consuming anything if it is not complete yet.
    public mutating func decode(buffer: inout ByteBuffer) throws(MQTTError) -> MQTTPacket? {
        var peek = buffer
        guard let firstByte = peek.readInteger(as: UInt8.self) else { return nil }
        let type = try Self.validateFixedHeader(firstByte)

        var remainingLength = 0
        var multiplier = 1
        var lengthBytes = 0
        while true {
            guard let byte = peek.readInteger(as: UInt8.self) else { return nil }
            lengthBytes += 1
            remainingLength += Int(byte & 0x7F) * multiplier
            if byte & 0x80 == 0 { break }
            guard lengthBytes < 4 else {
                throw .malformed("remaining length uses more than 4 bytes")
            }
            multiplier *= 128
        }
        let packetSize = 1 + lengthBytes + remainingLength
        guard packetSize <= self.maximumPacketSize else {
            throw MQTTError(
                .packetTooLarge,
                "\(type) packet of \(packetSize) bytes exceeds the maximum of \(self.maximumPacketSize) bytes"
            )
        }
        guard var body = peek.readSlice(length: remainingLength) else { return nil }
        let packet = try Self.decodeBody(type: type, flags: firstByte & 0x0F, body: &body)
        buffer = peek
        return packet
    }

    /// Same as ``decode(buffer:)``; bytes of an incomplete packet left at EOF are ignored.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws(MQTTError) -> MQTTPacket? {
        try self.decode(buffer: &buffer)
    }

    private static func validateFixedHeader(_ firstByte: UInt8) throws(MQTTError) -> MQTTPacket.PacketType {
        guard let type = MQTTPacket.PacketType(rawValue: firstByte >> 4) else {
            throw .malformed("reserved control packet type \(firstByte >> 4)")
        }
        let flags = firstByte & 0x0F
        if type == .publish {
            let qos = (flags >> 1) & 0b11
            guard qos != 3 else { throw .malformed("PUBLISH with QoS 3") }
            if qos == 0 && flags & 0b1000 != 0 { throw .malformed("QoS 0 PUBLISH with DUP set") }
        } else if flags != type.requiredFlags {
            throw .malformed("\(type) with reserved flags 0b\(String(flags, radix: 2)), expected \(type.requiredFlags)")
        }
        return type
    }

    private static func decodeBody(
        type: MQTTPacket.PacketType,
        flags: UInt8,
        body: inout ByteBuffer
    ) throws(MQTTError) -> MQTTPacket {
        let packet: MQTTPacket
        switch type {
        case .connect:
            packet = .connect(try decodeConnect(&body))
        case .connack:
            let acknowledgeFlags = try body.readMQTTByte()
            guard acknowledgeFlags & 0xFE == 0 else { throw .malformed("CONNACK with reserved flags set") }
            let rawCode = try body.readMQTTByte()
            guard let returnCode = MQTTConnectReturnCode(rawValue: rawCode) else {
                throw .malformed("CONNACK with reserved return code \(rawCode)")
            }
            packet = .connack(.init(sessionPresent: acknowledgeFlags == 1, returnCode: returnCode))
        case .publish:
            return .publish(try decodePublish(flags: flags, body: &body))
        case .puback: packet = .puback(packetIdentifier: try body.readPacketIdentifier())
        case .pubrec: packet = .pubrec(packetIdentifier: try body.readPacketIdentifier())
        case .pubrel: packet = .pubrel(packetIdentifier: try body.readPacketIdentifier())
        case .pubcomp: packet = .pubcomp(packetIdentifier: try body.readPacketIdentifier())
        case .unsuback: packet = .unsuback(packetIdentifier: try body.readPacketIdentifier())
        case .subscribe:
            let id = try body.readPacketIdentifier()
            var subscriptions: [MQTTSubscription] = []
            while body.readableBytes > 0 {
                let filter = try body.readMQTTString()
                try checkTopicFilter(filter)
                let options = try body.readMQTTByte()
                guard options & 0xFC == 0, let qos = MQTTQoS(rawValue: options) else {
                    throw .malformed("SUBSCRIBE with invalid requested QoS byte \(options)")
                }
                subscriptions.append(MQTTSubscription(topicFilter: filter, qos: qos))
            }
            guard !subscriptions.isEmpty else { throw .malformed("SUBSCRIBE without topic filters") }
            packet = .subscribe(.init(packetIdentifier: id, subscriptions: subscriptions))
        case .suback:
            let id = try body.readPacketIdentifier()
            var codes: [MQTTSubscribeReturnCode] = []
            while let raw = body.readInteger(as: UInt8.self) {
                guard let code = MQTTSubscribeReturnCode(rawValue: raw) else {
                    throw .malformed("SUBACK with reserved return code \(raw)")
                }
                codes.append(code)
            }
            guard !codes.isEmpty else { throw .malformed("SUBACK without return codes") }
            packet = .suback(.init(packetIdentifier: id, returnCodes: codes))
        case .unsubscribe:
            let id = try body.readPacketIdentifier()
            var filters: [String] = []
            while body.readableBytes > 0 {
                let filter = try body.readMQTTString()
                try checkTopicFilter(filter)
                filters.append(filter)
            }
            guard !filters.isEmpty else { throw .malformed("UNSUBSCRIBE without topic filters") }
            packet = .unsubscribe(.init(packetIdentifier: id, topicFilters: filters))
        case .pingreq: packet = .pingreq
        case .pingresp: packet = .pingresp
        case .disconnect: packet = .disconnect
        }
        guard body.readableBytes == 0 else {
            throw .malformed("\(type) has \(body.readableBytes) unexpected trailing bytes")
        }
        return packet
    }

    private static func checkTopicFilter(_ filter: String) throws(MQTTError) {
        if let problem = MQTTTopic.topicFilterProblem(filter) {
            throw .malformed("invalid topic filter: \(problem)")
        }
    }

    private static func decodePublish(flags: UInt8, body: inout ByteBuffer) throws(MQTTError) -> MQTTPacket.Publish {
        // QoS 3 was rejected while validating the fixed header.
        let qos = MQTTQoS(rawValue: (flags >> 1) & 0b11) ?? .atMostOnce
        let topic = try body.readMQTTString()
        if let problem = MQTTTopic.topicNameProblem(topic) {
            throw .malformed("invalid PUBLISH topic name: \(problem)")
        }
        let id: UInt16? = qos == .atMostOnce ? nil : try body.readPacketIdentifier()
        let message = MQTTMessage(topic: topic, payload: body, qos: qos, retain: flags & 0b0001 != 0)
        return MQTTPacket.Publish(message: message, packetIdentifier: id, dup: flags & 0b1000 != 0)
    }

    private static func decodeConnect(_ body: inout ByteBuffer) throws(MQTTError) -> MQTTPacket.Connect {
        let protocolName = try body.readMQTTString()
        let level = try body.readMQTTByte()
        guard protocolName == "MQTT", level == 4 else {
            throw .malformed("unsupported protocol '\(protocolName)' level \(level), expected 'MQTT' level 4")
        }
        let flags = try body.readMQTTByte()
        guard flags & 0b0000_0001 == 0 else { throw .malformed("CONNECT with reserved flag set") }
        let keepAlive = try body.readMQTTUInt16()
        let clientIdentifier = try body.readMQTTString()

        let hasWill = flags & 0b0000_0100 != 0
        let willQoSBits = (flags >> 3) & 0b11
        let willRetain = flags & 0b0010_0000 != 0
        var will: MQTTMessage?
        if hasWill {
            guard let willQoS = MQTTQoS(rawValue: willQoSBits) else { throw .malformed("CONNECT with will QoS 3") }
            let topic = try body.readMQTTString()
            if let problem = MQTTTopic.topicNameProblem(topic) { throw .malformed("invalid will topic: \(problem)") }
            let payload = try body.readMQTTBinary()
            will = MQTTMessage(topic: topic, payload: payload, qos: willQoS, retain: willRetain)
        } else if willQoSBits != 0 || willRetain {
            throw .malformed("CONNECT with will QoS or will retain but no will flag")
        }
        let hasUsername = flags & 0b1000_0000 != 0
        let hasPassword = flags & 0b0100_0000 != 0
        guard hasUsername || !hasPassword else { throw .malformed("CONNECT with password but no user name") }
        let username = hasUsername ? try body.readMQTTString() : nil
        let password = hasPassword ? Array(try body.readMQTTBinary().readableBytesView) : nil
        return MQTTPacket.Connect(
            clientIdentifier: clientIdentifier,
            cleanSession: flags & 0b0000_0010 != 0,
            keepAliveSeconds: keepAlive,
            username: username,
            password: password,
            will: will
        )
    }
}

extension ByteBuffer {
    fileprivate mutating func readMQTTByte() throws(MQTTError) -> UInt8 {
        guard let byte = self.readInteger(as: UInt8.self) else { throw .malformed("packet truncated") }
        return byte
    }

    fileprivate mutating func readMQTTUInt16() throws(MQTTError) -> UInt16 {
        guard let value = self.readInteger(as: UInt16.self) else { throw .malformed("packet truncated") }
        return value
    }

    fileprivate mutating func readPacketIdentifier() throws(MQTTError) -> UInt16 {
        let id = try self.readMQTTUInt16()
        guard id != 0 else { throw .malformed("packet identifier 0") }
        return id
    }

    fileprivate mutating func readMQTTBinary() throws(MQTTError) -> ByteBuffer {
        let length = try self.readMQTTUInt16()
        guard let slice = self.readSlice(length: Int(length)) else { throw .malformed("packet truncated") }
        return slice
    }

    fileprivate mutating func readMQTTString() throws(MQTTError) -> String {
        let bytes = try self.readMQTTBinary()
        guard let string = String(validating: bytes.readableBytesView, as: UTF8.self) else {
            throw MQTTError(.invalidUTF8String, "string is not well-formed UTF-8")
        }
        guard !bytes.readableBytesView.contains(0) else {
            throw MQTTError(.invalidUTF8String, "string contains U+0000")
        }
        return string
    }
}
