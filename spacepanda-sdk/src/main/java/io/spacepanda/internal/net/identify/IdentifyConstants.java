package io.spacepanda.internal.net.identify;

/**
 * Protocol id, field numbers and limits of identify.
 */
public final class IdentifyConstants {

  /** Multistream-select protocol id of identify. */
  public static final String PROTOCOL_ID = "/ipfs/id/1.0.0";

  /** Protocol version this side announces, as js-libp2p and go-libp2p do. */
  public static final String PROTOCOL_VERSION = "ipfs/0.1.0";

  /** Largest identify data accepted on one stream, all messages together. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;

  /** Largest number of listen addresses or protocols accepted in one identify. */
  public static final int MAX_LIST_ENTRIES = 1024;

  static final int FIELD_PUBLIC_KEY = 1;
  static final int FIELD_LISTEN_ADDRS = 2;
  static final int FIELD_PROTOCOLS = 3;
  static final int FIELD_OBSERVED_ADDR = 4;
  static final int FIELD_PROTOCOL_VERSION = 5;
  static final int FIELD_AGENT_VERSION = 6;
  static final int FIELD_SIGNED_PEER_RECORD = 8;

  private IdentifyConstants() {}
}
