package io.spacepanda.internal.envelope;

import static io.spacepanda.internal.envelope.EnvelopeConstants.DIRECT_ENC_LENGTH;
import static io.spacepanda.internal.envelope.EnvelopeConstants.DIRECT_HPKE_INFO;
import static io.spacepanda.internal.envelope.EnvelopeConstants.DIRECT_OVERHEAD;
import static io.spacepanda.internal.envelope.EnvelopeConstants.LENGTH_PREFIX;
import static io.spacepanda.internal.envelope.EnvelopeConstants.MAX_ENVELOPE_LENGTH;
import static io.spacepanda.internal.envelope.EnvelopeConstants.PREFIX_LENGTH;
import static io.spacepanda.internal.envelope.EnvelopeConstants.VERSION;

import io.spacepanda.internal.crypto.InboxKey;
import java.util.Arrays;
import java.util.Objects;

/**
 * Seals and opens direct envelopes: a payload for one node, HPKE-encrypted to its inbox key
 * (README, "How it works": sealed-sender envelopes; join requests, Welcomes, proposals to the
 * committer).
 *
 * <p>Wire format (see {@link SealedEnvelope} for the common prefix):
 *
 * <pre>
 * version(1) = 2 ‖ enc'(32) ‖ ciphertext(padded + 16)
 * enc, ciphertext = HPKE base mode (RFC 9180 §6.1), suite DHKEM(X25519, HKDF-SHA256),
 *                   HKDF-SHA256, ChaCha20-Poly1305; info = "spacepanda/envelope/direct/v2" ‖
 *                   version; aad empty
 * enc'            = enc with its top bit (bit 7 of byte 31) replaced by a random bit
 * padded          = length(4) ‖ payload ‖ zeros       (see {@link Padding})
 * </pre>
 *
 * <p>Why the random top bit: an X25519 public key is below 2<sup>255</sup>, so its top bit is always
 * 0 (RFC 7748 §5), while a group envelope's tag there is uniform. Randomising the bit, and
 * clearing it before HPKE opens, removes that one-bit tell of the kind. What remains: about half
 * of all 32-byte strings are not X25519 points of the curve, and a direct envelope's {@code enc}
 * always is one; an observer who tests it learns the kind with probability 1/2 per envelope.
 * Hiding that needs Elligator 2 encoding, not done. The mixnet ({@code internal.net.mix}) hides
 * the whole envelope inside constant-size Sphinx packets.
 *
 * <p>HPKE is {@link DirectHpke}, this one suite written out over BouncyCastle's X25519, the JDK's
 * HMAC-SHA256 and {@link io.spacepanda.internal.crypto.ChaChaPolyAead}: faster than BouncyCastle's
 * general {@code HPKE} (used before, and still by the MLS engine), which was itself several times
 * faster than Tink's {@code HpkeEncrypt}/{@code HpkeDecrypt} (used first); the wire format never
 * changed (all three are RFC 9180; {@code DirectEnvelopeTest} opens this class's envelopes with
 * the other two and the other way round). The ephemeral key is drawn from a per-thread {@code
 * SecureRandom}; opening uses the inbox's public key as given, so it costs one X25519 scalar
 * multiplication. Base mode does not authenticate the
 * sender, and nothing outside the seal names it: a payload that needs a sender carries its own
 * signature (MLS does). Limits: an envelope is {@value EnvelopeConstants#DIRECT_OVERHEAD} + 4 to
 * {@value EnvelopeConstants#MAX_ENVELOPE_LENGTH} bytes. Stateless and thread-safe.
 */
public final class DirectEnvelope {

  private static final int MIN_LENGTH = DIRECT_OVERHEAD + LENGTH_PREFIX;
  private static final byte[] INFO = info();
  /** HPKE for this one suite and info ({@link DirectHpke}); thread-safe. */
  private static final DirectHpke HPKE_SUITE = new DirectHpke(INFO);

  /**
   * Source of the ephemeral keys and of the random top bit of {@code enc}: one strong generator per
   * thread.
   */
  private static final ThreadLocal<java.security.SecureRandom> RANDOM =
      ThreadLocal.withInitial(java.security.SecureRandom::new);

  private DirectEnvelope() {}

  private static byte[] info() {
    byte[] info = Arrays.copyOf(DIRECT_HPKE_INFO, DIRECT_HPKE_INFO.length + PREFIX_LENGTH);
    info[DIRECT_HPKE_INFO.length] = VERSION;
    return info;
  }

