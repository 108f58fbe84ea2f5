package io.spacepanda.internal.net.noise;

import io.spacepanda.SpacePandaException;

/**
 * Thrown when the Noise handshake or transport fails: a malformed or oversized frame, a frame
 * that does not authenticate, an invalid handshake payload or identity signature, or a remote
 * identity other than the one dialed.
 *
 * <p>Every authentication failure carries the same message ("decryption failed"), so nothing
 * distinguishes the cause to a peer; {@link #kind()} is for local handling and logs only.
 */
public final class NoiseException extends SpacePandaException {

  /** The failure class. */
  public enum Kind {
    /** A frame is empty, too long or truncated, or the peer sent a message out of turn. */
    MALFORMED,
    /** A ciphertext did not authenticate. */
    DECRYPTION_FAILED,
    /** The handshake payload is malformed or its identity signature is invalid. */
    BAD_PAYLOAD,
    /** The remote identity is valid but not the peer that was dialed. */
    PEER_ID_MISMATCH,
    /** Both sides listed muxers but share none. */
    NO_COMMON_MUXER
  }

  private final Kind kind;

  /**
   * Creates an exception.
   *
   * @param kind the failure class
   * @param message a fixed description
   */
  public NoiseException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /**
   * Creates an exception with a cause.
   *
   * @param kind the failure class
   * @param message a fixed description
   * @param cause the underlying failure
   */
  public NoiseException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /**
   * Returns the failure class.
   *
   * @return the kind
   */
  public Kind kind() {
    return kind;
  }
}
