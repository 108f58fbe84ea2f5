package io.spacepanda.internal.net.noise;

import io.spacepanda.internal.net.keys.Libp2pPublicKey;
import java.util.List;

/**
 * What a completed Noise handshake established: the authenticated remote identity and the stream
 * muxer outcome of the early muxer negotiation. Immutable.
 */
public final class SecureSession {

  private final boolean initiator;
  private final Libp2pPublicKey remoteKey;
  private final List<String> remoteMuxers;
  private final String earlyMuxer;

  SecureSession(boolean initiator, Libp2pPublicKey remoteKey, List<String> remoteMuxers, String earlyMuxer) {
    this.initiator = initiator;
    this.remoteKey = remoteKey;
    this.remoteMuxers = List.copyOf(remoteMuxers);
    this.earlyMuxer = earlyMuxer;
  }

  /**
   * Returns whether this side dialed.
   *
   * @return {@code true} for the Noise initiator
   */
  public boolean isInitiator() {
    return initiator;
  }

  /**
   * Returns the remote peer's identity key, whose signature over its Noise static key was checked.
   *
   * @return the remote identity key
   */
  public Libp2pPublicKey remoteKey() {
    return remoteKey;
  }

  /**
   * Returns the remote peer id multihash derived from {@link #remoteKey()}.
   *
   * @return a new array holding the multihash
   */
  public byte[] remotePeerId() {
    return remoteKey.peerIdMultihash();
  }

  /**
   * Returns the stream muxers the remote peer listed in its handshake payload.
   *
   * @return the list, possibly empty
   */
  public List<String> remoteMuxers() {
    return remoteMuxers;
  }

  /**
   * Returns the muxer agreed inside the handshake, or null when it must be negotiated with
   * multistream-select over the secured channel.
   *
   * @return the muxer protocol id or null
   */
  public String earlyMuxerOrNull() {
    return earlyMuxer;
  }

  /**
   * Chooses the early muxer: when both lists are non-empty, the initiator's first listed muxer
   * that the responder also lists (libp2p/specs connections/inlined-muxer-negotiation.md).
   *
   * @param initiatorMuxers the initiator's list
   * @param responderMuxers the responder's list
   * @return the muxer, or null when either list is empty
   * @throws NoiseException if both lists are non-empty but share no muxer
   */
  public static String chooseEarlyMuxer(List<String> initiatorMuxers, List<String> responderMuxers)
      throws NoiseException {
    if (initiatorMuxers.isEmpty() || responderMuxers.isEmpty()) {
      return null;
    }
    for (String m : initiatorMuxers) {
      if (responderMuxers.contains(m)) {
        return m;
      }
    }
    throw new NoiseException(NoiseException.Kind.NO_COMMON_MUXER, "no common stream muxer");
  }

  @Override
  public String toString() {
    return "SecureSession{initiator=" + initiator + ", remote=" + remoteKey + ", earlyMuxer=" + earlyMuxer + "}";
  }
}
