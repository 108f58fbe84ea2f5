package io.spacepanda.internal.net.host;

import java.time.Duration;

/** Defaults and bounds of the libp2p host's connection manager. */
public final class HostConstants {

  /** Default largest number of upgraded connections. */
  public static final int DEFAULT_MAX_CONNECTIONS = 256;

  /** Default largest number of connections still in their upgrade handshakes. */
  public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 32;

  /** Default time a connection may spend in multistream + Noise + muxer negotiation. */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

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

  private HostConstants() {}
}
