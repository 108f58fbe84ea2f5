package io.spacepanda.internal.mls.crypto;

import io.spacepanda.internal.mls.MlsDecryptionException;
import io.spacepanda.internal.mls.codec.TlsWriter;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.Ed448PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed448PublicKeyParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X448PrivateKeyParameters;
import org.bouncycastle.crypto.signers.DSAEncoding;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.Ed448Signer;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;

/**
 * One MLS cipher suite (RFC 9420 §5.1, IANA registry §17.1) and the labelled operations of §5:
 * {@code ExpandWithLabel}, {@code DeriveSecret}, {@code DeriveTreeSecret}, {@code RefHash},
 * {@code SignWithLabel}/{@code VerifyWithLabel} and {@code EncryptWithLabel}/{@code
 * DecryptWithLabel}, plus the KDF, MAC, AEAD and HPKE primitives they stand on.
 *
 * <p>The suite is an explicit value passed to whoever needs it, never global state. Instances are
 * immutable and thread-safe. Primitives come from BouncyCastle's lightweight API, except AES-GCM and
 * HMAC, which use the JCA (hardware accelerated on HotSpot).
 *
 * <p>Suites 0x0001–0x0007 are supported: X25519/P-256/X448/P-521/P-384 KEMs, AES-GCM and
 * ChaCha20-Poly1305, SHA-256/384/512, Ed25519/P-256/Ed448/P-521/P-384 signatures. ECDSA signatures
 * are DER-encoded and deterministic (RFC 6979), public keys uncompressed SEC1 points.
 */
public final class CipherSuite {

  /** MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519. */
  public static final CipherSuite X25519_AES128GCM_SHA256_ED25519 =
      new CipherSuite(1, HPKE.kem_X25519_SHA256, Hash.SHA256, Aead.AES128GCM, Sig.ED25519);
  /** MLS_128_DHKEMP256_AES128GCM_SHA256_P256. */
  public static final CipherSuite P256_AES128GCM_SHA256_P256 =
      new CipherSuite(2, HPKE.kem_P256_SHA256, Hash.SHA256, Aead.AES128GCM, Sig.P256);
  /** MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519. */
  public static final CipherSuite X25519_CHACHA20POLY1305_SHA256_ED25519 =
      new CipherSuite(3, HPKE.kem_X25519_SHA256, Hash.SHA256, Aead.CHACHA20POLY1305, Sig.ED25519);
  /** MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448. */
  public static final CipherSuite X448_AES256GCM_SHA512_ED448 =
      new CipherSuite(4, HPKE.kem_X448_SHA512, Hash.SHA512, Aead.AES256GCM, Sig.ED448);
  /** MLS_256_DHKEMP521_AES256GCM_SHA512_P521. */
  public static final CipherSuite P521_AES256GCM_SHA512_P521 =
      new CipherSuite(5, HPKE.kem_P521_SHA512, Hash.SHA512, Aead.AES256GCM, Sig.P521);
  /** MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448. */
  public static final CipherSuite X448_CHACHA20POLY1305_SHA512_ED448 =
      new CipherSuite(6, HPKE.kem_X448_SHA512, Hash.SHA512, Aead.CHACHA20POLY1305, Sig.ED448);
  /** MLS_256_DHKEMP384_AES256GCM_SHA384_P384. */
  public static final CipherSuite P384_AES256GCM_SHA384_P384 =
      new CipherSuite(7, HPKE.kem_P384_SHA348, Hash.SHA384, Aead.AES256GCM, Sig.P384);

  private static final CipherSuite[] ALL = {
    X25519_AES128GCM_SHA256_ED25519, P256_AES128GCM_SHA256_P256,
    X25519_CHACHA20POLY1305_SHA256_ED25519, X448_AES256GCM_SHA512_ED448,
    P521_AES256GCM_SHA512_P521, X448_CHACHA20POLY1305_SHA512_ED448, P384_AES256GCM_SHA384_P384
  };

  private static final byte[] LABEL_PREFIX = "MLS 1.0 ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EMPTY = new byte[0];

  private enum Hash {
    SHA256("HmacSHA256", 32, HPKE.kdf_HKDF_SHA256),
    SHA384("HmacSHA384", 48, HPKE.kdf_HKDF_SHA384),
    SHA512("HmacSHA512", 64, HPKE.kdf_HKDF_SHA512);

