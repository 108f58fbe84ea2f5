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
import org.bouncycastle.crypto.params.HKDFParameters;

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
  private final SHA256Digest aeadInner;
  private final SHA256Digest aeadOuter;

  /** Per-thread scratch: a digest to restore keyed states into, and the inner hash. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final class Scratch {
    final SHA256Digest digest = new SHA256Digest();
    final byte[] hash = new byte[32];
  }

  private GroupEnvelopeKeys(byte[] aeadKey, byte[] tagKey) {
    this.aeadKey = aeadKey;
    this.tagKey = tagKey;
    this.tagInner = keyedState(tagKey, (byte) 0x36);
    this.tagOuter = keyedState(tagKey, (byte) 0x5c);
    this.aeadInner = keyedState(aeadKey, (byte) 0x36);
    this.aeadOuter = keyedState(aeadKey, (byte) 0x5c);
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
    byte[] out = new byte[KEY_LENGTH];
    hmac(aeadInner, aeadOuter, nonce, 0, nonce.length, out, KEY_LENGTH);
    return out;
  }

  /**
   * HMAC-SHA256(tagKey, nonce) truncated to {@code length} bytes: the envelope's channel tag.
   *
   * <p>RFC 2104 with the keyed inner and outer hash states computed once per key and copied per
   * call, which halves the work of a {@link TagIndex} lookup.
   */
  byte[] tag(byte[] nonce, int offset, int nonceLength, int length) {
    byte[] out = new byte[length];
    hmac(tagInner, tagOuter, nonce, offset, nonceLength, out, length);
    return out;
  }

  /**
   * Tells whether {@code actual[actualOffset..+length]} is the tag of the nonce, in constant time
   * and without allocating.
   */
  boolean tagMatches(byte[] nonce, int offset, int nonceLength, byte[] actual, int actualOffset,
      int length) {
    Scratch s = SCRATCH.get();
    hmacInto(s, tagInner, tagOuter, nonce, offset, nonceLength);
    int diff = 0;
    for (int i = 0; i < length; i++) {
      diff |= s.hash[i] ^ actual[actualOffset + i];
    }
    return diff == 0;
  }

  /** HMAC-SHA256 from precomputed keyed states, truncated to {@code length} bytes into out. */
  private static void hmac(SHA256Digest inner, SHA256Digest outer, byte[] data, int offset,
      int dataLength, byte[] out, int length) {
    Scratch s = SCRATCH.get();
    hmacInto(s, inner, outer, data, offset, dataLength);
    System.arraycopy(s.hash, 0, out, 0, length);
  }

  private static void hmacInto(Scratch s, SHA256Digest inner, SHA256Digest outer, byte[] data,
      int offset, int dataLength) {
    SHA256Digest d = s.digest;
    d.reset(inner);
    d.update(data, offset, dataLength);
    d.doFinal(s.hash, 0);
    d.reset(outer);
    d.update(s.hash, 0, s.hash.length);
    d.doFinal(s.hash, 0);
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
