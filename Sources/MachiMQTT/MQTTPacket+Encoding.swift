public import NIOCore

extension MQTTPacket {
    /// Appends the wire representation of the packet to `buffer`.
    ///
    /// Throws ``MQTTError/Code/invalidArgument`` for values MQTT cannot carry (a string over 65535 bytes, a missing
    /// or zero packet identifier, wildcards in a PUBLISH topic, an empty SUBSCRIBE, ...) and
    /// ``MQTTError/Code/packetTooLarge`` past the 268,435,455-byte remaining-length limit. On error `buffer` is
    /// left unchanged.
    public func encode(into buffer: inout ByteBuffer) throws(MQTTError) {
        let type = self.packetType
        switch self {
        case .publish(let publish):
            try Self.encodePublish(publish, into: &buffer)
        case .puback(let id), .pubrec(let id), .pubrel(let id), .pubcomp(let id), .unsuback(let id):
            try Self.checkPacketIdentifier(id)
            buffer.writeInteger(type.rawValue << 4 | type.requiredFlags)
            Self.writeRemainingLength(2, into: &buffer)
            buffer.writeInteger(id)
        case .pingreq, .pingresp, .disconnect:
            buffer.writeInteger(type.rawValue << 4 | type.requiredFlags)
            Self.writeRemainingLength(0, into: &buffer)
        case .connect, .connack, .subscribe, .suback, .unsubscribe:
            var body = ByteBuffer()
            try self.encodeBody(into: &body)
            try Self.checkRemainingLength(body.readableBytes)
            buffer.writeInteger(type.rawValue << 4 | type.requiredFlags)
            Self.writeRemainingLength(body.readableBytes, into: &buffer)
            buffer.writeBuffer(&body)
        }
    }

    /// Returns the wire representation of the packet in a new buffer; see ``encode(into:)``.
    public func encoded() throws(MQTTError) -> ByteBuffer {
        var buffer = ByteBuffer()
        try self.encode(into: &buffer)
        return buffer
    }

    /// Writes `length` as a variable byte integer (§2.2.3); `length` must be in 0...268,435,455.
    static func writeRemainingLength(_ length: Int, into buffer: inout ByteBuffer) {
        precondition(length >= 0 && length <= maximumRemainingLength, "remaining length out of range")
        var value = length
        repeat {
            var byte = UInt8(value % 128)
            value /= 128
            if value > 0 { byte |= 0x80 }
            buffer.writeInteger(byte)
        } while value > 0
    }

    private static func checkRemainingLength(_ length: Int) throws(MQTTError) {
        guard length <= maximumRemainingLength else {
            throw MQTTError(.packetTooLarge, "remaining length \(length) exceeds \(maximumRemainingLength)")
        }
    }

    private static func checkPacketIdentifier(_ id: UInt16?) throws(MQTTError) {
        guard let id, id != 0 else { throw .invalidArgument("packet identifier must be non-zero") }
    }

    private static func encodePublish(_ publish: Publish, into buffer: inout ByteBuffer) throws(MQTTError) {
        let message = publish.message
        if let problem = MQTTTopic.topicNameProblem(message.topic) {
            throw .invalidArgument("invalid topic name '\(message.topic)': \(problem)")
        }
        if message.qos == .atMostOnce {
            guard publish.packetIdentifier == nil else {
                throw .invalidArgument("a QoS 0 PUBLISH must not carry a packet identifier")
            }
            guard !publish.dup else { throw .invalidArgument("a QoS 0 PUBLISH must not set DUP") }
        } else {
            try checkPacketIdentifier(publish.packetIdentifier)
        }
        let length =
            2 + message.topic.utf8.count + (publish.packetIdentifier == nil ? 0 : 2) + message.payload.readableBytes
        try checkRemainingLength(length)
        var flags = message.qos.rawValue << 1
        if publish.dup { flags |= 0b1000 }
        if message.retain { flags |= 0b0001 }
        buffer.writeInteger(PacketType.publish.rawValue << 4 | flags)
        writeRemainingLength(length, into: &buffer)
        buffer.writeInteger(UInt16(message.topic.utf8.count))
        buffer.writeString(message.topic)
        if let id = publish.packetIdentifier { buffer.writeInteger(id) }
        buffer.writeImmutableBuffer(message.payload)
    }