    final String hmac;
    final int length;
    final short hpkeKdf;

    Hash(String hmac, int length, short hpkeKdf) {
      this.hmac = hmac;
      this.length = length;
      this.hpkeKdf = hpkeKdf;
    }

    Digest digest() {
      switch (this) {
        case SHA256:
          return new SHA256Digest();
        case SHA384:
          return new SHA384Digest();
        default:
          return new SHA512Digest();
      }
    }
  }

  private enum Aead {
    AES128GCM(16, HPKE.aead_AES_GCM128),
    AES256GCM(32, HPKE.aead_AES_GCM256),
    CHACHA20POLY1305(32, HPKE.aead_CHACHA20_POLY1305);

    final int keyLength;
    final short hpkeAead;

    Aead(int keyLength, short hpkeAead) {
      this.keyLength = keyLength;
      this.hpkeAead = hpkeAead;
    }
  }

  private enum Sig {
    ED25519(null, null),
    ED448(null, null),
    P256("P-256", Hash.SHA256),
    P384("P-384", Hash.SHA384),
    P521("P-521", Hash.SHA512);

    final ECDomainParameters domain;
    final Hash hash;

    Sig(String curve, Hash hash) {
      this.hash = hash;
      if (curve == null) {
        this.domain = null;
      } else {
        X9ECParameters p = ECNamedCurveTable.getByName(curve);
        this.domain = new ECDomainParameters(p.getCurve(), p.getG(), p.getN(), p.getH(), p.getSeed());
      }
    }
  }

  private final int id;
  private final short kem;
  private final Hash hash;
  private final Aead aead;
  private final Sig sig;
  private final ThreadLocal<Mac> hmac;
  private final ThreadLocal<java.security.MessageDigest> digest;
  /** BouncyCastle's HPKE keeps mutable KDF state: one instance per thread, built once. */
  private final ThreadLocal<HPKE> hpke;
  /** One AES-GCM Cipher per thread, re-initialized per call (JCA lookup is not free). */
  private final ThreadLocal<Cipher> aesGcm = ThreadLocal.withInitial(CipherSuite::newAesGcm);

  private CipherSuite(int id, short kem, Hash hash, Aead aead, Sig sig) {
    this.id = id;
    this.kem = kem;
    this.hash = hash;
    this.aead = aead;
    this.sig = sig;
    this.hmac = ThreadLocal.withInitial(() -> {
      try {
        return Mac.getInstance(hash.hmac);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("JCA lacks " + hash.hmac, e);
      }
    });
    this.hpke = ThreadLocal.withInitial(
        () -> new HPKE(HPKE.mode_base, kem, hash.hpkeKdf, aead.hpkeAead));
    String mdName = hash == Hash.SHA256 ? "SHA-256" : hash == Hash.SHA384 ? "SHA-384" : "SHA-512";
    this.digest = ThreadLocal.withInitial(() -> {
      try {
        return java.security.MessageDigest.getInstance(mdName);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("JCA lacks " + mdName, e);
      }
    });
  }

  /**
   * Looks up a suite by its IANA value.
   *
   * @param id the {@code CipherSuite} code point
   * @return the suite, or empty when it is not supported
   */
  public static Optional<CipherSuite> byId(int id) {
    return id >= 1 && id <= ALL.length ? Optional.of(ALL[id - 1]) : Optional.empty();
  }

  /** @return the IANA code point */
  public int id() {
    return id;
  }

  /** @return Nh, the hash (and KDF) output length */
  public int hashLength() {
    return hash.length;
  }

  /** @return Nk, the AEAD key length */
  public int aeadKeyLength() {
    return aead.keyLength;
  }

  /** @return Nn, the AEAD nonce length (12 for every supported AEAD) */
  public int aeadNonceLength() {
    return 12;
  }

  // ---------------------------------------------------------------- hash, MAC, KDF

  /**
   * @param data input
   * @return Hash(data)
   */
  public byte[] hash(byte[] data) {
    return digest.get().digest(data);
  }

  /**
   * @param key MAC key
   * @param data input
   * @return HMAC(key, data) with the suite's hash (RFC 9420 §5.1 MAC)
   */
  public byte[] mac(byte[] key, byte[] data) {
    return macFor(key).doFinal(data);
  }

