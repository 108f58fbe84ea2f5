package io.spacepanda.internal.envelope;

import static io.spacepanda.internal.envelope.EnvelopeConstants.AEAD_TAG_LENGTH;
import static io.spacepanda.internal.envelope.EnvelopeConstants.GROUP_HEADER_LENGTH;
import static io.spacepanda.internal.envelope.EnvelopeConstants.GROUP_NONCE_LENGTH;
import static io.spacepanda.internal.envelope.EnvelopeConstants.GROUP_OVERHEAD;
import static io.spacepanda.internal.envelope.EnvelopeConstants.GROUP_TAG_LENGTH;
import static io.spacepanda.internal.envelope.EnvelopeConstants.LENGTH_PREFIX;
import static io.spacepanda.internal.envelope.EnvelopeConstants.MAX_ENVELOPE_LENGTH;
import static io.spacepanda.internal.envelope.EnvelopeConstants.PREFIX_LENGTH;
import static io.spacepanda.internal.envelope.EnvelopeConstants.VERSION;

import io.spacepanda.internal.crypto.ChaChaPolyAead;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.AEADBadTagException;

/**
 * Seals and opens group envelopes: an MLS message encrypted once for a whole channel epoch, with a
 * channel tag only members can recognise (README, "How it works": sealed-sender envelopes).
 *
 * <p>Wire format (see {@link SealedEnvelope} for the common prefix):
 *
 * <pre>
 * version(1) = 2 ‖ nonce(16) ‖ tag(16) ‖ ciphertext(padded + 16)
 * tag        = HMAC-SHA256(tagKey, nonce)[0..16]
 * msgKey     = HMAC-SHA256(aeadKey, nonce)
 * ciphertext = ChaCha20-Poly1305(msgKey, nonce = 0^12, aad = version ‖ nonce ‖ tag, padded)
 * padded     = length(4) ‖ plaintext ‖ zeros          (see {@link Padding})
 * </pre>
 *
 * <p>Why: the nonce is fresh randomness, so two envelopes of one channel share no bytes an
 * outsider could link, yet a member recognises the tag with one HMAC per candidate key and no
 * decryption ({@link TagIndex}). Each envelope gets its own AEAD key, so random nonces never
 * collide under one key (2<sup>-64</sup> birthday bound per 2<sup>32</sup> envelopes per epoch).
 * The bytes carry no sender, group id, epoch or exact length: the whole envelope is one bucket
 * size long, and nothing says it is a group envelope rather than a direct one ({@link
 * SealedEnvelope}). {@link #reseal} gives each recipient its own copy: same plaintext, fresh nonce,
 * no shared bytes but the version.
 *
 * <p>The AEAD is {@link ChaChaPolyAead}: one engine per thread, reused (it was built per call),
 * the JDK's or BouncyCastle's, whichever is faster on the running JDK.
 *
 * <p>Limits: an envelope is {@value EnvelopeConstants#GROUP_OVERHEAD} + 4 to {@value
 * EnvelopeConstants#MAX_ENVELOPE_LENGTH} bytes. Stateless and thread-safe.
 */
public final class GroupEnvelope {

  private static final byte[] ZERO_NONCE = new byte[12];
  private static final int MIN_LENGTH = GROUP_OVERHEAD + LENGTH_PREFIX;

  private GroupEnvelope() {}

  /**
   * Seals a plaintext with the default padding.
   *
   * @param keys the channel epoch's envelope keys
   * @param plaintext the MLS message, not modified
   * @param random a cryptographically secure source for the nonce
   * @return the envelope, a bucket size long
   * @throws EnvelopeTooLargeException if the plaintext does not fit the largest bucket
   */
  public static byte[] seal(GroupEnvelopeKeys keys, byte[] plaintext, SecureRandom random)
      throws EnvelopeTooLargeException {
    return seal(keys, plaintext, Padding.defaults(), random);
  }

