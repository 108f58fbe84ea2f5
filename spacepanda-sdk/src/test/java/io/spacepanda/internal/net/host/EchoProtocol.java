package io.spacepanda.internal.net.host;

import io.netty.buffer.ByteBuf;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;

/** Test protocol: writes back every byte it reads and half-closes when the peer half-closes. */
public final class EchoProtocol implements ProtocolHandler {

  /** The protocol id, the same as the js interop peer's echo protocol. */
  public static final String ID = "/spacepanda/echo/1.0.0";

  @Override
  public StreamHandler onStream(Connection connection, MuxedStream stream, String protocol) {
    return new StreamHandler() {
      @Override
      public void onData(MuxedStream s, ByteBuf data) {
        int n = data.readableBytes();
        s.write(data).whenComplete((v, e) -> s.consumed(n));
      }

      @Override
      public void onRemoteClose(MuxedStream s) {
        s.closeWrite();
      }

      @Override
      public void onReset(MuxedStream s, StreamException cause) {}
    };
  }
}
