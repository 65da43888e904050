import NIOCore

#if canImport(Glibc)
import Glibc
#endif

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

    func channelReadComplete(context: ChannelHandlerContext) {
        self.core.value.readComplete()
        Self.acknowledgePromptly(context.channel)
        context.fireChannelReadComplete()
    }

    /// Has the kernel acknowledge what was just read at once. A broker that leaves Nagle's algorithm on (Mosquitto's
    /// default, `set_tcp_nodelay false`) holds back its next messages while a small segment is unacknowledged, and
    /// a subscriber that sends nothing back acknowledges only when its delayed-ACK timer fires (~40 ms on Linux):
    /// messages would arrive in bursts, 40 ms late. Linux clears `TCP_QUICKACK` by itself, so it is set after every
    /// read; elsewhere this does nothing.
    static func acknowledgePromptly(_ channel: any Channel) {
        #if os(Linux)
        try? channel.syncOptions?.setOption(
            ChannelOptions.socketOption(NIOBSDSocket.Option(rawValue: CInt(TCP_QUICKACK))),
            value: 1
        )
        #endif
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.core.value.errorCaught(error, connectionID: self.connectionID)
    }
}
