import NIOCore

/// Decodes the inbound byte stream into ``MQTTPacket``s and reports packets and connection events to the
/// ``MQTTClientCore`` that created it. Writes go straight from the core to the channel.
final class MQTTChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let core: NIOLoopBound<MQTTClientCore>
    private let connectionID: Int
    private let processor: NIOSingleStepByteToMessageProcessor<MQTTPacketDecoder>
    private var decodingFailed = false

    init(core: NIOLoopBound<MQTTClientCore>, connectionID: Int, maximumPacketSize: Int) {
        self.core = core
        self.connectionID = connectionID
        self.processor = NIOSingleStepByteToMessageProcessor(MQTTPacketDecoder(maximumPacketSize: maximumPacketSize))
    }

    func channelActive(context: ChannelHandlerContext) {
        self.core.value.channelActive(context.channel, connectionID: self.connectionID)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.core.value.channelInactive(connectionID: self.connectionID)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.decodingFailed else { return }
        let buffer = Self.unwrapInboundIn(data)
        do {
            try self.processor.process(buffer: buffer) { packet in
                self.core.value.packetReceived(packet, connectionID: self.connectionID)
            }
        } catch {
            self.decodingFailed = true
            self.core.value.errorCaught(error, connectionID: self.connectionID)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.core.value.errorCaught(error, connectionID: self.connectionID)
    }
}
