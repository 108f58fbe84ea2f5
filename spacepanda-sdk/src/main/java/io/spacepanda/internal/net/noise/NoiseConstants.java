package io.spacepanda.internal.net.noise;

import java.nio.charset.StandardCharsets;

/** Protocol ids and limits of libp2p Noise (libp2p/specs noise/README.md, Noise spec rev 34). */
public final class NoiseConstants {

  /** The multistream-select protocol id. */
  public static final String PROTOCOL_ID = "/noise";

  /** The Noise protocol name; 32 bytes, so it is the initial handshake hash as is (§5.2). */
  public static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";

  /** Largest Noise message (§3), which is also the libp2p frame limit. */
  public static final int MAX_MESSAGE_BYTES = 65535;

  /** Length of the ChaChaPoly authentication tag. */
  public static final int TAG_BYTES = 16;

  /** Largest plaintext of one transport frame. */
  public static final int MAX_PLAINTEXT_BYTES = MAX_MESSAGE_BYTES - TAG_BYTES;

  /** Length of an X25519 key and of a SHA-256 hash. */
  public static final int KEY_BYTES = 32;

  /** Prefix of the message the identity key signs: this prefix, then the Noise static key. */
  public static final byte[] STATIC_KEY_SIGNATURE_PREFIX =
      "noise-libp2p-static-key:".getBytes(StandardCharsets.US_ASCII);

  /** Largest number of stream muxers accepted in a handshake payload. */
  public static final int MAX_MUXERS = 16;

  /** Largest stream muxer protocol id accepted, in bytes. */
  public static final int MAX_MUXER_ID_BYTES = 256;

  private NoiseConstants() {}
}
