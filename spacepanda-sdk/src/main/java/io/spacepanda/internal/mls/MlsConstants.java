package io.spacepanda.internal.mls;

/**
 * Protocol constants and wire limits of the MLS engine (RFC 9420).
 *
 * <p>The RFC bounds no vector other than by the 2^30 - 1 of its variable-length header (§2.1.2).
 * The limits below are generous for every cipher suite of the IANA registry (§17.1), including
 * post-quantum sizes, but finite, so that a decoder never accepts a field that no honest peer
 * sends. Every decoder of {@code io.spacepanda.internal.mls.message} applies them.
 */
public final class MlsConstants {

  /** {@code ProtocolVersion mls10} (RFC 9420 §6, §17.1). */
  public static final int PROTOCOL_VERSION_MLS10 = 1;

  /** Largest leaf index (and sender index): uint32 on the wire, below 2^31 here. */
  public static final int MAX_LEAF_INDEX = Integer.MAX_VALUE;

  /** Largest HPKE or signature public key, and HPKE {@code kem_output}, in bytes. */
  public static final int MAX_PUBLIC_KEY_SIZE = 8 * 1024;

  /** Largest signature in bytes. */
  public static final int MAX_SIGNATURE_SIZE = 8 * 1024;

  /** Largest hash, MAC, reference, tree hash or parent hash in bytes. */
  public static final int MAX_HASH_SIZE = 255;

  /** Largest secret carried on the wire (joiner secret, path secret, PSK nonce) in bytes. */
  public static final int MAX_SECRET_SIZE = 255;

  /** Largest group id in bytes. */
  public static final int MAX_GROUP_ID_SIZE = 1024;

  /** Largest external PSK id in bytes. */
  public static final int MAX_PSK_ID_SIZE = 1024;

  /** Largest basic-credential identity or single X.509 certificate in bytes. */
  public static final int MAX_CREDENTIAL_SIZE = 64 * 1024;

  /** Largest {@code extension_data} of one extension in bytes (the ratchet tree can be large). */
  public static final int MAX_EXTENSION_DATA_SIZE = 16 * 1024 * 1024;

  /** Largest {@code authenticated_data} of a framed message in bytes. */
  public static final int MAX_AUTHENTICATED_DATA_SIZE = 64 * 1024;

  /** Largest {@code application_data} of a framed message in bytes. */
  public static final int MAX_APPLICATION_DATA_SIZE = 16 * 1024 * 1024;

  /** Largest AEAD ciphertext carried by a message (private message content, group info) in bytes. */
  public static final int MAX_CIPHERTEXT_SIZE = 32 * 1024 * 1024;

  /** Largest {@code encrypted_sender_data} of a private message in bytes (12 plus an AEAD tag). */
  public static final int MAX_ENCRYPTED_SENDER_DATA_SIZE = 255;

  /** Length of the {@code reuse_guard} of {@code SenderData} (RFC 9420 §6.3.2). */
  public static final int REUSE_GUARD_SIZE = 4;

  private MlsConstants() {}
}
