package io.spacepanda.internal.envelope;

import static io.spacepanda.internal.envelope.EnvelopeConstants.GROUP_AEAD_KEY_INFO;
import static io.spacepanda.internal.envelope.EnvelopeConstants.GROUP_HKDF_SALT;
import static io.spacepanda.internal.envelope.EnvelopeConstants.GROUP_TAG_KEY_INFO;
import static io.spacepanda.internal.envelope.EnvelopeConstants.MAX_EXPORTER_SECRET;
import static io.spacepanda.internal.envelope.EnvelopeConstants.MIN_EXPORTER_SECRET;

import java.security.MessageDigest;
import java.util.Objects;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The two keys of one channel epoch's group envelopes, derived from the epoch's MLS exporter
 * secret.
 *
 * <p>Derivation (RFC 5869, HKDF-SHA256), with {@code salt = "spacepanda/envelope/group/v1"}:
 *
 * <ul>
 *   <li>{@code aeadKey = HKDF(salt, exporterSecret, info = "spacepanda/envelope/group/v1 aead key", 32)}
 *   <li>{@code tagKey = HKDF(salt, exporterSecret, info = "spacepanda/envelope/group/v1 tag key", 32)}
 * </ul>
 *
 * <p>The exporter secret is what {@code MLS-Exporter(}{@value EnvelopeConstants#MLS_EXPORTER_LABEL}
 * {@code , "", 32)} (RFC 9420 §8.5) returns for the epoch; this class does not depend on MLS. The
 * two keys are independent: knowing the tag key lets one recognise envelopes but not read them.
 *
 * <p>Immutable and thread-safe. {@code toString()} shows no key material; {@code equals} runs in
 * constant time.
 */
public final class GroupEnvelopeKeys {

  private static final int KEY_LENGTH = 32;

  private final byte[] aeadKey;
  private final byte[] tagKey;
  // Never updated after construction; only copied (RFC 2104: H(K ^ ipad) and H(K ^ opad) states).
  private final SHA256Digest tagInner;
  private final SHA256Digest tagOuter;

  private GroupEnvelopeKeys(byte[] aeadKey, byte[] tagKey) {
    this.aeadKey = aeadKey;
    this.tagKey = tagKey;
    this.tagInner = keyedState(tagKey, (byte) 0x36);
    this.tagOuter = keyedState(tagKey, (byte) 0x5c);
  }

  /**
   * Derives the envelope keys of one epoch from its MLS exporter secret.
   *
   * @param exporterSecret the exporter output, 16 to 64 bytes; not modified or kept
   * @return the keys
   * @throws IllegalArgumentException if the secret's length is out of range
   */
  public static GroupEnvelopeKeys derive(byte[] exporterSecret) {
    Objects.requireNonNull(exporterSecret, "exporterSecret");
    if (exporterSecret.length < MIN_EXPORTER_SECRET || exporterSecret.length > MAX_EXPORTER_SECRET) {
      throw new IllegalArgumentException("exporter secret length " + exporterSecret.length
          + " is not in " + MIN_EXPORTER_SECRET + ".." + MAX_EXPORTER_SECRET);
    }
    return new GroupEnvelopeKeys(
        hkdf(exporterSecret, GROUP_AEAD_KEY_INFO), hkdf(exporterSecret, GROUP_TAG_KEY_INFO));
  }

  private static byte[] hkdf(byte[] ikm, byte[] info) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(ikm, GROUP_HKDF_SALT, info));
    byte[] out = new byte[KEY_LENGTH];
    hkdf.generateBytes(out, 0, KEY_LENGTH);
    return out;
  }

  /** HMAC-SHA256(aeadKey, nonce): the per-envelope ChaCha20-Poly1305 key. */
  byte[] messageKey(byte[] nonce) {
    return hmac(aeadKey, nonce, KEY_LENGTH);
  }

  /**
   * HMAC-SHA256(tagKey, nonce) truncated to {@code length} bytes: the envelope's channel tag.
   *
   * <p>RFC 2104 with the keyed inner and outer hash states computed once per key and copied per
   * call, which halves the work of a {@link TagIndex} lookup.
   */
  byte[] tag(byte[] nonce, int offset, int nonceLength, int length) {
    SHA256Digest inner = new SHA256Digest(tagInner);
    inner.update(nonce, offset, nonceLength);
    byte[] h = new byte[inner.getDigestSize()];
    inner.doFinal(h, 0);
    SHA256Digest outer = new SHA256Digest(tagOuter);
    outer.update(h, 0, h.length);
    outer.doFinal(h, 0);
    byte[] out = new byte[length];
    System.arraycopy(h, 0, out, 0, length);
    return out;
  }

  private static SHA256Digest keyedState(byte[] key, byte pad) {
    byte[] block = new byte[64];
    System.arraycopy(key, 0, block, 0, key.length);
    for (int i = 0; i < block.length; i++) {
      block[i] ^= pad;
    }
    SHA256Digest d = new SHA256Digest();
    d.update(block, 0, block.length);
    return d;
  }

  private static byte[] hmac(byte[] key, byte[] data, int length) {
    HMac mac = new HMac(new SHA256Digest());
    mac.init(new KeyParameter(key));
    mac.update(data, 0, data.length);
    byte[] full = new byte[mac.getMacSize()];
    mac.doFinal(full, 0);
    if (length == full.length) {
      return full;
    }
    byte[] out = new byte[length];
    System.arraycopy(full, 0, out, 0, length);
    return out;
  }

  /**
   * Compares both keys in constant time.
   *
   * @param o the other object
   * @return true if both keys are equal
   */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof GroupEnvelopeKeys)) {
      return false;
    }
    GroupEnvelopeKeys other = (GroupEnvelopeKeys) o;
    return MessageDigest.isEqual(aeadKey, other.aeadKey) & MessageDigest.isEqual(tagKey, other.tagKey);
  }

  /**
   * Returns a constant, so that hashing leaks nothing about the keys.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return GroupEnvelopeKeys.class.hashCode();
  }

  /**
   * Describes the object without key material.
   *
   * @return {@code GroupEnvelopeKeys[redacted]}
   */
  @Override
  public String toString() {
    return "GroupEnvelopeKeys[redacted]";
  }
}