  /**
   * Seals a plaintext for every member holding {@code keys}.
   *
   * @param keys the channel epoch's envelope keys
   * @param plaintext the MLS message, not modified
   * @param padding the bucket sizes to pad to
   * @param random a cryptographically secure source for the nonce
   * @return the envelope, a bucket size long
   * @throws EnvelopeTooLargeException if the plaintext does not fit the largest bucket
   */
  public static byte[] seal(GroupEnvelopeKeys keys, byte[] plaintext, Padding padding, SecureRandom random)
      throws EnvelopeTooLargeException {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(padding, "padding");
    Objects.requireNonNull(random, "random");
    byte[] padded = padding.pad(plaintext, GROUP_OVERHEAD);
    byte[] out = new byte[GROUP_OVERHEAD + padded.length];
    out[0] = VERSION;
    encrypt(keys, padded, out, random);
    return out;
  }

  /**
   * Re-encrypts an envelope under a fresh nonce: the copy carries the same plaintext and padding
   * but shares no byte with the original beyond the version, so that copies of one message to
   * different recipients cannot be linked by their bytes (issue 16). Costs one decryption and one
   * encryption of the padded body.
   *
   * @param keys the keys the envelope was sealed with
   * @param envelope the sealed envelope, not modified
   * @param random a cryptographically secure source for the nonce
   * @return a fresh envelope of the same length
   * @throws EnvelopeException if the envelope does not open with {@code keys}
   */
  public static byte[] reseal(GroupEnvelopeKeys keys, byte[] envelope, SecureRandom random)
      throws EnvelopeException {
    Objects.requireNonNull(random, "random");
    byte[] nonce = new byte[GROUP_NONCE_LENGTH];
    random.nextBytes(nonce);
    return reseal(keys, envelope, nonce);
  }

  /**
   * Re-encrypts an envelope under a given nonce, for a caller that derives the nonce from a
   * secret and the copy (so that a retry of one copy repeats its bytes and nothing else does).
   * The nonce must be unpredictable to outsiders and must not repeat for different plaintexts.
   *
   * @param keys the keys the envelope was sealed with
   * @param envelope the sealed envelope, not modified
   * @param nonce 16 bytes
   * @return a fresh envelope of the same length
   * @throws EnvelopeException if the envelope does not open with {@code keys}
   */
  public static byte[] reseal(GroupEnvelopeKeys keys, byte[] envelope, byte[] nonce)
      throws EnvelopeException {
    Objects.requireNonNull(nonce, "nonce");
    if (nonce.length != GROUP_NONCE_LENGTH) {
      throw new IllegalArgumentException("nonce must be " + GROUP_NONCE_LENGTH + " bytes");
    }
    byte[] padded = openPadded(keys, envelope);
    byte[] out = new byte[envelope.length];
    out[0] = VERSION;
    encrypt(keys, padded, out, nonce);
    return out;
  }

  /**
   * Opens an envelope once so that it can be resealed for many recipients ({@link
   * #reseal(Opened, byte[])}) without opening it again per copy.
   *
   * @param keys the keys the envelope was sealed with
   * @param envelope the sealed envelope, not modified
   * @return the opened envelope
   * @throws EnvelopeException if the envelope does not open with {@code keys}
   */
  public static Opened openForReseal(GroupEnvelopeKeys keys, byte[] envelope)
      throws EnvelopeException {
    return new Opened(keys, openPadded(keys, envelope));
  }

  /**
   * Re-encrypts an opened envelope under a given nonce: the same bytes {@link
   * #reseal(GroupEnvelopeKeys, byte[], byte[])} returns for the original envelope and nonce.
   *
   * @param opened the envelope, opened once
   * @param nonce 16 bytes, unpredictable to outsiders
   * @return a fresh envelope of the original's length
   */
  public static byte[] reseal(Opened opened, byte[] nonce) {
    Objects.requireNonNull(opened, "opened");
    Objects.requireNonNull(nonce, "nonce");
    if (nonce.length != GROUP_NONCE_LENGTH) {
      throw new IllegalArgumentException("nonce must be " + GROUP_NONCE_LENGTH + " bytes");
    }
    byte[] out = new byte[GROUP_OVERHEAD + opened.padded.length];
    out[0] = VERSION;
    encrypt(opened.keys, opened.padded, out, nonce);
    return out;
  }

  /**
   * A group envelope opened for resealing: its keys and padded body. Immutable; holds the padded
   * body (an MLS message, itself encrypted), so keep it only while copies are being made.
   */
  public static final class Opened {
    private final GroupEnvelopeKeys keys;
    private final byte[] padded;

    Opened(GroupEnvelopeKeys keys, byte[] padded) {
      this.keys = keys;
      this.padded = padded;
    }

