package io.spacepanda.internal.net.host;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on connections in their upgrade handshakes (see {@link HandshakeAdmission}).
 *
 * @param maxPending largest number of handshakes pending at once, inbound and outbound
 * @param maxPendingPerAddress largest number of inbound handshakes pending from one IP address
 *     (all of loopback's 127.0.0.1 counts as one address)
 * @param maxPendingPerPrefix largest number of inbound handshakes pending from one /24 (IPv4) or
 *     /64 (IPv6) prefix
 * @param reserved slots beyond {@code maxPending} for the node's own dials and for inbound
 *     connections from addresses the node knows a peer at
 * @param minHandshakeTimeout the shortest deadline a new handshake gets when the pending count is
 *     near {@code maxPending}; the host's handshake timeout is the longest
 */
public record AdmissionLimits(
    int maxPending, int maxPendingPerAddress, int maxPendingPerPrefix, int reserved, Duration minHandshakeTimeout) {

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming a value that is not positive (or negative, for
   *     {@code reserved}), or a per-address limit above the per-prefix one
   */
  public AdmissionLimits {
    positive(maxPending, "maxPending");
    positive(maxPendingPerAddress, "maxPendingPerAddress");
    positive(maxPendingPerPrefix, "maxPendingPerPrefix");
    if (reserved < 0) {
      throw new IllegalArgumentException("reserved must not be negative: " + reserved);
    }
    Objects.requireNonNull(minHandshakeTimeout, "minHandshakeTimeout");
    if (minHandshakeTimeout.isZero() || minHandshakeTimeout.isNegative()) {
      throw new IllegalArgumentException("minHandshakeTimeout must be positive: " + minHandshakeTimeout);
    }
    if (maxPendingPerAddress > maxPendingPerPrefix) {
      throw new IllegalArgumentException("maxPendingPerAddress " + maxPendingPerAddress
          + " exceeds maxPendingPerPrefix " + maxPendingPerPrefix);
    }
  }

  /**
   * Returns the defaults of {@link HostConstants}.
   *
   * @return 128 pending, 16 per address, 32 per prefix, 16 reserved, 1 s shortest deadline
   */
  public static AdmissionLimits defaults() {
    return new AdmissionLimits(
        HostConstants.DEFAULT_MAX_PENDING_HANDSHAKES,
        HostConstants.DEFAULT_MAX_PENDING_PER_ADDRESS,
        HostConstants.DEFAULT_MAX_PENDING_PER_PREFIX,
        HostConstants.DEFAULT_RESERVED_HANDSHAKES,
        HostConstants.DEFAULT_MIN_HANDSHAKE_TIMEOUT);
  }

  /**
   * Returns a copy with another global limit.
   *
   * @param value pending handshakes, positive
   * @return the copy
   */
  public AdmissionLimits withMaxPending(int value) {
    return new AdmissionLimits(value, maxPendingPerAddress, maxPendingPerPrefix, reserved, minHandshakeTimeout);
  }

  /**
   * Returns a copy with other per-address and per-prefix limits.
   *
   * @param perAddress pending handshakes per IP address, positive
   * @param perPrefix pending handshakes per /24 or /64, at least {@code perAddress}
   * @return the copy
   */
  public AdmissionLimits withPerSourceLimits(int perAddress, int perPrefix) {
    return new AdmissionLimits(maxPending, perAddress, perPrefix, reserved, minHandshakeTimeout);
  }

  /**
   * Returns a copy with another reserved quota.
   *
   * @param value reserved slots, not negative
   * @return the copy
   */
  public AdmissionLimits withReserved(int value) {
    return new AdmissionLimits(maxPending, maxPendingPerAddress, maxPendingPerPrefix, value, minHandshakeTimeout);
  }

  private static void positive(int v, String name) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be positive: " + v);
    }
  }
}
