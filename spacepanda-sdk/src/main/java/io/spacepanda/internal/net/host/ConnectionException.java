package io.spacepanda.internal.net.host;

import io.spacepanda.SpacePandaException;

/**
 * Thrown when a connection cannot be made or kept: a limit is reached, the handshake timed out,
 * the host or connection closed, or the dial failed at the TCP level.
 *
 * <p>Handshake failures caused by the peer arrive as their own types ({@code NoiseException},
 * {@code MultistreamException}) wrapped in the failed future, not as this type.
 */
public final class ConnectionException extends SpacePandaException {

  /** The failure class. */
  public enum Kind {
    /** A connection or pending-handshake limit was reached. */
    LIMIT_REACHED,
    /** The upgrade (multistream, Noise, muxer) did not finish in time. */
    HANDSHAKE_TIMEOUT,
    /** The host or the connection was closed. */
    CLOSED,
    /** The TCP dial failed or the address is unusable. */
    DIAL_FAILED
  }

  private final Kind kind;

  /**
   * Creates an exception.
   *
   * @param kind the failure class
   * @param message a fixed description
   */
  public ConnectionException(Kind kind, String message) {
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
  public ConnectionException(Kind kind, String message, Throwable cause) {
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