  private Mac macFor(byte[] key) {
    Mac m = hmac.get();
    try {
      // JCA refuses empty keys; RFC 2104 pads keys with zeros to the block size, so an empty key
      // is the same as a block of zeros.
      byte[] k = key.length == 0 ? new byte[hash == Hash.SHA256 ? 64 : 128] : key;
      m.init(new SecretKeySpec(k, hash.hmac));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return m;
  }

  /**
   * @param salt HKDF salt (may be empty)
   * @param ikm input keying material
   * @return HKDF-Extract(salt, ikm)
   */
  public byte[] extract(byte[] salt, byte[] ikm) {
    return mac(salt, ikm);
  }

  /**
   * @param prk a pseudorandom key
   * @param info context
   * @param length output length, at most 255 * Nh
   * @return HKDF-Expand(prk, info, length)
   */
  public byte[] expand(byte[] prk, byte[] info, int length) {
    int n = (length + hash.length - 1) / hash.length;
    if (n > 255 || length < 0) {
      throw new IllegalArgumentException("HKDF output too long: " + length);
    }
    Mac m = macFor(prk);
    byte[] out = new byte[length];
    byte[] t = EMPTY;
    int off = 0;
    for (int i = 1; i <= n; i++) {
      m.update(t);
      m.update(info);
      m.update((byte) i);
      t = m.doFinal();
      int c = Math.min(t.length, length - off);
      System.arraycopy(t, 0, out, off, c);
      off += c;
    }
    return out;
  }

  private static byte[] label(String label) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(LABEL_PREFIX, LABEL_PREFIX.length + l.length);
    System.arraycopy(l, 0, out, LABEL_PREFIX.length, l.length);
    return out;
  }

  /**
   * {@code ExpandWithLabel} (RFC 9420 §5.1.2).
   *
   * @param secret the secret
   * @param label the label, without the "MLS 1.0 " prefix
   * @param context the context
   * @param length output length
   * @return the derived bytes
   */
  public byte[] expandWithLabel(byte[] secret, String label, byte[] context, int length) {
    byte[] info = new TlsWriter(32 + context.length).u16(length).opaque(label(label))
        .opaque(context).toByteArray();
    return expand(secret, info, length);
  }

  /**
   * {@code DeriveSecret(secret, label)} = ExpandWithLabel(secret, label, "", Nh).
   *
   * @param secret the secret
   * @param label the label
   * @return Nh derived bytes
   */
  public byte[] deriveSecret(byte[] secret, String label) {
    return expandWithLabel(secret, label, EMPTY, hash.length);
  }

  /**
   * {@code DeriveTreeSecret} (RFC 9420 §9.1).
   *
   * @param secret the secret
   * @param label the label
   * @param generation the generation, as uint32
   * @param length output length
   * @return the derived bytes
   */
  public byte[] deriveTreeSecret(byte[] secret, String label, long generation, int length) {
    return expandWithLabel(secret, label, new TlsWriter(4).u32(generation).toByteArray(), length);
  }

  /**
   * {@code RefHash} (RFC 9420 §5.2).
   *
   * @param label e.g. "MLS 1.0 KeyPackage Reference" (used as is, no prefix added)
   * @param value the encoded value
   * @return the reference
   */
  public byte[] refHash(String label, byte[] value) {
    return hash(new TlsWriter(value.length + 40).opaque(label).opaque(value).toByteArray());
  }

  // ---------------------------------------------------------------- AEAD

