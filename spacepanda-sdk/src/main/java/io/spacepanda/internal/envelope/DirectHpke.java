package io.spacepanda.internal.envelope;

import io.spacepanda.internal.crypto.ChaChaPolyAead;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * HPKE (RFC 9180) in base mode for one suite, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
 * ChaCha20-Poly1305, single-shot (sequence number 0), for one fixed {@code info}: exactly what a
 * direct envelope needs, with less work per call than a general HPKE.
 *
 * <p>Why not BouncyCastle's {@code HPKE} (used before, and by the MLS engine): it is general and
 * runs every step in pure Java. Here the X25519 scalar multiplications are still BouncyCastle's
 * ({@code X25519.scalarMult}/{@code scalarMultBase}, the fastest we measured on the JDKs we run),
 * but HKDF runs on the JDK's {@code HmacSHA256} (SHA-256 has CPU intrinsics in HotSpot), the two
 * key-schedule hashes that depend only on {@code info} ({@code psk_id_hash}, {@code info_hash},
 * RFC 9180 §5.1) are computed once per instance, and the AEAD is {@link ChaChaPolyAead} with its
 * per-thread engine. The output is byte for byte the RFC's: {@code DirectEnvelopeTest} opens its
 * envelopes with BouncyCastle's and Tink's HPKE and the other way round.
 *
 * <p>Steps (RFC 9180): §4.1 DHKEM {@code Encap}/{@code Decap} with {@code ExtractAndExpand};
 * §7.1.4: a DH result of all zeros (a small-order public key) is an error; §5.1 {@code
 * KeySchedule} for mode_base with empty psk and psk_id; §5.2 {@code Seal}/{@code Open} with the
 * base nonce. Thread-safe: state per call, {@link Mac} and AEAD per thread.
 */
final class DirectHpke {

  /** Length of {@code enc}: an X25519 public key. */
  static final int ENC_LENGTH = 32;

  private static final int NH = 32;
  private static final int NK = 32;
  private static final int NN = 12;
  private static final byte[] HPKE_V1 = ascii("HPKE-v1");
  /** "KEM" ‖ I2OSP(kem_id = 0x0020, 2) (RFC 9180 §4.1). */
  private static final byte[] KEM_SUITE = {'K', 'E', 'M', 0x00, 0x20};
  /** "HPKE" ‖ kem_id ‖ kdf_id (0x0001) ‖ aead_id (0x0003) (RFC 9180 §5.1). */
  private static final byte[] HPKE_SUITE = {'H', 'P', 'K', 'E', 0x00, 0x20, 0x00, 0x01, 0x00, 0x03};
  private static final byte[] EAE_PRK = ascii("eae_prk");
  private static final byte[] SHARED_SECRET = ascii("shared_secret");
  private static final byte[] SECRET = ascii("secret");
  private static final byte[] KEY = ascii("key");
  private static final byte[] BASE_NONCE = ascii("base_nonce");
  private static final byte[] EMPTY = new byte[0];
  /** HMAC with an empty key equals HMAC with HashLen zeros (RFC 2104 pads keys with zeros). */
  private static final byte[] ZERO_SALT = new byte[NH];