    private func encodeBody(into body: inout ByteBuffer) throws(MQTTError) {
        switch self {
        case .connect(let connect):
            try Self.encodeConnectBody(connect, into: &body)
        case .connack(let connack):
            body.writeInteger(UInt8(connack.sessionPresent ? 1 : 0))
            body.writeInteger(connack.returnCode.rawValue)
        case .subscribe(let subscribe):
            try Self.checkPacketIdentifier(subscribe.packetIdentifier)
            guard !subscribe.subscriptions.isEmpty else {
                throw .invalidArgument("SUBSCRIBE needs at least one topic filter")
            }
            body.writeInteger(subscribe.packetIdentifier)
            for subscription in subscribe.subscriptions {
                try Self.checkTopicFilter(subscription.topicFilter)
                try body.writeMQTTString(subscription.topicFilter)
                body.writeInteger(subscription.qos.rawValue)
            }
        case .suback(let suback):
            try Self.checkPacketIdentifier(suback.packetIdentifier)
            guard !suback.returnCodes.isEmpty else { throw .invalidArgument("SUBACK needs at least one return code") }
            body.writeInteger(suback.packetIdentifier)
            for code in suback.returnCodes { body.writeInteger(code.rawValue) }
        case .unsubscribe(let unsubscribe):
            try Self.checkPacketIdentifier(unsubscribe.packetIdentifier)
            guard !unsubscribe.topicFilters.isEmpty else {
                throw .invalidArgument("UNSUBSCRIBE needs at least one topic filter")
            }
            body.writeInteger(unsubscribe.packetIdentifier)
            for filter in unsubscribe.topicFilters {
                try Self.checkTopicFilter(filter)
                try body.writeMQTTString(filter)
            }
        case .publish, .puback, .pubrec, .pubrel, .pubcomp, .unsuback, .pingreq, .pingresp, .disconnect:
            preconditionFailure("\(self.packetType) has no separately encoded body")
        }
    }

    private static func checkTopicFilter(_ filter: String) throws(MQTTError) {
        if let problem = MQTTTopic.topicFilterProblem(filter) {
            throw .invalidArgument("invalid topic filter '\(filter)': \(problem)")
        }
    }

    private static func encodeConnectBody(_ connect: Connect, into body: inout ByteBuffer) throws(MQTTError) {
        if connect.password != nil && connect.username == nil {
            throw .invalidArgument("MQTT 3.1.1 allows a password only together with a user name")
        }
        var flags: UInt8 = 0
        if connect.cleanSession { flags |= 0b0000_0010 }
        if let will = connect.will {
            flags |= 0b0000_0100
            flags |= will.qos.rawValue << 3
            if will.retain { flags |= 0b0010_0000 }
        }
        if connect.password != nil { flags |= 0b0100_0000 }
        if connect.username != nil { flags |= 0b1000_0000 }

        try body.writeMQTTString("MQTT")
        body.writeInteger(UInt8(4))
        body.writeInteger(flags)
        body.writeInteger(connect.keepAliveSeconds)
        try body.writeMQTTString(connect.clientIdentifier)
        if let will = connect.will {
            if let problem = MQTTTopic.topicNameProblem(will.topic) {
                throw .invalidArgument("invalid will topic '\(will.topic)': \(problem)")
            }
            try body.writeMQTTString(will.topic)
            try body.writeMQTTBinary(will.payload.readableBytesView)
        }
        if let username = connect.username { try body.writeMQTTString(username) }
        if let password = connect.password { try body.writeMQTTBinary(password) }
    }
}

extension ByteBuffer {
    /// Writes a length-prefixed UTF-8 string (§1.5.3).
    mutating func writeMQTTString(_ string: String) throws(MQTTError) {
        let count = string.utf8.count
        guard count <= Int(UInt16.max) else { throw .invalidArgument("string longer than 65535 bytes") }
        guard !string.utf8.contains(0) else { throw .invalidArgument("string must not contain U+0000") }
        self.writeInteger(UInt16(count))
        self.writeString(string)
    }

    /// Writes length-prefixed binary data (§3.1.3.3, §3.1.3.5).
    mutating func writeMQTTBinary(_ bytes: some Collection<UInt8>) throws(MQTTError) {
        guard bytes.count <= Int(UInt16.max) else { throw .invalidArgument("binary field longer than 65535 bytes") }
        self.writeInteger(UInt16(bytes.count))
        self.writeBytes(bytes)
    }
}