    /**
     * Describes the object without its content.
     *
     * @return {@code GroupEnvelope.Opened[n bytes]}
     */
    @Override
    public String toString() {
      return "GroupEnvelope.Opened[" + padded.length + " bytes]";
    }
  }

  private static void encrypt(GroupEnvelopeKeys keys, byte[] padded, byte[] out,
      SecureRandom random) {
    byte[] nonce = new byte[GROUP_NONCE_LENGTH];
    random.nextBytes(nonce);
    encrypt(keys, padded, out, nonce);
  }

  private static void encrypt(GroupEnvelopeKeys keys, byte[] padded, byte[] out, byte[] nonce) {
    System.arraycopy(nonce, 0, out, PREFIX_LENGTH, GROUP_NONCE_LENGTH);
    byte[] tag = keys.tag(nonce, 0, GROUP_NONCE_LENGTH, GROUP_TAG_LENGTH);
    System.arraycopy(tag, 0, out, PREFIX_LENGTH + GROUP_NONCE_LENGTH, GROUP_TAG_LENGTH);
    ChaChaPolyAead.forThread().seal(keys.messageKey(nonce), ZERO_NONCE, out, 0,
        GROUP_HEADER_LENGTH, padded, 0, padded.length, out, GROUP_HEADER_LENGTH);
  }

  /**
   * Tells whether an envelope carries the channel tag of {@code keys}, without decrypting it.
   *
   * @param keys candidate envelope keys
   * @param envelope the received bytes, not modified
   * @return true if the envelope is a well-formed group envelope with a matching tag
   */
  public static boolean matches(GroupEnvelopeKeys keys, byte[] envelope) {
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(envelope, "envelope");
    if (!wellFramed(envelope)) {
      return false;
    }
    return keys.tagMatches(envelope, PREFIX_LENGTH, GROUP_NONCE_LENGTH, envelope,
        PREFIX_LENGTH + GROUP_NONCE_LENGTH, GROUP_TAG_LENGTH);
  }

  /**
   * Opens an envelope sealed with {@code keys}.
   *
   * @param keys the channel epoch's envelope keys
   * @param envelope the received bytes, not modified
   * @return the plaintext, a fresh array
   * @throws EnvelopeException if the envelope is malformed, bears another channel's tag or fails
   *     authentication; always with the same message
   */
  public static byte[] open(GroupEnvelopeKeys keys, byte[] envelope) throws EnvelopeException {
    return Padding.unpad(openPadded(keys, envelope));
  }

  private static byte[] openPadded(GroupEnvelopeKeys keys, byte[] envelope)
      throws EnvelopeException {
    if (!matches(keys, envelope)) {
      throw new EnvelopeException();
    }
    byte[] nonce = new byte[GROUP_NONCE_LENGTH];
    System.arraycopy(envelope, PREFIX_LENGTH, nonce, 0, GROUP_NONCE_LENGTH);
    int ciphertextLength = envelope.length - GROUP_HEADER_LENGTH;
    byte[] padded = new byte[ciphertextLength - AEAD_TAG_LENGTH];
    try {
      ChaChaPolyAead.forThread().open(keys.messageKey(nonce), ZERO_NONCE, envelope, 0,
          GROUP_HEADER_LENGTH, envelope, GROUP_HEADER_LENGTH, ciphertextLength, padded, 0);
    } catch (AEADBadTagException e) {
      throw new EnvelopeException();
    }
    return padded;
  }

  /**
   * Opens an envelope if it bears the channel tag of {@code keys}.
   *
   * @param keys candidate envelope keys
   * @param envelope the received bytes, not modified
   * @return the plaintext, or empty if the envelope is not a group envelope of these keys (keep it
   *     for a later epoch)
   * @throws EnvelopeException if the tag matches but the envelope fails authentication or padding
   */
  public static Optional<byte[]> tryOpen(GroupEnvelopeKeys keys, byte[] envelope) throws EnvelopeException {
    if (!matches(keys, envelope)) {
      return Optional.empty();
    }
    return Optional.of(open(keys, envelope));
  }

  private static boolean wellFramed(byte[] envelope) {
    return envelope.length >= MIN_LENGTH
        && envelope.length <= MAX_ENVELOPE_LENGTH
        && envelope[0] == VERSION;
  }
}
