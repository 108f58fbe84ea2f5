package io.spacepanda.internal.net.mix;

import io.spacepanda.PeerId;
import io.spacepanda.internal.crypto.IdentityKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * One epoch mix key of a node, signed by the node's Ed25519 identity key: what a sender checks
 * before it builds a Sphinx header for that node.
 *
 * <p>The design follows the mix PKI of Loopix (Piotrowska et al. 2017, §4.1: mixes publish
 * short-lived public keys with a validity period, and senders use only keys valid now) in the
 * shape of a Katzenpost mix descriptor (per-epoch X25519 mix keys signed by the long-term
 * identity key); the byte layout is this library's own (the libp2p mix spec, {@code /mix/1.0.0}
 * §4, leaves key distribution to discovery). Encoding, exactly {@value #LENGTH} bytes:
 *
 * <pre>
 * record  = version(1) = 1 ‖ epoch(8) ‖ validFrom(8) ‖ validUntil(8) ‖ key(32) ‖ signature(64)
 * signed  = "spacepanda/mix-key/1" ‖ owner peer id bytes ‖ version ‖ epoch ‖ validFrom ‖ validUntil ‖ key
 * </pre>
 *
 * <p>Integers are big-endian; times are milliseconds since the Unix epoch. {@code epoch} counts
 * the owner's keys (1, 2, 3, … since it started); {@code validFrom ≤ validUntil ≤ validFrom +}
 * {@value #MAX_VALIDITY_MILLIS} ms; the key is an X25519 point that is not of low order. The
 * owner's peer id is signed but not encoded: the reader names whose record it expects, so a
 * record replayed as another peer's fails its signature.
 *
 * @param epoch the key's number in the owner's rotation order, at least 1
 * @param validFrom when the owner started using the key (ms since the Unix epoch)
 * @param validUntil when the owner stops accepting packets for it (ms since the Unix epoch)
 * @param key the 32-byte X25519 public key
 * @param signature the 64-byte Ed25519 signature by the owner's identity key
 */
public record MixKeyRecord(long epoch, long validFrom, long validUntil, byte[] key,
    byte[] signature) {

  /** Bytes of an encoded record. */
  public static final int LENGTH = 1 + 8 + 8 + 8 + 32 + 64;
  /** The only version. */
  public static final int VERSION = 1;
  /** Longest validity window a record may claim: 7 days. */
  public static final long MAX_VALIDITY_MILLIS = 7L * 24 * 3600 * 1000;
  /** How far a record's start may be ahead of the reader's clock: 5 minutes. */
  public static final long CLOCK_SKEW_MILLIS = 5L * 60 * 1000;

  private static final byte[] DOMAIN = "spacepanda/mix-key/1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ZERO_SIGNATURE = new byte[64];

  /** Checks sizes and ranges; the signature is checked by {@link #verify}. */
  public MixKeyRecord {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(signature, "signature");
    if (key.length != 32 || signature.length != 64) {
      throw new IllegalArgumentException("a mix key is 32 bytes and its signature 64");
    }
    if (epoch < 1 || validFrom < 0 || validUntil < validFrom
        || validUntil - validFrom > MAX_VALIDITY_MILLIS) {
      throw new IllegalArgumentException("epoch or validity window out of range");
    }
    key = key.clone();
    signature = signature.clone();
  }

  /** @return a copy of the 32-byte X25519 key */
  @Override
  public byte[] key() {
    return key.clone();
  }

  /** @return a copy of the 64-byte signature */
  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /**
   * Signs a new record.
   *
   * @param owner the signer's peer id (bound into the signature)
   * @param epoch the key's number, at least 1
   * @param validFrom start of validity, ms
   * @param validUntil end of validity, ms
   * @param key the X25519 public key
   * @param signer signs bytes with the owner's identity key (Ed25519)
   * @return the signed record
   */
  public static MixKeyRecord sign(PeerId owner, long epoch, long validFrom, long validUntil,
      byte[] key, UnaryOperator<byte[]> signer) {
    MixKeyRecord unsigned = new MixKeyRecord(epoch, validFrom, validUntil, key, ZERO_SIGNATURE);
    byte[] sig = signer.apply(unsigned.signedBytes(owner));
    return new MixKeyRecord(epoch, validFrom, validUntil, key, sig);
  }

  /**
   * Encodes the record.
   *
   * @return {@value #LENGTH} bytes
   */
  public byte[] encode() {
    return ByteBuffer.allocate(LENGTH).put((byte) VERSION).putLong(epoch).putLong(validFrom)
        .putLong(validUntil).put(key).put(signature).array();
  }

  /**
   * Decodes a record; the signature is not checked (see {@link #verify}).
   *
   * @param b exactly {@value #LENGTH} bytes
   * @return the record
   * @throws MixKeyException MALFORMED for a wrong length, version or range, or a low-order key
   */
  public static MixKeyRecord decode(byte[] b) throws MixKeyException {
    if (b == null || b.length != LENGTH || (b[0] & 0xff) != VERSION) {
      throw new MixKeyException(MixKeyException.Reason.MALFORMED);
    }
    ByteBuffer in = ByteBuffer.wrap(b, 1, LENGTH - 1);
    long epoch = in.getLong();
    long from = in.getLong();
    long until = in.getLong();
    byte[] key = new byte[32];
    byte[] sig = new byte[64];
    in.get(key).get(sig);
    if (!usableKey(key)) {
      throw new MixKeyException(MixKeyException.Reason.MALFORMED);
    }
    try {
      return new MixKeyRecord(epoch, from, until, key, sig);
    } catch (IllegalArgumentException e) {
      throw new MixKeyException(MixKeyException.Reason.MALFORMED);
    }
  }

  /**
   * Checks that {@code owner} signed this record and that a packet built now for its key
   * arrives while the owner still accepts it.
   *
   * @param owner whose record it should be
   * @param nowMillis the reader's clock
   * @param marginMillis how long before {@link #validUntil()} the key stops being used, the
   *     longest a packet may be under way
   * @throws MixKeyException UNSIGNED, BAD_SIGNATURE, NO_IDENTITY_KEY, NOT_YET_VALID or EXPIRED
   */
  public void verify(PeerId owner, long nowMillis, long marginMillis) throws MixKeyException {
    Objects.requireNonNull(owner, "owner");
    if (Arrays.equals(signature, ZERO_SIGNATURE)) {
      throw new MixKeyException(MixKeyException.Reason.UNSIGNED);
    }
    if (owner.ed25519PublicKey().isEmpty()) {
      throw new MixKeyException(MixKeyException.Reason.NO_IDENTITY_KEY);
    }
    if (!usableKey(key) || !IdentityKey.verify(owner, signedBytes(owner), signature)) {
      throw new MixKeyException(MixKeyException.Reason.BAD_SIGNATURE);
    }
    if (validFrom > nowMillis + CLOCK_SKEW_MILLIS) {
      throw new MixKeyException(MixKeyException.Reason.NOT_YET_VALID);
    }
    if (nowMillis + marginMillis >= validUntil) {
      throw new MixKeyException(MixKeyException.Reason.EXPIRED);
    }
  }

  private byte[] signedBytes(PeerId owner) {
    byte[] id = owner.bytes();
    byte[] body = encode();
    return ByteBuffer.allocate(DOMAIN.length + id.length + LENGTH - 64).put(DOMAIN).put(id)
        .put(body, 0, LENGTH - 64).array();
  }

  /** Whether X25519 with this point gives a non-zero secret (it is not of low order). */
  private static boolean usableKey(byte[] key) {
    byte[] scalar = new byte[X25519.SCALAR_SIZE];
    scalar[0] = 9;
    byte[] out = new byte[X25519.POINT_SIZE];
    return X25519.calculateAgreement(scalar, 0, key, 0, out, 0);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MixKeyRecord r && r.epoch == epoch && r.validFrom == validFrom
        && r.validUntil == validUntil && Arrays.equals(r.key, key)
        && Arrays.equals(r.signature, signature);
  }

  @Override
  public int hashCode() {
    return Objects.hash(epoch, validFrom, validUntil, Arrays.hashCode(key));
  }

  @Override
  public String toString() {
    return "MixKeyRecord[epoch=" + epoch + ", " + validFrom + ".." + validUntil + "]";
  }
}
