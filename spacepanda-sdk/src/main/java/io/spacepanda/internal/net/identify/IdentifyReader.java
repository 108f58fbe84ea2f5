package io.spacepanda.internal.net.identify;

import io.netty.buffer.ByteBuf;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the peer's identify from a stream this side opened: half-closes at once (the requester
 * sends nothing), collects varint-length-prefixed messages until the peer half-closes, and merges
 * them into one {@link IdentifyMessage}.
 *
 * <p>Memory is bounded by {@link IdentifyConstants#MAX_MESSAGE_BYTES}; more data resets the
 * stream. Threading: runs on the stream's event loop; {@link #result()} may be read from any
 * thread.
 */
public final class IdentifyReader implements StreamHandler {

  private final CompletableFuture<IdentifyMessage> result = new CompletableFuture<>();
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  /** Creates a reader; install it with {@link #attach}. */
  public IdentifyReader() {}

  /**
   * Half-closes {@code stream} and returns this reader as its handler.
   *
   * @param stream a stream negotiated to {@link IdentifyConstants#PROTOCOL_ID}, opened by this side
   * @return this reader, to install as the stream's handler
   */
  public IdentifyReader attach(MuxedStream stream) {
    stream.closeWrite();
    return this;
  }

  /**
   * Returns the peer's identify once its side closed.
   *
   * @return completes with the merged message, or fails with {@link IdentifyException} for bad or
   *     oversized data and with the stream's failure when it was reset
   */
  public CompletableFuture<IdentifyMessage> result() {
    return result;
  }

  @Override
  public void onData(MuxedStream stream, ByteBuf data) {
    int n = data.readableBytes();
    try {
      if (result.isDone()) {
        return;
      }
      if (received.size() + n > IdentifyConstants.MAX_MESSAGE_BYTES + 8) {
        result.completeExceptionally(new IdentifyException("identify message too large"));
        stream.reset();
        return;
      }
      byte[] bytes = new byte[n];
      data.readBytes(bytes);
      received.writeBytes(bytes);
      stream.consumed(n);
    } finally {
      data.release();
    }
  }

  @Override
  public void onRemoteClose(MuxedStream stream) {
    try {
      result.complete(IdentifyMessage.decode(unframe(received.toByteArray())));
    } catch (IdentifyException e) {
      result.completeExceptionally(e);
    }
  }

  @Override
  public void onReset(MuxedStream stream, StreamException cause) {
    result.completeExceptionally(cause);
  }

  /** Strips the varint length prefixes of consecutive messages and joins their bodies. */
  static byte[] unframe(byte[] data) throws IdentifyException {
    ByteArrayOutputStream bodies = new ByteArrayOutputStream();
    int pos = 0;
    if (data.length == 0) {
      throw new IdentifyException("identify stream closed without a message");
    }
    while (pos < data.length) {
      long length = 0;
      int shift = 0;
      while (true) {
        if (pos >= data.length || shift > 28) {
          throw new IdentifyException("malformed identify length prefix");
        }
        int b = data[pos++] & 0xFF;
        length |= (long) (b & 0x7F) << shift;
        shift += 7;
        if ((b & 0x80) == 0) {
          break;
        }
      }
      if (length > data.length - pos) {
        throw new IdentifyException("identify message truncated");
      }
      bodies.write(data, pos, (int) length);
      pos += (int) length;
    }
    return bodies.toByteArray();
  }
}
