package io.spacepanda.internal.mls.schedule;

import io.spacepanda.internal.mls.MlsDecryptionException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The RFC 9420 key schedule (§8): from the previous epoch's {@code init_secret}, the commit secret,
 * the PSK secret and the new GroupContext to the {@code joiner_secret}, the {@code welcome_secret}
 * and the {@link EpochSecrets} of the new epoch.
 *
 * <p>Design: the schedule is a pure function of its inputs, so this class is stateless and
 * thread-safe; it never keeps the intermediate {@code epoch_secret}. A missing commit secret or PSK
 * secret is the all-zero vector of length {@code KDF.Nh}, as §8 specifies.
 *
 * <pre>
 *   joiner_secret = ExpandWithLabel(Extract(init_secret, commit_secret), "joiner", GroupContext, Nh)
 *   member_secret = Extract(joiner_secret, psk_secret)
 *   welcome_secret = DeriveSecret(member_secret, "welcome")
 *   epoch_secret = ExpandWithLabel(member_secret, "epoch", GroupContext, Nh)
 * </pre>
 */
public final class KeySchedule {

  private static final byte[] EXTERNAL_INIT_LABEL =
      "MLS 1.0 external init secret".getBytes(StandardCharsets.US_ASCII);

  private KeySchedule() {}

  /**
   * Computes the joiner secret of a new epoch (RFC 9420 §8).
   *
   * @param suite the group's cipher suite
   * @param initSecret {@code init_secret} of the previous epoch (or a fresh random one for a new
   *     group, or the external-init secret of §8.3)
   * @param commitSecret the commit secret, or null for the zero vector (commit without path)
   * @param groupContext the encoded GroupContext of the new epoch
   * @return the joiner secret, {@code KDF.Nh} bytes
   */
  public static byte[] joinerSecret(CipherSuite suite, byte[] initSecret, byte[] commitSecret,
      byte[] groupContext) {
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(initSecret, "initSecret");
    Objects.requireNonNull(groupContext, "groupContext");
    byte[] commit = commitSecret == null ? new byte[suite.hashLength()] : commitSecret;
    byte[] prk = suite.extract(initSecret, commit); // RFC 9420 §8: salt = init_secret
    return suite.expandWithLabel(prk, "joiner", groupContext, suite.hashLength());
  }

  /**
   * Computes the welcome secret of an epoch from its joiner secret (RFC 9420 §8).
   *
   * @param suite the group's cipher suite
   * @param joinerSecret the joiner secret
   * @param pskSecret the PSK secret (§8.4), or null for the zero vector
   * @return the welcome secret
   */
  public static byte[] welcomeSecret(CipherSuite suite, byte[] joinerSecret, byte[] pskSecret) {
    return suite.deriveSecret(memberSecret(suite, joinerSecret, pskSecret), "welcome");
  }

  /**
   * Computes the key that encrypts a Welcome's GroupInfo (RFC 9420 §12.4.3.1).
   *
   * @param suite the group's cipher suite
   * @param welcomeSecret the welcome secret
   * @return {@code ExpandWithLabel(welcome_secret, "key", "", AEAD.Nk)}
   */
  public static byte[] welcomeKey(CipherSuite suite, byte[] welcomeSecret) {
    return suite.expandWithLabel(welcomeSecret, "key", new byte[0], suite.aeadKeyLength());
  }

  /**
   * Computes the nonce that encrypts a Welcome's GroupInfo (RFC 9420 §12.4.3.1).
   *
   * @param suite the group's cipher suite
   * @param welcomeSecret the welcome secret
   * @return {@code ExpandWithLabel(welcome_secret, "nonce", "", AEAD.Nn)}
   */
  public static byte[] welcomeNonce(CipherSuite suite, byte[] welcomeSecret) {
    return suite.expandWithLabel(welcomeSecret, "nonce", new byte[0], suite.aeadNonceLength());
  }

  /**
   * Derives every secret of an epoch from its joiner secret (RFC 9420 §8); this is what a new
   * member does after decrypting its GroupSecrets from a Welcome.
   *
   * @param suite the group's cipher suite
   * @param joinerSecret the joiner secret
   * @param pskSecret the PSK secret (§8.4), or null for the zero vector
   * @param groupContext the encoded GroupContext of the epoch
   * @return the epoch's secrets
   */
  public static EpochSecrets fromJoinerSecret(CipherSuite suite, byte[] joinerSecret,
      byte[] pskSecret, byte[] groupContext) {
    Objects.requireNonNull(groupContext, "groupContext");
    byte[] member = memberSecret(suite, joinerSecret, pskSecret);
    byte[] epochSecret = suite.expandWithLabel(member, "epoch", groupContext, suite.hashLength());
    return EpochSecrets.fromEpochSecret(suite, joinerSecret, suite.deriveSecret(member, "welcome"),
        epochSecret);
  }

  /**
   * Advances the schedule by one epoch (RFC 9420 §8): the joiner secret from {@code initSecret}
   * and {@code commitSecret}, then every secret of the new epoch.
   *
   * @param suite the group's cipher suite
   * @param initSecret {@code init_secret} of the previous epoch
   * @param commitSecret the commit secret, or null for the zero vector
   * @param pskSecret the PSK secret, or null for the zero vector
   * @param groupContext the encoded GroupContext of the new epoch
   * @return the new epoch's secrets (including its joiner secret, for Welcome messages)
   */
  public static EpochSecrets nextEpoch(CipherSuite suite, byte[] initSecret, byte[] commitSecret,
      byte[] pskSecret, byte[] groupContext) {
    byte[] joiner = joinerSecret(suite, initSecret, commitSecret, groupContext);
    return fromJoinerSecret(suite, joiner, pskSecret, groupContext);
  }

  /**
   * Starts an external join (RFC 9420 §8.3): encapsulates to the group's external public key and
   * exports the {@code init_secret} that replaces the previous epoch's in the joiner's key schedule.
   *
   * @param suite the group's cipher suite
   * @param externalPublicKey the {@code external_pub} of the group's GroupInfo
   * @return {@code [kem_output, init_secret]}; the kem output goes into the ExternalInit proposal
   */
  public static byte[][] externalInitSender(CipherSuite suite, byte[] externalPublicKey) {
    return suite.hpkeExportSender(externalPublicKey, new byte[0], EXTERNAL_INIT_LABEL,
        suite.hashLength());
  }

  /**
   * Recovers the {@code init_secret} of an external join from its ExternalInit proposal
   * (RFC 9420 §8.3).
   *
   * @param suite the group's cipher suite
   * @param kemOutput the {@code kem_output} of the ExternalInit proposal
   * @param externalPrivateKey the private key of {@link EpochSecrets#externalKeyPair()}
   * @return the init secret to use instead of the previous epoch's
   * @throws MlsDecryptionException if the KEM output is invalid
   */
  public static byte[] externalInitReceiver(CipherSuite suite, byte[] kemOutput,
      byte[] externalPrivateKey) throws MlsDecryptionException {
    return suite.hpkeExportReceiver(kemOutput, externalPrivateKey, new byte[0],
        EXTERNAL_INIT_LABEL, suite.hashLength());
  }

  private static byte[] memberSecret(CipherSuite suite, byte[] joinerSecret, byte[] pskSecret) {
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(joinerSecret, "joinerSecret");
    byte[] psk = pskSecret == null ? new byte[suite.hashLength()] : pskSecret;
    return suite.extract(joinerSecret, psk); // RFC 9420 §8: salt = joiner_secret
  }
}
