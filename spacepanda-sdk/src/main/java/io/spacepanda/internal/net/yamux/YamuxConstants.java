package io.spacepanda.internal.net.yamux;

/**
 * Protocol id, wire constants and default limits of Yamux 1.0, in one place.
 */
public final class YamuxConstants {

  /** Multistream-select protocol id of Yamux as libp2p uses it. */
  public static final String PROTOCOL_ID = "/yamux/1.0.0";

  /** The only header version (yamux spec: "Version"). */
  public static final int VERSION = 0;

  /** Header length in bytes: version, type, flags (2), stream id (4), length (4). */
  public static final int HEADER_LENGTH = 12;

  /** Frame type carrying stream data (yamux spec: "Data"). */
  public static final int TYPE_DATA = 0;

  /** Frame type adding credit to a stream's send window (yamux spec: "Window Update"). */
  public static final int TYPE_WINDOW_UPDATE = 1;

  /** Frame type for a session ping and its answer (yamux spec: "Ping"). */
  public static final int TYPE_PING = 2;

  /** Frame type announcing the end of new streams on a session (yamux spec: "Go Away"). */
  public static final int TYPE_GO_AWAY = 3;

  /** Flag opening a stream or asking for a ping answer. */
  public static final int FLAG_SYN = 0x1;

  /** Flag acknowledging a stream or answering a ping. */
  public static final int FLAG_ACK = 0x2;

  /** Flag half-closing the sender's side of a stream. */
  public static final int FLAG_FIN = 0x4;

  /** Flag resetting a stream. */
  public static final int FLAG_RST = 0x8;

  /** Every flag bit the spec defines. */
  public static final int KNOWN_FLAGS = FLAG_SYN | FLAG_ACK | FLAG_FIN | FLAG_RST;

  /** Go-away code for a normal end of the session. */
  public static final int GO_AWAY_NORMAL = 0;

  /** Go-away code for a protocol error of the peer. */
  public static final int GO_AWAY_PROTOCOL_ERROR = 1;

  /** Go-away code for an internal error of the sender. */
  public static final int GO_AWAY_INTERNAL_ERROR = 2;

  /** The window every stream starts with on both sides (yamux spec: 256 KiB). */
  public static final int INITIAL_WINDOW = 256 * 1024;

  /** Default upper bound the receive window may auto-tune to (as go-yamux and rust-yamux). */
  public static final int DEFAULT_MAX_RECEIVE_WINDOW = 16 * 1024 * 1024;

  /** Default limit of live streams per connection, both directions together. */
  public static final int DEFAULT_MAX_STREAMS = 512;

  /**
   * Default bound on the receive window growth granted across one connection's streams: two
   * streams at the largest window, so one stream cannot take a connection's whole budget and 512
   * streams cannot make a connection buffer 8 GiB.
   */
  public static final long DEFAULT_MAX_CONNECTION_RECEIVE_WINDOW = 2L * DEFAULT_MAX_RECEIVE_WINDOW;

  /**
   * Default limit of outbound streams opened but not yet acknowledged by the peer (the libp2p
   * yamux note recommends 256, as go-yamux and rust-yamux use); further opens wait for ACKs.
   */
  public static final int DEFAULT_MAX_UNACKED_STREAMS = 256;

  /**
   * Limit of unacknowledged outbound streams until the peer acknowledged its first one:
   * js-libp2p aborts the whole connection when more than 10 streams arrive before its connection
   * is ready for them (its {@code maxEarlyStreams}), which is the case right after the handshake.
   */
  public static final int EARLY_UNACKED_STREAMS = 10;

  /** Default largest data payload this side puts in one frame. */
  public static final int DEFAULT_MAX_SEND_FRAME = 64 * 1024;

  /** Default bound of bytes queued per stream waiting for send window. */
  public static final int DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

  /** Default interval between keep-alive pings, in seconds. */
  public static final int DEFAULT_KEEP_ALIVE_SECONDS = 30;

  /** Default time a ping may stay unanswered before the connection is closed, in seconds. */
  public static final int DEFAULT_PING_TIMEOUT_SECONDS = 20;

  private YamuxConstants() {}
}
