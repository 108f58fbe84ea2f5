package io.spacepanda.internal.net.host;

import java.time.Duration;

/** Defaults and bounds of the libp2p host's connection manager. */
public final class HostConstants {

  /** Default largest number of upgraded connections. */
  public static final int DEFAULT_MAX_CONNECTIONS = 256;

  /**
   * Default largest number of connections still in their upgrade handshakes. A handshake costs a
   * few KiB and two X25519 operations, so 128 cost little, and with the per-address limits below an
   * attacker needs eight /24 prefixes to fill them.
   */
  public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 128;

  /**
   * Default largest number of inbound handshakes pending from one IP address. Large enough for a
   * NAT in front of a few users and for tests that dial one node from 127.0.0.1 in parallel.
   */
  public static final int DEFAULT_MAX_PENDING_PER_ADDRESS = 16;

  /** Default largest number of inbound handshakes pending from one /24 (IPv4) or /64 (IPv6). */
  public static final int DEFAULT_MAX_PENDING_PER_PREFIX = 32;

  /**
   * Default number of handshake slots beyond the global limit kept for inbound connections from
   * addresses in the node's address book and for the node's own dials.
   */
  public static final int DEFAULT_RESERVED_HANDSHAKES = 16;

  /** Default time a connection may spend in multistream + Noise + muxer negotiation. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Default shortest handshake deadline: the deadline given to a new connection shrinks from the
   * handshake timeout to this value as the pending handshakes approach their limit. A real Noise
   * XX handshake takes three round trips, so one second still serves peers 300 ms away.
   */
  public static final Duration DEFAULT_MIN_HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);

  /** Default time a connection without streams stays open. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(2);

  /** Default TCP connect timeout. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default number of protocol proposals a responder answers on one stream or connection. */
  public static final int DEFAULT_MAX_NEGOTIATION_ATTEMPTS = 16;

  /** Default agent version announced by identify. */
  public static final String DEFAULT_AGENT_VERSION = "spacepanda/0.1.0";

  /** Default number of event loop threads. */
  public static final int DEFAULT_THREADS = 2;

  /**
   * How long an inbound connection refused by the pending-handshake limits is held unread before
   * it is closed (issue 14), so that a client re-opening every closed socket cannot make the node
   * accept and close them in a tight loop.
   */
  public static final Duration REFUSED_LINGER = Duration.ofSeconds(2);

  /** Most refused inbound connections held at once; beyond, they are closed at once. */
  public static final int MAX_REFUSED_LINGERING = 512;

  private HostConstants() {}
}
