package io.spacepanda.internal.net.multistream;

/** Protocol ids and limits of multistream-select 1.0 (multiformats/multistream-select). */
public final class MultistreamConstants {

  /** The header both sides send first. */
  public static final String PROTOCOL_ID = "/multistream/1.0.0";

  /** The responder's refusal of a proposal. */
  public static final String NA = "na";

  /** The request for the responder's protocol list. */
  public static final String LS = "ls";

  /** Largest message accepted, including its trailing newline (go- and js-libp2p use 1024). */
  public static final int MAX_MESSAGE_BYTES = 1024;

  /** Default number of proposals a responder answers before it gives up. */
  public static final int DEFAULT_MAX_ATTEMPTS = 16;

  private MultistreamConstants() {}
}
