package io.spacepanda.internal.net.ping;

/**
 * Protocol id and sizes of ping.
 */
public final class PingConstants {

  /** Multistream-select protocol id of ping. */
  public static final String PROTOCOL_ID = "/ipfs/ping/1.0.0";

  /** Bytes in one ping and its echo (ping spec: 32 random bytes). */
  public static final int PAYLOAD_LENGTH = 32;

  private PingConstants() {}
}
