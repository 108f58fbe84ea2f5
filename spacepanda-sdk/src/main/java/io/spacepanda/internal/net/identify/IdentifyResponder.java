package io.spacepanda.internal.net.identify;

import com.google.protobuf.CodedOutputStream;
import io.netty.buffer.ByteBuf;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.util.Objects;

/**
 * Answers an identify stream: writes one varint-length-prefixed {@link IdentifyMessage} and
 * half-closes (libp2p/specs identify: "send then close"); anything the peer sends is discarded.
 *
 * <p>Threading: runs on the stream's event loop like every {@link StreamHandler}.
 */
public final class IdentifyResponder implements StreamHandler {

  private IdentifyResponder() {}

  /**
   * Sends {@code message} on {@code stream} and half-closes it, returning the handler to install.
   *
   * @param stream a stream negotiated to {@link IdentifyConstants#PROTOCOL_ID}
   * @param message what this side announces, with the observed address of this connection
   * @return the handler that drains the rest of the stream
   */
  public static StreamHandler respond(MuxedStream stream, IdentifyMessage message) {
    Objects.requireNonNull(message, "message");
    byte[] body = message.encode();
    ByteBuf frame = stream.alloc().buffer(body.length + 5);
    writeVarint(frame, body.length);
    frame.writeBytes(body);
    stream.write(frame);
    stream.closeWrite();
    return new IdentifyResponder();
  }

  static void writeVarint(ByteBuf out, int value) {
    int size = CodedOutputStream.computeUInt32SizeNoTag(value);
    int v = value;
    for (int i = 0; i < size - 1; i++) {
      out.writeByte((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out.writeByte(v);
  }

  @Override
  public void onData(MuxedStream stream, ByteBuf data) {
    int n = data.readableBytes();
    data.release();
    stream.consumed(n);
  }

  @Override
  public void onRemoteClose(MuxedStream stream) {
    // Both sides are done once the peer closes too; the muxer then finishes the stream.
  }

  @Override
  public void onReset(MuxedStream stream, StreamException cause) {
    // Nothing to clean up: the message was already handed to the stream.
  }
}
