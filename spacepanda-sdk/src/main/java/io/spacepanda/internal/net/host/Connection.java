package io.spacepanda.internal.net.host;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.keys.Libp2pPublicKey;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.stream.MuxedStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One upgraded libp2p connection: TCP, secured with Noise, multiplexed by a stream muxer.
 *
 * <p>Threading: every method may be called from any thread; futures complete on the connection's
 * event loop.
 */
public interface Connection {

  /**
   * Returns the authenticated remote peer id.
   *
   * @return the peer id proven in the Noise handshake
   */
  PeerId remotePeerId();

  /**
   * Returns the remote identity key.
   *
   * @return the key whose signature the handshake checked
   */
  Libp2pPublicKey remoteKey();

  /**
   * Returns the remote TCP address (identify's observed address of the peer), or the circuit
   * address of a relayed connection.
   *
   * @return {@code /ip4|ip6/…/tcp/…}, or {@code …/p2p/<relay>/p2p-circuit/p2p/<peer>} when relayed
   */
  Multiaddr remoteAddress();

  /**
   * Returns the local TCP address of this connection.
   *
   * @return {@code /ip4|ip6/…/tcp/…}
   */
  Multiaddr localAddress();

  /**
   * Returns whether this connection runs over a relay's stream (circuit relay v2) rather than its
   * own TCP socket; a relayed connection has the relay's limits on duration and data.
   *
   * @return {@code true} when {@link #remoteAddress()} is a {@code /p2p-circuit} address
   */
  default boolean isRelayed() {
    return remoteAddress().isCircuit();
  }

  /**
   * Returns whether this host dialed the connection.
   *
   * @return {@code true} for outbound connections
   */
  boolean isInitiator();

  /**
   * Returns the stream muxer protocol in use.
   *
   * @return for example {@code /yamux/1.0.0}
   */
  String muxerProtocol();

  /**
   * Returns whether the muxer was chosen inside the Noise handshake (early muxer negotiation).
   *
   * @return {@code true} when no multistream round was needed for the muxer
   */
  boolean isEarlyMuxerNegotiated();

  /**
   * Opens a stream and negotiates the first of {@code protocols} the peer accepts, then hands it
   * to {@code handler}.
   *
   * @param protocols protocol ids in order of preference
   * @param handler takes over the stream after negotiation
   * @return completes with the negotiated stream, or fails with a {@code MultistreamException}
   *     (no common protocol) or a stream or connection failure
   */
  CompletableFuture<MuxedStream> openStream(List<String> protocols, ProtocolHandler handler);

  /**
   * Returns the number of open streams.
   *
   * @return the muxer's stream count
   */
  int streamCount();

  /**
   * Returns whether the connection is open.
   *
   * @return {@code false} once closed
   */
  boolean isOpen();

  /** Closes the connection and all its streams; a no-op when already closed. */
  void close();

  /**
   * Returns a future completing when the connection has closed.
   *
   * @return completes normally on close, whatever the reason
   */
  CompletableFuture<Void> closeFuture();
}
