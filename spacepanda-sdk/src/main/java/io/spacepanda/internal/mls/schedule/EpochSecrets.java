package io.spacepanda.internal.mls.schedule;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The secrets of one MLS epoch (RFC 9420 §8, table of §8 "epoch-derived secrets"), the joiner and
 * welcome secrets that led to it, and the operations that use them directly: the MLS-Exporter
 * (§8.5) and the external key pair (§8.3).
 *
 * <p>Immutable and thread-safe. Every accessor returns a copy. {@link #toString()} prints no
 * secret; {@link #equals(Object)} compares in constant time. {@link #toBytes()} is the raw export
 * for persistence (encrypt it at rest); {@link #fromBytes(byte[])} restores it.
 */
public final class EpochSecrets {

  private static final int FORMAT_VERSION = 1;

  private final CipherSuite suite;
  private final byte[] joinerSecret;
  private final byte[] welcomeSecret;
  private final byte[] senderDataSecret;
  private final byte[] encryptionSecret;
  private final byte[] exporterSecret;
  private final byte[] externalSecret;
  private final byte[] confirmationKey;
  private final byte[] membershipKey;
  private final byte[] resumptionPsk;
  private final byte[] epochAuthenticator;
  private final byte[] initSecret;

  private EpochSecrets(CipherSuite suite, byte[] joinerSecret, byte[] welcomeSecret, byte[] senderDataSecret, byte[] encryptionSecret, byte[] exporterSecret, byte[] externalSecret, byte[] confirmationKey, byte[] membershipKey, byte[] resumptionPsk, byte[] epochAuthenticator, byte[] initSecret) {
    this.suite = suite;
    this.joinerSecret = joinerSecret;
    this.welcomeSecret = welcomeSecret;
    this.senderDataSecret = senderDataSecret;
    this.encryptionSecret = encryptionSecret;
    this.exporterSecret = exporterSecret;
    this.externalSecret = externalSecret;
    this.confirmationKey = confirmationKey;
    this.membershipKey = membershipKey;
    this.resumptionPsk = resumptionPsk;
    this.epochAuthenticator = epochAuthenticator;
    this.initSecret = initSecret;
  }

  static EpochSecrets fromEpochSecret(CipherSuite suite, byte[] joinerSecret, byte[] welcomeSecret,
      byte[] epochSecret) {
    // RFC 9420 §8: DeriveSecret(epoch_secret, <label>) for each epoch-derived secret.
    return new EpochSecrets(suite, joinerSecret, welcomeSecret,
        suite.deriveSecret(epochSecret, "sender data"),
        suite.deriveSecret(epochSecret, "encryption"),
        suite.deriveSecret(epochSecret, "exporter"),
        suite.deriveSecret(epochSecret, "external"),
        suite.deriveSecret(epochSecret, "confirm"),
        suite.deriveSecret(epochSecret, "membership"),
        suite.deriveSecret(epochSecret, "resumption"),
        suite.deriveSecret(epochSecret, "authentication"),
        suite.deriveSecret(epochSecret, "init"));
  }

  /**
   * Returns the cipher suite these secrets belong to.
   *
   * @return the suite
   */
  public CipherSuite suite() {
    return suite;
  }

  /**
   * Returns a copy of the joiner_secret of the epoch (goes into Welcome GroupSecrets).
   *
   * @return a fresh copy of the secret
   */
  public byte[] joinerSecret() {
    return joinerSecret.clone();
  }

  /**
   * Returns a copy of the welcome_secret of the epoch (keys the Welcome's GroupInfo).
   *
   * @return a fresh copy of the secret
   */
  public byte[] welcomeSecret() {
    return welcomeSecret.clone();
  }

  /**
   * Returns a copy of the sender_data_secret (§6.3.2 sender-data keys).
   *
   * @return a fresh copy of the secret
   */
  public byte[] senderDataSecret() {
    return senderDataSecret.clone();
  }

  /**
   * Returns a copy of the encryption_secret (root of the secret tree, §9).
   *
   * @return a fresh copy of the secret
   */
  public byte[] encryptionSecret() {
    return encryptionSecret.clone();
  }

  /**
   * Returns a copy of the exporter_secret (MLS-Exporter, §8.5).
   *
   * @return a fresh copy of the secret
   */
  public byte[] exporterSecret() {
    return exporterSecret.clone();
  }

  /**
   * Returns a copy of the external_secret (external key pair, §8.3).
   *
   * @return a fresh copy of the secret
   */
  public byte[] externalSecret() {
    return externalSecret.clone();
  }

  /**
   * Returns a copy of the confirmation_key (confirmation tag, §8.1).
   *
   * @return a fresh copy of the secret
   */
  public byte[] confirmationKey() {
    return confirmationKey.clone();
  }

  /**
   * Returns a copy of the membership_key (membership tag, §6.2).
   *
   * @return a fresh copy of the secret
   */
  public byte[] membershipKey() {
    return membershipKey.clone();
  }

  /**
   * Returns a copy of the resumption_psk (resumption PSK of this epoch, §8.6).
   *
   * @return a fresh copy of the secret
   */
  public byte[] resumptionPsk() {
    return resumptionPsk.clone();
  }

  /**
   * Returns a copy of the epoch_authenticator (§8.7).
   *
   * @return a fresh copy of the secret
   */
  public byte[] epochAuthenticator() {
    return epochAuthenticator.clone();
  }

  /**
   * Returns a copy of the init_secret for the next epoch.
   *
   * @return a fresh copy of the secret
   */
  public byte[] initSecret() {
    return initSecret.clone();
  }

  /**
   * Computes {@code MLS-Exporter(label, context, length)} of this epoch (RFC 9420 §8.5).
   *
   * @param label the exporter label, as raw bytes (an ASCII string's bytes for a text label)
   * @param context the context
   * @param length output length in bytes, at most 255 * Nh
   * @return {@code ExpandWithLabel(DeriveSecret(exporter_secret, label), "exported", Hash(context),
   *     length)}
   */
  public byte[] exporter(byte[] label, byte[] context, int length) {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(context, "context");
    byte[] derived = Labels.deriveSecret(suite, exporterSecret, label);
    return suite.expandWithLabel(derived, "exported", suite.hash(context), length);
  }

  /**
   * Computes {@code MLS-Exporter(label, context, length)} for a text label (RFC 9420 §8.5).
   *
   * @param label the exporter label; its UTF-8 bytes are the label
   * @param context the context
   * @param length output length in bytes, at most 255 * Nh
   * @return the exported secret
   */
  public byte[] exporter(String label, byte[] context, int length) {
    return exporter(label.getBytes(java.nio.charset.StandardCharsets.UTF_8), context, length);
  }

  /**
   * Derives the external HPKE key pair of this epoch from {@code external_secret} (RFC 9420 §8.3);
   * its public key is what the {@code external_pub} extension of a GroupInfo carries.
   *
   * @return the key pair
   */
  public KeyPair externalKeyPair() {
    return suite.deriveHpkeKeyPair(externalSecret);
  }

  /**
   * Encodes these secrets for persistence (a private format, version 1, not a wire structure).
   *
   * @return the encoding, which contains every secret in the clear
   */
  public byte[] toBytes() {
    TlsWriter w = new TlsWriter(16 + 12 * 66);
    w.u8(FORMAT_VERSION).u16(suite.id());
    w.opaque(joinerSecret);
    w.opaque(welcomeSecret);
    w.opaque(senderDataSecret);
    w.opaque(encryptionSecret);
    w.opaque(exporterSecret);
    w.opaque(externalSecret);
    w.opaque(confirmationKey);
    w.opaque(membershipKey);
    w.opaque(resumptionPsk);
    w.opaque(epochAuthenticator);
    w.opaque(initSecret);
    return w.toByteArray();
  }

  /**
   * Restores secrets written by {@link #toBytes()}.
   *
   * @param bytes the encoding
   * @return the secrets
   * @throws MlsDecodeException if the bytes are not a valid encoding
   */
  public static EpochSecrets fromBytes(byte[] bytes) throws MlsDecodeException {
    return TlsReader.decodeExactly(bytes, r -> {
      if (r.u8() != FORMAT_VERSION) {
        throw new MlsDecodeException("unknown epoch secrets format");
      }
      CipherSuite suite = CipherSuite.byId(r.u16())
          .orElseThrow(() -> new MlsDecodeException("unknown cipher suite"));
      int nh = suite.hashLength();
      byte[] joinerSecret = secret(r, nh);
      byte[] welcomeSecret = secret(r, nh);
      byte[] senderDataSecret = secret(r, nh);
      byte[] encryptionSecret = secret(r, nh);
      byte[] exporterSecret = secret(r, nh);
      byte[] externalSecret = secret(r, nh);
      byte[] confirmationKey = secret(r, nh);
      byte[] membershipKey = secret(r, nh);
      byte[] resumptionPsk = secret(r, nh);
      byte[] epochAuthenticator = secret(r, nh);
      byte[] initSecret = secret(r, nh);
      return new EpochSecrets(suite, joinerSecret, welcomeSecret, senderDataSecret, encryptionSecret, exporterSecret, externalSecret, confirmationKey, membershipKey, resumptionPsk, epochAuthenticator, initSecret);
    });
  }

  private static byte[] secret(TlsReader r, int nh) throws MlsDecodeException {
    byte[] s = r.opaque(nh);
    if (s.length != nh) {
      throw new MlsDecodeException("wrong secret length");
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EpochSecrets
        && MessageDigest.isEqual(toBytes(), ((EpochSecrets) o).toBytes());
  }

  @Override
  public int hashCode() {
    return suite.id();
  }

  @Override
  public String toString() {
    return "EpochSecrets(" + suite + ", secrets hidden)";
  }
}
