package io.spacepanda.internal.net.stream;

/**
 * Accepts streams the remote peer opens on a {@link StreamMuxer}.
 *
 * <p>Called on the connection's event loop when the peer's first frame for a new stream arrives;
 * the listener sets the stream's handler (see {@link MuxedStream#setHandler}) or resets it. Data
 * that arrives before a handler is set is buffered, bounded by the receive window.
 */
@FunctionalInterface
public interface InboundStreamListener {

  /**
   * Takes a new stream opened by the remote peer.
   *
   * @param stream the accepted stream, already acknowledged to the peer
   */
  void onInboundStream(MuxedStream stream);
}
