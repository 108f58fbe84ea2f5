package io.spacepanda.internal.envelope;

import java.nio.charset.StandardCharsets;

/**
 * Every version number, label and limit of the sealed-envelope layer, in one place. The wire
 * format itself is described on {@link SealedEnvelope}.
 */
public final class EnvelopeConstants {

  /**
   * Wire format version, the first byte of every envelope. Version 2 has no kind byte: group and
   * direct envelopes look alike outside their seal (issue 16). Version 1 envelopes are rejected.
   */
  public static final int VERSION = 2;

  /** Bytes of {@code version} at the start of every envelope. */
  public static final int PREFIX_LENGTH = 1;

  /**
   * Bytes after the version that both kinds fill with uniformly looking bytes: a group envelope's
   * nonce and tag, or a direct envelope's HPKE encapsulated key with its unused top bit
   * randomised.
   */
  public static final int HEAD_LENGTH = 32;

  /** Largest envelope any decoder accepts, whatever the sender's padding buckets. */
  public static final int MAX_ENVELOPE_LENGTH = 1 << 20;

  /** Smallest padding bucket a {@link Padding} may be configured with. */
  public static final int MIN_BUCKET = 128;

  /** Bytes of the big-endian body length that {@link Padding} puts in front of the body. */
  public static final int LENGTH_PREFIX = 4;

  /** Poly1305 authentication tag length, in group and direct envelopes alike. */
  public static final int AEAD_TAG_LENGTH = 16;

  /** Random per-envelope nonce of a group envelope. */
  public static final int GROUP_NONCE_LENGTH = 16;

  /** Truncated HMAC-SHA256 channel tag of a group envelope. */
  public static final int GROUP_TAG_LENGTH = 16;

  /** Bytes of a group envelope before its ciphertext: version, kind, nonce, tag. */
  public static final int GROUP_HEADER_LENGTH = PREFIX_LENGTH + GROUP_NONCE_LENGTH + GROUP_TAG_LENGTH;

  /** Bytes a group envelope adds around its padded plaintext. */
  public static final int GROUP_OVERHEAD = GROUP_HEADER_LENGTH + AEAD_TAG_LENGTH;

  /** HPKE encapsulated key of DHKEM(X25519, HKDF-SHA256) (RFC 9180 §7.1: Nenc = 32). */
  public static final int DIRECT_ENC_LENGTH = 32;

  /**
   * Bytes a direct envelope adds around its padded plaintext: the same as a group envelope's, so
   * that one payload length gives one envelope length whatever the kind.
   */
  public static final int DIRECT_OVERHEAD = PREFIX_LENGTH + DIRECT_ENC_LENGTH + AEAD_TAG_LENGTH;

  /** Shortest exporter secret {@link GroupEnvelopeKeys#derive(byte[])} accepts. */
  public static final int MIN_EXPORTER_SECRET = 16;

  /** Longest exporter secret {@link GroupEnvelopeKeys#derive(byte[])} accepts. */
  public static final int MAX_EXPORTER_SECRET = 64;

  /**
   * Label an MLS member passes to {@code MLS-Exporter} (RFC 9420 §8.5) to obtain the exporter
   * secret of a channel's epoch; the context is empty and the length 32.
   */
  public static final String MLS_EXPORTER_LABEL = "spacepanda envelope v1";

  static final byte[] GROUP_HKDF_SALT = ascii("spacepanda/envelope/group/v1");
  static final byte[] GROUP_AEAD_KEY_INFO = ascii("spacepanda/envelope/group/v1 aead key");
  static final byte[] GROUP_TAG_KEY_INFO = ascii("spacepanda/envelope/group/v1 tag key");
  static final byte[] DIRECT_HPKE_INFO = ascii("spacepanda/envelope/direct/v2");

  private EnvelopeConstants() {}

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
