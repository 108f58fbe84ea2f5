package io.spacepanda.internal.net.relay;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits of a {@link RelayService}; {@link #defaults()} holds go-libp2p's and js-libp2p's values for
 * relayed connections (2 minutes, 128 KiB per direction).
 *
 * @param reservationTtl how long a reservation lasts before the client must refresh it
 * @param connectionDuration longest relayed connection; {@link Duration#ZERO} for no limit
 * @param connectionData most bytes relayed per direction of one connection; 0 for no limit
 * @param maxReservations most reservations held at once
 * @param maxReservationsPerIp most reservations from one IP address
 * @param maxCircuits most relayed connections at once
 * @param maxCircuitsPerPeer most relayed connections at once from or to one peer
 * @param handshakeTimeout time the target has to answer the stop request
 * @param memberConnectionDuration longest relayed connection between two members of a space this
 *     relay belongs to (and what a member is told when it reserves); {@link Duration#ZERO} for no limit
 * @param memberConnectionData most bytes per direction of such a connection; 0 for no limit
 */
public record RelayConfig(
    Duration reservationTtl,
    Duration connectionDuration,
    long connectionData,
    int maxReservations,
    int maxReservationsPerIp,
    int maxCircuits,
    int maxCircuitsPerPeer,
    Duration handshakeTimeout,
    Duration memberConnectionDuration,
    long memberConnectionData) {

  /** Checks the values. */
  public RelayConfig {
    Objects.requireNonNull(reservationTtl, "reservationTtl");
    Objects.requireNonNull(connectionDuration, "connectionDuration");
    Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
    Objects.requireNonNull(memberConnectionDuration, "memberConnectionDuration");
    if (reservationTtl.toSeconds() < 1 || connectionDuration.isNegative() || connectionData < 0
        || maxReservations < 1 || maxReservationsPerIp < 1 || maxCircuits < 1 || maxCircuitsPerPeer < 1
        || handshakeTimeout.isZero() || handshakeTimeout.isNegative()
        || connectionDuration.toSeconds() > 0xFFFF_FFFFL
        || memberConnectionDuration.isNegative() || memberConnectionData < 0
        || memberConnectionDuration.toSeconds() > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("invalid relay limits: " + reservationTtl + ", " + connectionDuration
          + ", " + connectionData + ", " + maxReservations + ", " + maxReservationsPerIp + ", " + maxCircuits
          + ", " + maxCircuitsPerPeer + ", " + handshakeTimeout + ", " + memberConnectionDuration + ", "
          + memberConnectionData);
    }
  }

  /**
   * Returns the defaults of {@link RelayConstants}; members get the same limits as anyone.
   *
   * @return the defaults
   */
  public static RelayConfig defaults() {
    return new RelayConfig(RelayConstants.DEFAULT_RESERVATION_TTL, RelayConstants.DEFAULT_CONNECTION_DURATION,
        RelayConstants.DEFAULT_CONNECTION_DATA, RelayConstants.DEFAULT_MAX_RESERVATIONS,
        RelayConstants.DEFAULT_MAX_RESERVATIONS_PER_IP, RelayConstants.DEFAULT_MAX_CIRCUITS,
        RelayConstants.DEFAULT_MAX_CIRCUITS_PER_PEER, RelayConstants.DEFAULT_HANDSHAKE_TIMEOUT,
        RelayConstants.DEFAULT_CONNECTION_DURATION, RelayConstants.DEFAULT_CONNECTION_DATA);
  }

  /**
   * Returns a copy with other per-connection limits.
   *
   * @param duration longest relayed connection, zero for none
   * @param data most bytes per direction, 0 for none
   * @return the copy
   */
  public RelayConfig withConnectionLimits(Duration duration, long data) {
    return new RelayConfig(reservationTtl, duration, data, maxReservations, maxReservationsPerIp, maxCircuits,
        maxCircuitsPerPeer, handshakeTimeout, memberConnectionDuration, memberConnectionData);
  }

  /**
   * Returns a copy with other limits for connections between members of a space this relay belongs
   * to; a member that reserves is told these limits.
   *
   * @param duration longest relayed connection, zero for none
   * @param data most bytes per direction, 0 for none
   * @return the copy
   */
  public RelayConfig withMemberLimits(Duration duration, long data) {
    return new RelayConfig(reservationTtl, connectionDuration, connectionData, maxReservations,
        maxReservationsPerIp, maxCircuits, maxCircuitsPerPeer, handshakeTimeout, duration, data);
  }

  /**
   * Returns a copy with other reservation limits.
   *
   * @param ttl reservation lifetime
   * @param max most reservations
   * @param perIp most reservations per IP address
   * @return the copy
   */
  public RelayConfig withReservations(Duration ttl, int max, int perIp) {
    return new RelayConfig(ttl, connectionDuration, connectionData, max, perIp, maxCircuits, maxCircuitsPerPeer,
        handshakeTimeout, memberConnectionDuration, memberConnectionData);
  }

  /**
   * Returns the limit announced to clients, or null when there is none.
   *
   * @return the {@code Limit} message or null
   */
  CircuitMessages.Limit limitOrNull() {
    return limitOrNull(false);
  }

  /**
   * Returns the limit announced to a member or to anyone, or null when there is none.
   *
   * @param member whether the member limits apply
   * @return the {@code Limit} message or null
   */
  CircuitMessages.Limit limitOrNull(boolean member) {
    Duration d = member ? memberConnectionDuration : connectionDuration;
    long data = member ? memberConnectionData : connectionData;
    if (d.isZero() && data == 0) {
      return null;
    }
    return new CircuitMessages.Limit(d.toSeconds(), data);
  }
}
