package io.spacepanda.internal.net.ping;

import io.netty.buffer.ByteBuf;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;

/**
 * Answers ping: echoes every complete 32-byte payload, for as long as the peer sends, and
 * half-closes after the peer did (ping spec: the responder keeps answering until the initiator
 * closes; bytes sent before its half-close are still answered).
 *
 * <p>At most 31 bytes are held between payloads. The echo is read-paced: a payload is reported
 * consumed only once its echo has been written, so a peer that does not read its echoes stops
 * being able to send. Threading: runs on the stream's event loop.
 */
public final class PingResponder implements StreamHandler {

  private final byte[] partial = new byte[PingConstants.PAYLOAD_LENGTH];
  private int partialLength;

  /** Creates a responder for one stream. */
  public PingResponder() {}

  @Override
  public void onData(MuxedStream stream, ByteBuf data) {
    try {
      while (data.isReadable()) {
        int take = Math.min(data.readableBytes(), partial.length - partialLength);
        data.readBytes(partial, partialLength, take);
        partialLength += take;
        if (partialLength == partial.length) {
          partialLength = 0;
          ByteBuf echo = stream.alloc().buffer(partial.length).writeBytes(partial);
          stream.write(echo).whenComplete((v, e) -> {
            if (e == null) {
              stream.consumed(PingConstants.PAYLOAD_LENGTH);
            }
          });
        }
      }
    } finally {
      data.release();
    }
  }

  @Override
  public void onRemoteClose(MuxedStream stream) {
    stream.closeWrite();
  }

  @Override
  public void onReset(MuxedStream stream, StreamException cause) {
    partialLength = 0;
  }
}