  /**
   * AEAD encryption.
   *
   * @param key Nk bytes
   * @param nonce Nn bytes
   * @param aad associated data
   * @param plaintext plaintext
   * @return ciphertext with tag
   */
  public byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    try {
      if (aead == Aead.CHACHA20POLY1305) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305();
        c.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
        byte[] out = new byte[c.getOutputSize(plaintext.length)];
        int n = c.processBytes(plaintext, 0, plaintext.length, out, 0);
        c.doFinal(out, n);
        return out;
      }
      Cipher c = aesGcm(Cipher.ENCRYPT_MODE, key, nonce);
      c.updateAAD(aad);
      return c.doFinal(plaintext);
    } catch (GeneralSecurityException | InvalidCipherTextException e) {
      throw new IllegalStateException("AEAD encryption failed", e);
    }
  }

  /**
   * AEAD decryption.
   *
   * @param key Nk bytes
   * @param nonce Nn bytes
   * @param aad associated data
   * @param ciphertext ciphertext with tag
   * @return plaintext
   * @throws MlsDecryptionException if authentication fails or the input is malformed
   */
  public byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext)
      throws MlsDecryptionException {
    if (ciphertext.length < 16 || key.length != aead.keyLength || nonce.length != 12) {
      throw new MlsDecryptionException("decryption failed");
    }
    try {
      if (aead == Aead.CHACHA20POLY1305) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305();
        c.init(false, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
        byte[] out = new byte[c.getOutputSize(ciphertext.length)];
        int n = c.processBytes(ciphertext, 0, ciphertext.length, out, 0);
        c.doFinal(out, n);
        return out;
      }
      Cipher c = aesGcm(Cipher.DECRYPT_MODE, key, nonce);
      c.updateAAD(aad);
      return c.doFinal(ciphertext);
    } catch (GeneralSecurityException | InvalidCipherTextException | RuntimeException e) {
      throw new MlsDecryptionException("decryption failed", e);
    }
  }

  // ---------------------------------------------------------------- signatures

  /**
   * Generates a signature key pair.
   *
   * @param random randomness
   * @return the pair
   */
  public KeyPair generateSignatureKeyPair(SecureRandom random) {
    switch (sig) {
      case ED25519: {
        Ed25519PrivateKeyParameters k = new Ed25519PrivateKeyParameters(random);
        return new KeyPair(k.getEncoded(), k.generatePublicKey().getEncoded());
      }
      case ED448: {
        Ed448PrivateKeyParameters k = new Ed448PrivateKeyParameters(random);
        return new KeyPair(k.getEncoded(), k.generatePublicKey().getEncoded());
      }
      default: {
        BigInteger d = randomScalar(sig.domain, random);
        return new KeyPair(scalarBytes(d, sig.domain), ecPublic(sig.domain, d));
      }
    }
  }

  /**
   * Computes the public signature key of a private one.
   *
   * @param privateKey the private key bytes
   * @return its public key bytes
   */
  public byte[] signaturePublicKey(byte[] privateKey) {
    switch (sig) {
      case ED25519:
        return new Ed25519PrivateKeyParameters(privateKey).generatePublicKey().getEncoded();
      case ED448:
        return new Ed448PrivateKeyParameters(privateKey).generatePublicKey().getEncoded();
      default:
        return ecPublic(sig.domain, new BigInteger(1, privateKey));
    }
  }

  /**
   * {@code SignWithLabel} (RFC 9420 §5.1.2).
   *
   * @param privateKey the signer's private key
   * @param label the label, without prefix
   * @param content the content
   * @return the signature
   */
  public byte[] signWithLabel(byte[] privateKey, String label, byte[] content) {
    return sign(privateKey, signContent(label, content));
  }

  /**
   * {@code VerifyWithLabel} (RFC 9420 §5.1.2). Malformed keys or signatures verify as false.
   *
   * @param publicKey the signer's public key
   * @param label the label, without prefix
   * @param content the content
   * @param signature the signature
   * @return whether the signature is valid
   */
  public boolean verifyWithLabel(byte[] publicKey, String label, byte[] content, byte[] signature) {
    try {
      return verify(publicKey, signContent(label, content), signature);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static byte[] signContent(String label, byte[] content) {
    return new TlsWriter(content.length + 48).opaque(label(label)).opaque(content).toByteArray();
  }

  private byte[] sign(byte[] privateKey, byte[] message) {
    switch (sig) {
      case ED25519: {
        Ed25519Signer s = new Ed25519Signer();
        s.init(true, cachedSigningKey(privateKey));
        s.update(message, 0, message.length);
        return s.generateSignature();
      }
      case ED448: {
        Ed448Signer s = new Ed448Signer(EMPTY);
        s.init(true, cachedSigningKey(privateKey));
        s.update(message, 0, message.length);
        return s.generateSignature();
      }
      default: {
        Digest d = sig.hash.digest();
        ECDSASigner s = new ECDSASigner(new HMacDSAKCalculator(sig.hash.digest()));
        s.init(true, new ECPrivateKeyParameters(new BigInteger(1, privateKey), sig.domain));
        byte[] h = digest(d, message);
        BigInteger[] rs = s.generateSignature(h);
        try {
          return StandardDSAEncoding.INSTANCE.encode(sig.domain.getN(), rs[0], rs[1]);
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /**
   * Parsing an EdDSA private key derives its public key (a scalar multiplication) the first time it
   * signs; a group signs every message with the same key array, so the parsed key is kept per
   * thread and reused while the caller passes the same array instance.
   */
  private static final class SigningKeyCache {
    byte[] raw;
    AsymmetricKeyParameter parsed;
  }

  private final ThreadLocal<SigningKeyCache> signingKeys = ThreadLocal.withInitial(SigningKeyCache::new);

  private AsymmetricKeyParameter cachedSigningKey(byte[] privateKey) {
    SigningKeyCache c = signingKeys.get();
    if (c.raw != privateKey) {
      c.parsed = sig == Sig.ED25519 ? new Ed25519PrivateKeyParameters(privateKey)
          : new Ed448PrivateKeyParameters(privateKey);
      c.raw = privateKey;
    }
    return c.parsed;
  }

  /**
   * Parsing an EdDSA public key decompresses its point; group members verify the same few keys over
   * and over, so parsed keys are kept in a bounded cache keyed by their bytes.
   */
  private final Cache<ByteBuffer, AsymmetricKeyParameter> verifyingKeys =
      Caffeine.newBuilder().maximumSize(4096).executor(Runnable::run).build();

  private AsymmetricKeyParameter verifyingKey(byte[] publicKey) {
    return verifyingKeys.get(ByteBuffer.wrap(publicKey.clone()),
        k -> sig == Sig.ED25519 ? new Ed25519PublicKeyParameters(k.array())
            : new Ed448PublicKeyParameters(k.array()));
  }

  private boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    switch (sig) {
      case ED25519: {
        if (publicKey.length != 32 || signature.length != 64) {
          return false;
        }
        Ed25519Signer s = new Ed25519Signer();
        s.init(false, verifyingKey(publicKey));
        s.update(message, 0, message.length);
        return s.verifySignature(signature);
      }
      case ED448: {
        if (publicKey.length != 57 || signature.length != 114) {
          return false;
        }
        Ed448Signer s = new Ed448Signer(EMPTY);
        s.init(false, verifyingKey(publicKey));
        s.update(message, 0, message.length);
        return s.verifySignature(signature);
      }
      default: {
        DSAEncoding enc = StandardDSAEncoding.INSTANCE;
        BigInteger[] rs;
        try {
          rs = enc.decode(sig.domain.getN(), signature);
        } catch (java.io.IOException | IllegalArgumentException e) {
          return false;
        }
        ECDSASigner s = new ECDSASigner();
        s.init(false, new ECPublicKeyParameters(sig.domain.getCurve().decodePoint(publicKey),
            sig.domain));
        return s.verifySignature(digest(sig.hash.digest(), message), rs[0], rs[1]);
      }
    }
  }

  private static byte[] digest(Digest d, byte[] message) {
    d.update(message, 0, message.length);
    byte[] out = new byte[d.getDigestSize()];
    d.doFinal(out, 0);
    return out;
  }

  private static BigInteger randomScalar(ECDomainParameters domain, SecureRandom random) {
    BigInteger n = domain.getN();
    BigInteger d;
    do {
      d = new BigInteger(n.bitLength(), random);
    } while (d.signum() == 0 || d.compareTo(n) >= 0);
    return d;
  }

  private static byte[] scalarBytes(BigInteger d, ECDomainParameters domain) {
    int len = (domain.getN().bitLength() + 7) / 8;
    byte[] raw = d.toByteArray();
    byte[] out = new byte[len];
    int copy = Math.min(raw.length, len);
    System.arraycopy(raw, raw.length - copy, out, len - copy, copy);
    return out;
  }

  private static byte[] ecPublic(ECDomainParameters domain, BigInteger d) {
    return domain.getG().multiply(d).normalize().getEncoded(false);
  }

  // ---------------------------------------------------------------- HPKE

  private HPKE hpke() {
    return hpke.get();
  }

  private static Cipher newAesGcm() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JCA lacks AES/GCM", e);
    }
  }

  /**
   * The thread's AES-GCM Cipher initialized for one operation. The JCA refuses to encrypt twice in
   * a row under the same key and nonce on one instance; a fresh instance is then used (the caller
   * asked for exactly that, e.g. the same Welcome sealed twice).
   */
  private Cipher aesGcm(int mode, byte[] key, byte[] nonce) throws GeneralSecurityException {
    Cipher c = aesGcm.get();
    SecretKeySpec k = new SecretKeySpec(key, "AES");
    GCMParameterSpec p = new GCMParameterSpec(128, nonce);
    try {
      c.init(mode, k, p);
    } catch (java.security.InvalidAlgorithmParameterException e) {
      c = newAesGcm();
      aesGcm.set(c);
      c.init(mode, k, p);
    }
    return c;
  }

  /**
   * Generates an HPKE key pair.
   *
   * @param random randomness
   * @return the pair
   */
  public KeyPair generateHpkeKeyPair(SecureRandom random) {
    byte[] ikm = new byte[hash.length];
    random.nextBytes(ikm);
    return deriveHpkeKeyPair(ikm);
  }

  /**
   * {@code DeriveKeyPair} of RFC 9180 §7.1.3, as RFC 9420 §4 uses it for path secrets.
   *
   * @param ikm input keying material
   * @return the pair
   */
  public KeyPair deriveHpkeKeyPair(byte[] ikm) {
    HPKE h = hpke();
    AsymmetricCipherKeyPair kp = h.deriveKeyPair(ikm);
    return new KeyPair(h.serializePrivateKey(kp.getPrivate()), h.serializePublicKey(kp.getPublic()));
  }

  /**
   * Computes the public HPKE key of a private one.
   *
   * @param privateKey the private key bytes
   * @return the public key bytes
   */
  public byte[] hpkePublicKey(byte[] privateKey) {
    switch (kem) {
      case HPKE.kem_X25519_SHA256:
        return new X25519PrivateKeyParameters(privateKey).generatePublicKey().getEncoded();
      case HPKE.kem_X448_SHA512:
        return new X448PrivateKeyParameters(privateKey).generatePublicKey().getEncoded();
      default: {
        ECDomainParameters domain = kem == HPKE.kem_P256_SHA256 ? Sig.P256.domain
            : kem == HPKE.kem_P384_SHA348 ? Sig.P384.domain : Sig.P521.domain;
        return ecPublic(domain, new BigInteger(1, privateKey));
      }
    }
  }

  /**
   * Tells whether bytes are a public key of this suite's KEM that HPKE can encrypt to (RFC 9180
   * §7.1.1 {@code DeserializePublicKey}): the exact length of an X25519 / X448 key, or an
   * uncompressed point on the NIST curve.
   *
   * <p>A peer's leaf, path or KeyPackage key that fails this check would make a later commit of
   * this member fail, so receivers check every HPKE key when it arrives.
   *
   * @param publicKey candidate public key bytes
   * @return whether the key is well formed
   */
  public boolean isValidHpkePublicKey(byte[] publicKey) {
    switch (kem) {
      case HPKE.kem_X25519_SHA256:
        // RFC 7748 §6: a low-order point gives the all-zero shared secret, which the DH refuses.
        return publicKey.length == 32 && !MontgomeryPoints.isSmallOrder25519(publicKey);
      case HPKE.kem_X448_SHA512:
        return publicKey.length == 56 && !MontgomeryPoints.isSmallOrder448(publicKey);
      default: {
        ECDomainParameters domain = kem == HPKE.kem_P256_SHA256 ? Sig.P256.domain
            : kem == HPKE.kem_P384_SHA348 ? Sig.P384.domain : Sig.P521.domain;
        int fieldBytes = (domain.getCurve().getFieldSize() + 7) / 8;
        if (publicKey.length != 1 + 2 * fieldBytes || publicKey[0] != 0x04) {
          return false;
        }
        try {
          return domain.getCurve().decodePoint(publicKey).isValid();
        } catch (RuntimeException e) {
          return false;
        }
      }
    }
  }

  private AsymmetricCipherKeyPair hpkePrivate(HPKE h, byte[] privateKey) {
    return h.deserializePrivateKey(privateKey, hpkePublicKey(privateKey));
  }

  /**
   * HPKE single-shot base-mode seal (RFC 9180 §6.1).
   *
   * @param publicKey recipient public key
   * @param info info
   * @param aad associated data
   * @param plaintext plaintext
   * @return KEM output and ciphertext
   */
  public HpkeCiphertext hpkeSeal(byte[] publicKey, byte[] info, byte[] aad, byte[] plaintext) {
    HPKE h = hpke();
    try {
      AsymmetricKeyParameter pk = h.deserializePublicKey(publicKey);
      HPKEContextWithEncapsulation ctx = h.setupBaseS(pk, info);
      byte[] ct = ctx.seal(aad, plaintext);
      return new HpkeCiphertext(ctx.getEncapsulation(), ct);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("HPKE seal failed", e);
    }
  }

  /**
   * HPKE single-shot base-mode open (RFC 9180 §6.1).
   *
   * @param privateKey recipient private key
   * @param info info
   * @param aad associated data
   * @param ct KEM output and ciphertext
   * @return plaintext
   * @throws MlsDecryptionException if decryption fails for any reason
   */
  public byte[] hpkeOpen(byte[] privateKey, byte[] info, byte[] aad, HpkeCiphertext ct)
      throws MlsDecryptionException {
    HPKE h = hpke();
    try {
      return h.open(ct.kemOutput(), hpkePrivate(h, privateKey), info, aad, ct.ciphertext(), null,
          null, null);
    } catch (InvalidCipherTextException | RuntimeException e) {
      throw new MlsDecryptionException("decryption failed", e);
    }
  }

  /**
   * {@code EncryptWithLabel} (RFC 9420 §5.1.3).
   *
   * @param publicKey recipient public key
   * @param label label without prefix
   * @param context context
   * @param plaintext plaintext
   * @return the HPKE ciphertext
   */
  public HpkeCiphertext encryptWithLabel(byte[] publicKey, String label, byte[] context,
      byte[] plaintext) {
    return hpkeSeal(publicKey, encryptContext(label, context), EMPTY, plaintext);
  }

  /**
   * {@code DecryptWithLabel} (RFC 9420 §5.1.3).
   *
   * @param privateKey recipient private key
   * @param label label without prefix
   * @param context context
   * @param ct the HPKE ciphertext
   * @return plaintext
   * @throws MlsDecryptionException if decryption fails for any reason
   */
  public byte[] decryptWithLabel(byte[] privateKey, String label, byte[] context, HpkeCiphertext ct)
      throws MlsDecryptionException {
    return hpkeOpen(privateKey, encryptContext(label, context), EMPTY, ct);
  }

  private static byte[] encryptContext(String label, byte[] context) {
    return new TlsWriter(context.length + 48).opaque(label(label)).opaque(context).toByteArray();
  }

  /**
   * HPKE export on the sender side, base mode (RFC 9180 §6.2), as used by external init
   * (RFC 9420 §8.3).
   *
   * @param publicKey recipient public key
   * @param info info
   * @param exporterContext exporter context
   * @param length secret length
   * @return {@code [kem_output, secret]}
   */
  public byte[][] hpkeExportSender(byte[] publicKey, byte[] info, byte[] exporterContext,
      int length) {
    HPKE h = hpke();
    HPKEContextWithEncapsulation ctx = h.setupBaseS(h.deserializePublicKey(publicKey), info);
    return new byte[][] {ctx.getEncapsulation(), ctx.export(exporterContext, length)};
  }

  /**
   * HPKE export on the receiver side, base mode.
   *
   * @param kemOutput the sender's KEM output
   * @param privateKey recipient private key
   * @param info info
   * @param exporterContext exporter context
   * @param length secret length
   * @return the secret
   * @throws MlsDecryptionException if the KEM output is invalid
   */
  public byte[] hpkeExportReceiver(byte[] kemOutput, byte[] privateKey, byte[] info,
      byte[] exporterContext, int length) throws MlsDecryptionException {
    HPKE h = hpke();
    try {
      return h.setupBaseR(kemOutput, hpkePrivate(h, privateKey), info)
          .export(exporterContext, length);
    } catch (RuntimeException e) {
      throw new MlsDecryptionException("decryption failed", e);
    }
  }

  @Override
  public String toString() {
    return "CipherSuite(0x" + String.format("%04x", id) + ")";
  }
}
