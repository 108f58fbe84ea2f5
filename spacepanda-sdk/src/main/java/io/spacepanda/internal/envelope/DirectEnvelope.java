package io.spacepanda.internal.envelope;

import static io.spacepanda.internal.envelope.EnvelopeConstants.DIRECT_HPKE_INFO;
import static io.spacepanda.internal.envelope.EnvelopeConstants.DIRECT_OVERHEAD;
import static io.spacepanda.internal.envelope.EnvelopeConstants.KIND_DIRECT;
import static io.spacepanda.internal.envelope.EnvelopeConstants.LENGTH_PREFIX;
import static io.spacepanda.internal.envelope.EnvelopeConstants.MAX_ENVELOPE_LENGTH;
import static io.spacepanda.internal.envelope.EnvelopeConstants.PREFIX_LENGTH;
import static io.spacepanda.internal.envelope.EnvelopeConstants.VERSION;

import com.google.crypto.tink.HybridDecrypt;
import com.google.crypto.tink.HybridEncrypt;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.HpkePrivateKey;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.google.crypto.tink.hybrid.internal.HpkeDecrypt;
import com.google.crypto.tink.hybrid.internal.HpkeEncrypt;
import com.google.crypto.tink.util.Bytes;
import io.spacepanda.internal.crypto.InboxKey;
import java.security.GeneralSecurityException;
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
 * version(1) = 1 ‖ kind(1) = 2 ‖ enc(32) ‖ ciphertext(padded + 16)
 * enc, ciphertext = HPKE base mode (RFC 9180 §6.1), suite DHKEM(X25519, HKDF-SHA256),
 *                   HKDF-SHA256, ChaCha20-Poly1305; info = "spacepanda/envelope/direct/v1" ‖
 *                   version ‖ kind; aad empty
 * padded          = length(4) ‖ payload ‖ zeros       (see {@link Padding})
 * </pre>
 *
 * <p>HPKE comes from Tink ({@code HpkeEncrypt}/{@code HpkeDecrypt} over raw X25519 keys); the
 * ephemeral key is drawn from Tink's own secure random. Base mode does not authenticate the
 * sender, and nothing outside the seal names it: a payload that needs a sender carries its own
 * signature (MLS does). Limits: an envelope is {@value EnvelopeConstants#DIRECT_OVERHEAD} + 4 to
 * {@value EnvelopeConstants#MAX_ENVELOPE_LENGTH} bytes. Stateless and thread-safe.
 */
public final class DirectEnvelope {

  private static final int MIN_LENGTH = DIRECT_OVERHEAD + LENGTH_PREFIX;
  private static final byte[] INFO = info();
  private static final HpkeParameters PARAMETERS = parameters();

  private DirectEnvelope() {}

  private static byte[] info() {
    byte[] info = Arrays.copyOf(DIRECT_HPKE_INFO, DIRECT_HPKE_INFO.length + PREFIX_LENGTH);
    info[DIRECT_HPKE_INFO.length] = VERSION;
    info[DIRECT_HPKE_INFO.length + 1] = KIND_DIRECT;
    return info;
  }

  private static HpkeParameters parameters() {
    try {
      return HpkeParameters.builder()
          .setKemId(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256)
          .setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
          .setAeadId(HpkeParameters.AeadId.CHACHA20_POLY1305)
          .setVariant(HpkeParameters.Variant.NO_PREFIX)
          .build();
    } catch (GeneralSecurityException e) {
      throw new ExceptionInInitializerError(e);
    }
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
    byte[] sealed;
    try {
      HybridEncrypt hpke = HpkeEncrypt.create(publicKey(recipientInboxKey));
      sealed = hpke.encrypt(padded, INFO);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a usable X25519 inbox key", e);
    }
    byte[] out = new byte[PREFIX_LENGTH + sealed.length];
    out[0] = VERSION;
    out[1] = KIND_DIRECT;
    System.arraycopy(sealed, 0, out, PREFIX_LENGTH, sealed.length);
    return out;
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
        || envelope[0] != VERSION
        || envelope[1] != KIND_DIRECT) {
      throw new EnvelopeException();
    }
    byte[] padded;
    try {
      HybridDecrypt hpke = HpkeDecrypt.create(privateKey(inbox));
      padded = hpke.decrypt(Arrays.copyOfRange(envelope, PREFIX_LENGTH, envelope.length), INFO);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new EnvelopeException();
    }
    return Padding.unpad(padded);
  }

  private static HpkePublicKey publicKey(byte[] raw) throws GeneralSecurityException {
    return HpkePublicKey.create(PARAMETERS, Bytes.copyFrom(raw), null);
  }

  private static HpkePrivateKey privateKey(InboxKey inbox) throws GeneralSecurityException {
    byte[] raw = inbox.exportPrivate().exportSecret();
    try {
      return HpkePrivateKey.create(
          publicKey(inbox.publicKey()),
          com.google.crypto.tink.util.SecretBytes.copyFrom(raw, InsecureSecretKeyAccess.get()));
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
  }
}