  private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  });

  /**
   * Tables of recipients' inbox keys sealed to before: the agreement with a known key costs about
   * a third of the ladder ({@link X25519Table}); shared by all instances.
   */
  private static final X25519Table.Cache TABLES = new X25519Table.Cache();

  /** mode (0) ‖ psk_id_hash ‖ info_hash: fixed for a fixed info. */
  private final byte[] keyScheduleContext;

  DirectHpke(byte[] info) {
    byte[] pskIdHash = labeledExtract(HPKE_SUITE, ZERO_SALT, ascii("psk_id_hash"), EMPTY);
    byte[] infoHash = labeledExtract(HPKE_SUITE, ZERO_SALT, ascii("info_hash"), info);
    keyScheduleContext = new byte[1 + NH + NH];
    System.arraycopy(pskIdHash, 0, keyScheduleContext, 1, NH);
    System.arraycopy(infoHash, 0, keyScheduleContext, 1 + NH, NH);
  }

  /**
   * Seals {@code len} bytes to a recipient's public key: writes {@code enc} at {@code encOff} and
   * the ciphertext with its tag ({@code len + 16} bytes) right after it.
   *
   * @param recipient the recipient's X25519 public key, 32 bytes
   * @param in plaintext array
   * @param off plaintext offset
   * @param len plaintext length
   * @param out output array with room for {@code 32 + len + 16} bytes at {@code encOff}
   * @param encOff where {@code enc} goes
   * @param random source of the ephemeral key
   * @throws IllegalArgumentException if the recipient key is of small order (DH gives zero)
   */
  void seal(byte[] recipient, byte[] in, int off, int len, byte[] out, int encOff,
      SecureRandom random) {
    byte[] ephemeral = new byte[X25519.SCALAR_SIZE];
    byte[] dh = new byte[X25519.POINT_SIZE];
    try {
      X25519.generatePrivateKey(random, ephemeral);
      X25519.scalarMultBase(ephemeral, 0, out, encOff);
      X25519Table table = TABLES.tableFor(recipient);
      boolean ok = table != null ? table.agree(ephemeral, dh, 0)
          : X25519.calculateAgreement(ephemeral, 0, recipient, 0, dh, 0);
      if (!ok) {
        throw new IllegalArgumentException("not a usable X25519 inbox key (small order)");
      }
      byte[] keyAndNonce = keySchedule(dh, out, encOff, recipient);
      ChaChaPolyAead.forThread().seal(Arrays.copyOf(keyAndNonce, NK),
          Arrays.copyOfRange(keyAndNonce, NK, NK + NN), null, 0, 0, in, off, len, out,
          encOff + ENC_LENGTH);
      Arrays.fill(keyAndNonce, (byte) 0);
    } finally {
      Arrays.fill(ephemeral, (byte) 0);
      Arrays.fill(dh, (byte) 0);
    }
  }

  /**
   * Opens a ciphertext sealed to {@code privateKey}.
   *
   * @param privateKey the recipient's X25519 private key
   * @param publicKey the recipient's X25519 public key
   * @param enc the 32-byte {@code enc}
   * @param in ciphertext array
   * @param off ciphertext offset
   * @param len ciphertext length including the tag
   * @return the plaintext
   * @throws AEADBadTagException if the DH result is zero or authentication fails
   */
  byte[] open(byte[] privateKey, byte[] publicKey, byte[] enc, byte[] in, int off, int len)
      throws AEADBadTagException {
    if (len < ChaChaPolyAead.TAG_LENGTH) {
      throw new AEADBadTagException("too short");
    }
    byte[] dh = new byte[X25519.POINT_SIZE];
    try {
      if (!X25519.calculateAgreement(privateKey, 0, enc, 0, dh, 0)) {
        throw new AEADBadTagException("small-order enc");
      }
      byte[] keyAndNonce = keySchedule(dh, enc, 0, publicKey);
      byte[] out = new byte[len - ChaChaPolyAead.TAG_LENGTH];
      try {
        ChaChaPolyAead.forThread().open(Arrays.copyOf(keyAndNonce, NK),
            Arrays.copyOfRange(keyAndNonce, NK, NK + NN), null, 0, 0, in, off, len, out, 0);
      } finally {
        Arrays.fill(keyAndNonce, (byte) 0);
      }
      return out;
    } finally {
      Arrays.fill(dh, (byte) 0);
    }
  }

  /**
   * DHKEM's ExtractAndExpand (§4.1) then KeySchedule (§5.1) for mode_base.
   *
   * @return key (32 bytes) ‖ base_nonce (12 bytes)
   */
  private byte[] keySchedule(byte[] dh, byte[] enc, int encOff, byte[] recipient) {
    byte[] kemContext = new byte[ENC_LENGTH + ENC_LENGTH];
    System.arraycopy(enc, encOff, kemContext, 0, ENC_LENGTH);
    System.arraycopy(recipient, 0, kemContext, ENC_LENGTH, ENC_LENGTH);
    byte[] eaePrk = labeledExtract(KEM_SUITE, ZERO_SALT, EAE_PRK, dh);
    byte[] sharedSecret = labeledExpand(KEM_SUITE, eaePrk, SHARED_SECRET, kemContext, NH);
    // secret = LabeledExtract(shared_secret, "secret", psk = "")
    byte[] secret = labeledExtract(HPKE_SUITE, sharedSecret, SECRET, EMPTY);
    byte[] out = new byte[NK + NN];
    System.arraycopy(labeledExpand(HPKE_SUITE, secret, KEY, keyScheduleContext, NK), 0, out, 0,
        NK);
    System.arraycopy(labeledExpand(HPKE_SUITE, secret, BASE_NONCE, keyScheduleContext, NN), 0,
        out, NK, NN);
    Arrays.fill(eaePrk, (byte) 0);
    Arrays.fill(sharedSecret, (byte) 0);
    Arrays.fill(secret, (byte) 0);
    return out;
  }

  /** LabeledExtract(salt, label, ikm) = HMAC(salt, "HPKE-v1" ‖ suite ‖ label ‖ ikm). */
  private static byte[] labeledExtract(byte[] suite, byte[] salt, byte[] label, byte[] ikm) {
    Mac mac = mac(salt);
    mac.update(HPKE_V1);
    mac.update(suite);
    mac.update(label);
    mac.update(ikm);
    return mac.doFinal();
  }

  /**
   * LabeledExpand(prk, label, info, L) for L ≤ 32: the first L bytes of T(1) = HMAC(prk,
   * I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite ‖ label ‖ info ‖ 0x01).
   */
  private static byte[] labeledExpand(byte[] suite, byte[] prk, byte[] label, byte[] info,
      int length) {
    Mac mac = mac(prk);
    mac.update((byte) (length >>> 8));
    mac.update((byte) length);
    mac.update(HPKE_V1);
    mac.update(suite);
    mac.update(label);
    mac.update(info);
    mac.update((byte) 1);
    byte[] t = mac.doFinal();
    return length == NH ? t : Arrays.copyOf(t, length);
  }

  private static Mac mac(byte[] key) {
    Mac mac = HMAC.get();
    try {
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return mac;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
