package io.spacepanda.internal.net.transport;

import java.time.Duration;

/** Protocol id, wire limits and default timeouts of the envelope protocol and its transport. */
public final class EnvelopeProtocolConstants {

  /** The multistream-select protocol id of one-envelope streams (the first version). */
  public static final String PROTOCOL_ID = "/spacepanda/envelope/1.0.0";

  /**
   * The multistream-select protocol id of long-lived envelope streams ({@link
   * EnvelopeStreamCodec}): many envelopes per stream, acknowledged by number.
   */
  public static final String STREAM_PROTOCOL_ID = "/spacepanda/envelope-stream/1.0.0";

  /**
   * Longest time a sender keeps an envelope stream with nothing in flight open before it
   * half-closes it (at most half the connection's idle timeout), so idle connections still close.
   */
  public static final Duration ENVELOPE_STREAM_IDLE = Duration.ofSeconds(10);

  /**
   * Most bytes an inbound envelope stream buffers beyond one largest envelope: the default largest
   * Yamux receive window, which an honest sender never exceeds.
   */
  public static final long STREAM_BUFFER_SLACK_BYTES = 16L * 1024 * 1024;

  /** Largest envelope payload a transport sends or accepts by default: 1 MiB. */
  public static final int DEFAULT_MAX_ENVELOPE_BYTES = 1024 * 1024;

  /**
   * Bytes a message may take beyond its payload: the field tag, the payload's length varint and
   * room for fields a later version may add.
   */
  public static final int MESSAGE_SLACK_BYTES = 256;

  /** Largest encoded {@code Ack} message. */
  public static final int MAX_ACK_MESSAGE_BYTES = 16;

  /** Longest varint length prefix read: 5 bytes cover every length up to 2^35 - 1. */
  public static final int MAX_PREFIX_BYTES = 5;

  /** Ack status: the receiver stored the envelope. */
  public static final int STATUS_OK = 0;

  /** Ack status: the receiver refused the envelope (its listener failed or threw). */
  public static final int STATUS_REFUSED = 1;

  /** Default time for dialing a peer: TCP connect plus the connection upgrade. */
  public static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(10);

  /** Default time from opening the stream to the peer's acknowledgement. */
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);

  /** Default time an inbound stream has to deliver its whole envelope. */
  public static final Duration DEFAULT_RECEIVE_TIMEOUT = Duration.ofSeconds(30);

  /** Default largest number of envelope streams one connection may have open inbound at once. */
  public static final int DEFAULT_MAX_INBOUND_STREAMS_PER_CONNECTION = 32;

  /**
   * Largest number of sends waiting for a free stream slot to one peer; a sender opens at most
   * as many envelope streams to a peer at once as its own per-connection inbound limit.
   */
  public static final int MAX_QUEUED_SENDS_PER_PEER = 4096;

  /** Default largest number of bytes all inbound envelopes of a transport may hold at once. */
  public static final long DEFAULT_MAX_INBOUND_BUFFERED_BYTES = 64L * 1024 * 1024;

  /** Default largest number of peers the address book remembers. */
  public static final int DEFAULT_MAX_KNOWN_PEERS = 1024;

  /** Default largest number of addresses remembered per peer. */
  public static final int DEFAULT_MAX_ADDRESSES_PER_PEER = 8;

  /** Address listened on when the node configured none: loopback, any free port. */
  public static final String DEFAULT_LISTEN_ADDRESS = "/ip4/127.0.0.1/tcp/0";

  private EnvelopeProtocolConstants() {}
}