  /**
   * Seals a payload to a recipient's inbox key with the default padding.
   *
   * @param recipientInboxKey the recipient's 32-byte X25519 inbox public key
   * @param payload the payload, not modified
   * @return the envelope, a bucket size long
   * @throws EnvelopeTooLargeException if the payload does not fit the largest bucket
   * @throws IllegalArgumentException if the inbox key is not a 32-byte X25519 public key
   */
  public static byte[] seal(byte[] recipientInboxKey, byte[] payload) throws EnvelopeTooLargeException {
    return seal(recipientInboxKey, payload, Padding.defaults());
  }

  /**
   * Seals a payload to a recipient's inbox key.
   *
   * @param recipientInboxKey the recipient's 32-byte X25519 inbox public key
   * @param payload the payload, not modified
   * @param padding the bucket sizes to pad to
   * @return the envelope, a bucket size long
   * @throws EnvelopeTooLargeException if the payload does not fit the largest bucket
   * @throws IllegalArgumentException if the inbox key is not a 32-byte X25519 public key
   */
  public static byte[] seal(byte[] recipientInboxKey, byte[] payload, Padding padding)
      throws EnvelopeTooLargeException {
    Objects.requireNonNull(recipientInboxKey, "recipientInboxKey");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(padding, "padding");
    if (recipientInboxKey.length != InboxKey.KEY_LENGTH) {
      throw new IllegalArgumentException("inbox key must be 32 bytes, got " + recipientInboxKey.length);
    }
    byte[] padded = padding.pad(payload, DIRECT_OVERHEAD);
    byte[] out = new byte[PREFIX_LENGTH + DIRECT_ENC_LENGTH + padded.length
        + EnvelopeConstants.AEAD_TAG_LENGTH];
    out[0] = VERSION;
    java.security.SecureRandom random = RANDOM.get();
    // RFC 9180 §5.1.1 SetupBaseS + §5.2 Seal; a small-order key fails the DH (all-zero result)
    HPKE_SUITE.seal(recipientInboxKey, padded, 0, padded.length, out, PREFIX_LENGTH, random);
    // X25519 keys leave bit 255 clear (RFC 7748 §5): hide that with a random bit
    out[PREFIX_LENGTH + DIRECT_ENC_LENGTH - 1] ^= (byte) (random.nextInt(2) << 7);
    return out;
  }

  /**
   * Returns a copy of an envelope with the top bit of {@code enc} cleared: the two envelopes that
   * differ only in that bit open to the same payload, so duplicate detection hashes this form.
   *
   * @param envelope the received bytes, not modified
   * @return the canonical copy (unchanged bytes if the envelope is too short to have an {@code enc})
   */
  public static byte[] canonical(byte[] envelope) {
    byte[] c = envelope.clone();
    if (c.length >= PREFIX_LENGTH + DIRECT_ENC_LENGTH) {
      c[PREFIX_LENGTH + DIRECT_ENC_LENGTH - 1] &= 0x7f;
    }
    return c;
  }

  /**
   * Opens an envelope sealed to {@code inbox}.
   *
   * @param inbox the recipient's inbox key pair
   * @param envelope the received bytes, not modified
   * @return the payload, a fresh array
   * @throws EnvelopeException if the envelope is malformed, sealed to another key or fails
   *     authentication; always with the same message
   */
  public static byte[] open(InboxKey inbox, byte[] envelope) throws EnvelopeException {
    Objects.requireNonNull(inbox, "inbox");
    Objects.requireNonNull(envelope, "envelope");
    if (envelope.length < MIN_LENGTH
        || envelope.length > MAX_ENVELOPE_LENGTH
        || envelope[0] != VERSION) {
      throw new EnvelopeException();
    }
    byte[] padded;
    byte[] raw = inbox.exportPrivate().exportSecret();
    try {
      byte[] enc = Arrays.copyOfRange(envelope, PREFIX_LENGTH, PREFIX_LENGTH + DIRECT_ENC_LENGTH);
      enc[DIRECT_ENC_LENGTH - 1] &= 0x7f;
      // RFC 9180 §6.1 single-shot open: SetupBaseR, then Open with sequence number 0
      padded = HPKE_SUITE.open(raw, inbox.publicKey(), enc, envelope,
          PREFIX_LENGTH + DIRECT_ENC_LENGTH, envelope.length - PREFIX_LENGTH - DIRECT_ENC_LENGTH);
    } catch (javax.crypto.AEADBadTagException | RuntimeException e) {
      throw new EnvelopeException();
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
    return Padding.unpad(padded);
  }
}
