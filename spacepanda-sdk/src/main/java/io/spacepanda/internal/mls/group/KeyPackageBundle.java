package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.LeafNode;
import io.spacepanda.internal.mls.message.LeafNodeSource;
import io.spacepanda.internal.mls.message.Lifetime;
import io.spacepanda.internal.mls.MlsConstants;
import java.util.List;
import java.util.Objects;

/**
 * A signed KeyPackage (RFC 9420 §10) together with the private keys needed to join from a Welcome
 * that uses it: the HPKE init key, the leaf's HPKE encryption key and the signature key.
 *
 * <p>Publish {@link #keyPackage()}; keep the bundle secret until a Welcome arrives, then pass it
 * to {@link Group#joinFromWelcome}. A KeyPackage must be used for at most one group (RFC 9420
 * §16.8). Instances are immutable; {@link #toString()} shows no secret.
 */
public final class KeyPackageBundle {

  /** First byte of {@link #toBytes()}. */
  public static final int FORMAT_VERSION = 1;

  private final KeyPackage keyPackage;
  private final byte[] initPrivateKey;
  private final byte[] encryptionPrivateKey;
  private final byte[] signaturePrivateKey;

  private KeyPackageBundle(KeyPackage keyPackage, byte[] initPrivateKey,
      byte[] encryptionPrivateKey, byte[] signaturePrivateKey) {
    this.keyPackage = keyPackage;
    this.initPrivateKey = initPrivateKey;
    this.encryptionPrivateKey = encryptionPrivateKey;
    this.signaturePrivateKey = signaturePrivateKey;
  }

  /**
   * Creates and signs a new KeyPackage with fresh init and encryption keys.
   *
   * <p>The lifetime runs from {@code now - clockSkew} to {@code now + keyPackageLifetime} by the
   * configured clock; the capabilities list what this engine supports ({@link
   * GroupSupport#capabilities()}).
   *
   * @param config bounds, clock and random source
   * @param suite the cipher suite of the groups this KeyPackage may join
   * @param credential the member's credential (a basic credential)
   * @param signatureKeyPair the member's signature key pair for this suite
   * @return the bundle
   * @throws IllegalArgumentException if the signature key pair does not belong to the suite
   */
  public static KeyPackageBundle create(MlsConfig config, CipherSuite suite, Credential credential,
      KeyPair signatureKeyPair) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(credential, "credential");
    Objects.requireNonNull(signatureKeyPair, "signatureKeyPair");
    GroupSupport.checkSignatureKeyPair(suite, signatureKeyPair);
    KeyPair init = suite.generateHpkeKeyPair(config.random());
    KeyPair enc = suite.generateHpkeKeyPair(config.random());
    long now = config.clock().instant().getEpochSecond();
    long notBefore = Math.max(0, now - config.clockSkew().getSeconds());
    long notAfter = now + config.keyPackageLifetime().getSeconds();
    LeafNode unsigned = new LeafNode(enc.publicKey(), signatureKeyPair.publicKey(), credential,
        GroupSupport.capabilities(), LeafNodeSource.KEY_PACKAGE,
        new Lifetime(notBefore, notAfter), null, List.of(), new byte[0]);
    LeafNode leaf = unsigned.withSignature(suite.signWithLabel(signatureKeyPair.privateKey(),
        "LeafNodeTBS", unsigned.toBeSigned(null, 0)));
    KeyPackage kp = new KeyPackage(MlsConstants.PROTOCOL_VERSION_MLS10, suite.id(), init.publicKey(), leaf,
        List.of(), new byte[0]);
    kp = kp.withSignature(
        suite.signWithLabel(signatureKeyPair.privateKey(), "KeyPackageTBS", kp.toBeSigned()));
    return new KeyPackageBundle(kp, init.privateKey(), enc.privateKey(),
        signatureKeyPair.privateKey());
  }

  /**
   * Wraps an existing KeyPackage and its private keys (for example from test vectors).
   *
   * @param keyPackage the signed KeyPackage
   * @param initPrivateKey the private key of its init_key
   * @param encryptionPrivateKey the private key of its leaf's encryption_key
   * @param signaturePrivateKey the private key of its leaf's signature_key
   * @return the bundle
   */
  public static KeyPackageBundle of(KeyPackage keyPackage, byte[] initPrivateKey,
      byte[] encryptionPrivateKey, byte[] signaturePrivateKey) {
    return new KeyPackageBundle(Objects.requireNonNull(keyPackage, "keyPackage"),
        Objects.requireNonNull(initPrivateKey, "initPrivateKey").clone(),
        Objects.requireNonNull(encryptionPrivateKey, "encryptionPrivateKey").clone(),
        Objects.requireNonNull(signaturePrivateKey, "signaturePrivateKey").clone());
  }

  /**
   * Returns the signed KeyPackage to publish.
   *
   * @return the KeyPackage
   */
  public KeyPackage keyPackage() {
    return keyPackage;
  }

  /**
   * Returns a copy of the private init key (secret).
   *
   * @return the key bytes
   */
  public byte[] initPrivateKey() {
    return initPrivateKey.clone();
  }

  /**
   * Returns a copy of the private leaf encryption key (secret).
   *
   * @return the key bytes
   */
  public byte[] encryptionPrivateKey() {
    return encryptionPrivateKey.clone();
  }

  /**
   * Returns a copy of the private signature key (secret).
   *
   * @return the key bytes
   */
  public byte[] signaturePrivateKey() {
    return signaturePrivateKey.clone();
  }

  /**
   * Serializes the bundle, secrets included: a format version byte, then the TLS encoding of the
   * KeyPackage and the three private keys.
   *
   * @return the bytes; store them encrypted
   */
  public byte[] toBytes() {
    TlsWriter w = new TlsWriter();
    w.u8(FORMAT_VERSION);
    keyPackage.encode(w);
    w.opaque(initPrivateKey).opaque(encryptionPrivateKey).opaque(signaturePrivateKey);
    return w.toByteArray();
  }

  /**
   * Restores a bundle written by {@link #toBytes()}.
   *
   * @param bytes the serialized bundle
   * @return the bundle
   * @throws MlsDecodeException if the bytes are malformed or of an unknown format version
   */
  public static KeyPackageBundle fromBytes(byte[] bytes) throws MlsDecodeException {
    return TlsReader.decodeExactly(bytes, r -> {
      if (r.u8() != FORMAT_VERSION) {
        throw new MlsDecodeException("unknown key package bundle format");
      }
      KeyPackage kp = KeyPackage.decode(r);
      return new KeyPackageBundle(kp, r.opaque(), r.opaque(), r.opaque());
    });
  }

  @Override
  public String toString() {
    return "KeyPackageBundle[" + keyPackage + "]";
  }
}
