package io.spacepanda.internal.net.relay;

import java.time.Duration;

/** Protocol ids, wire limits and defaults of circuit relay v2 (libp2p/specs relay/circuit-v2.md). */
public final class RelayConstants {

  /** The hop protocol: reservations and connection initiation, spoken to the relay. */
  public static final String HOP_PROTOCOL_ID = "/libp2p/circuit/relay/0.2.0/hop";

  /** The stop protocol: the relay terminates a relayed connection at the reserving peer. */
  public static final String STOP_PROTOCOL_ID = "/libp2p/circuit/relay/0.2.0/stop";

  /** Largest hop or stop message body accepted (go-libp2p and js-libp2p use 4 KiB). */
  public static final int MAX_MESSAGE_BYTES = 4096;

  /** Largest number of addresses accepted in one {@code Peer} or {@code Reservation}. */
  public static final int MAX_ADDRS = 32;

  /** Default lifetime of a reservation (go-libp2p: one hour). */
  public static final Duration DEFAULT_RESERVATION_TTL = Duration.ofHours(1);

  /** Default longest relayed connection (go and js: 2 minutes). */
  public static final Duration DEFAULT_CONNECTION_DURATION = Duration.ofMinutes(2);

  /** Default most bytes relayed per direction of a connection (go and js: 128 KiB). */
  public static final long DEFAULT_CONNECTION_DATA = 128 * 1024;

  /** Default most reservations a relay holds at once. */
  public static final int DEFAULT_MAX_RESERVATIONS = 128;

  /** Default most reservations from one IP address. */
  public static final int DEFAULT_MAX_RESERVATIONS_PER_IP = 8;

  /** Default most relayed connections at once. */
  public static final int DEFAULT_MAX_CIRCUITS = 64;

  /** Default most relayed connections at once to or from one peer. */
  public static final int DEFAULT_MAX_CIRCUITS_PER_PEER = 8;

  /** Time a relay gives the target to answer a stop CONNECT, and a client the relay to answer. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  /** Signed-envelope domain of reservation vouchers. */
  public static final String VOUCHER_DOMAIN = "libp2p-relay-rsvp";

  /**
   * Payload type of reservation vouchers: the multicodec {@code libp2p-relay-rsvp} (0x0302) as two
   * big-endian bytes, which is what go-libp2p and js-libp2p put in the envelope (not its varint
   * {@code 82 06}, which this library sent before it was tested against js).
   */
  public static final byte[] VOUCHER_PAYLOAD_TYPE = {0x03, 0x02};

  private RelayConstants() {}
}
