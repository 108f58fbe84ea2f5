package io.spacepanda.internal.net.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;

/**
 * One bidirectional, flow-controlled byte stream multiplexed over a secured connection.
 *
 * <p>A stream is half-closable: {@link #closeWrite()} ends this side's data while the peer may go on
 * writing, and the stream is finished once both sides closed or either reset it. Reads are pushed
 * to the {@link StreamHandler}; the receive window only reopens when the consumer reports bytes as
 * {@link #consumed(int) consumed}, which is how a slow reader pushes back on the sender.
 *
 * <p>Threading: every method may be called from any thread; callbacks and future completions run on
 * {@link #executor()}, the connection's event loop.
 */
public interface MuxedStream {

  /**
   * Returns the muxer's id of this stream (for Yamux, odd when the dialer opened it).
   *
   * @return the stream id, unique on its connection
   */
  long id();

  /**
   * Returns whether this side opened the stream.
   *
   * @return {@code true} when opened locally with {@link StreamMuxer#openStream()}
   */
  boolean isInitiator();

  /**
   * Sets the handler that receives this stream's data, half-close and reset, replacing any earlier
   * one; anything buffered before it was set is delivered to it at once, in order.
   *
   * @param handler the new handler
   */
  void setHandler(StreamHandler handler);

  /**
   * Queues bytes to send, taking ownership of {@code data} (it is released even on failure).
   *
   * <p>Bytes leave only as far as the peer's receive window allows; the rest waits in a queue
   * bounded per stream. A writer that waits for each returned future before writing more never
   * overflows it; a write that would overflow it fails with {@link StreamException}.
   *
   * @param data the bytes to send, owned by the stream from now on
   * @return completes when all bytes were handed to the connection, or fails with a {@link
   *     StreamClosedException} after {@link #closeWrite()} or close, a {@link
   *     StreamResetException} after a reset
   */
  CompletableFuture<Void> write(ByteBuf data);

  /**
   * Half-closes this side after all queued bytes were sent; the peer sees end of data and may go on
   * writing. Calling it again is a no-op.
   *
   * @return completes when the half-close was handed to the connection
   */
  CompletableFuture<Void> closeWrite();

  /**
   * Aborts the stream in both directions at once, dropping queued data, and tells the peer.
   *
   * <p>The handler is told through {@link StreamHandler#onReset}; a no-op on a finished stream.
   */
  void reset();

  /**
   * Reports that the consumer processed {@code bytes} delivered bytes, so the receive window may
   * reopen by that much (the muxer batches window updates).
   *
   * @param bytes how many delivered bytes were processed, not negative
   * @throws IllegalArgumentException when {@code bytes} is negative
   */
  void consumed(int bytes);

  /**
   * Returns the event loop that runs this stream's callbacks.
   *
   * @return the connection's event loop
   */
  EventExecutor executor();

  /**
   * Returns the allocator for buffers written to this stream.
   *
   * @return the connection's allocator
   */
  ByteBufAllocator alloc();

  /**
   * Returns a future that completes when the stream is finished: both sides closed, or reset.
   *
   * @return completes normally after a clean close of both sides, exceptionally after a reset
   */
  CompletableFuture<Void> closeFuture();
}
