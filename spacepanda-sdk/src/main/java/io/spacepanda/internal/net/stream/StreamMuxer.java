package io.spacepanda.internal.net.stream;

import java.util.concurrent.CompletableFuture;

/**
 * Multiplexes many {@link MuxedStream}s over one secured connection.
 *
 * <p>Streams the remote peer opens are handed to the {@link InboundStreamListener} given to the
 * {@link StreamMuxerFactory}. Threading: methods may be called from any thread; callbacks run on
 * the connection's event loop.
 */
public interface StreamMuxer {

  /**
   * Opens a new outbound stream; the peer learns of it with the first frame sent on it.
   *
   * <p>The stream is usable when the future completes; set its handler before writing so no reply
   * is missed. A muxer may hold the open back until the peer acknowledged earlier streams (Yamux
   * bounds unacknowledged opens), so the future can complete later than the call returns.
   *
   * @return the new stream, or fails with {@link StreamClosedException} after go-away or close,
   *     or with {@link StreamException} when the stream limit is reached
   */
  CompletableFuture<MuxedStream> openStream();

  /**
   * Tells the peer that no new streams will be accepted or opened; existing streams carry on.
   *
   * @return completes when the go-away was handed to the connection
   */
  CompletableFuture<Void> goAway();

  /**
   * Goes away, resets every open stream and closes the connection; calling it again is a no-op.
   */
  void close();

  /**
   * Returns how many streams are open (not yet finished) on this connection.
   *
   * @return the number of live streams
   */
  int streamCount();

  /**
   * Returns whether the connection still accepts new streams in both directions.
   *
   * @return {@code false} after a go-away either way or after close
   */
  boolean isOpen();

  /**
   * Returns a future that completes when the connection under this muxer has closed.
   *
   * @return completes normally on a clean close, exceptionally with the {@link StreamException}
   *     that ended the connection otherwise
   */
  CompletableFuture<Void> closeFuture();
}
