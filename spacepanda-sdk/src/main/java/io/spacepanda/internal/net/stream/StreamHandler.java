package io.spacepanda.internal.net.stream;

import io.netty.buffer.ByteBuf;

/**
 * Receives what arrives on one {@link MuxedStream}: data, the remote half-close and a reset.
 *
 * <p>Every method runs on the connection's event loop, in wire order, and must not block. After
 * {@link #onReset} no further method is called. A handler that throws is logged and the stream is
 * reset.
 */
public interface StreamHandler {

  /**
   * Delivers bytes the remote peer wrote; the handler owns {@code data} and must release it.
   *
   * <p>Delivery does not reopen the receive window: call {@link MuxedStream#consumed(int)} with
   * the number of bytes once they are processed, or the peer stops sending when the window is
   * exhausted.
   *
   * @param stream the stream the bytes arrived on
   * @param data the bytes, owned by the handler
   */
  void onData(MuxedStream stream, ByteBuf data);

  /**
   * Reports that the remote peer half-closed its side; no more data will arrive, writes still go.
   *
   * @param stream the stream the peer half-closed
   */
  void onRemoteClose(MuxedStream stream);

  /**
   * Reports that the stream ended abnormally: reset by the peer or locally, or its connection
   * closed before both sides closed.
   *
   * @param stream the stream that was reset
   * @param cause why, typically a {@link StreamResetException} or {@link StreamClosedException}
   */
  void onReset(MuxedStream stream, StreamException cause);
}
