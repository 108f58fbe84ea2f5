package io.spacepanda.internal.net.host;

import io.netty.buffer.ByteBuf;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * Test protocol handler for the opening side: collects every byte the peer sends and completes
 * {@link #done()} with them when the peer half-closes (or exceptionally on reset).
 */
public final class StreamCollector implements ProtocolHandler, StreamHandler {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> done = new CompletableFuture<>();

  @Override
  public StreamHandler onStream(Connection connection, MuxedStream stream, String protocol) {
    return this;
  }

  @Override
  public void onData(MuxedStream s, ByteBuf data) {
    int n = data.readableBytes();
    byte[] b = new byte[n];
    data.readBytes(b);
    data.release();
    bytes.writeBytes(b);
    s.consumed(n);
  }

  @Override
  public void onRemoteClose(MuxedStream s) {
    done.complete(bytes.toByteArray());
  }

  @Override
  public void onReset(MuxedStream s, StreamException cause) {
    done.completeExceptionally(cause);
  }

  /**
   * Returns the collected bytes once the peer half-closed.
   *
   * @return the future of all received bytes
   */
  public CompletableFuture<byte[]> done() {
    return done;
  }
}
