package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsDecryptionException;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.EncryptedGroupSecrets;
import io.spacepanda.internal.mls.message.GroupInfo;
import io.spacepanda.internal.mls.message.GroupSecrets;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.PreSharedKeyId;
import io.spacepanda.internal.mls.message.Welcome;
import io.spacepanda.internal.mls.schedule.EpochSecrets;
import io.spacepanda.internal.mls.schedule.KeySchedule;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * Opens a Welcome (RFC 9420 §12.4.3.1): finds the EncryptedGroupSecrets for a KeyPackage by its
 * reference, decrypts them with the init private key, derives the welcome secret (with the PSKs)
 * and decrypts the GroupInfo, then derives the epoch's secrets from the joiner secret.
 *
 * <p>Checks nothing of the GroupInfo's content: signature, tree and confirmation tag are the
 * caller's ({@link Group#joinFromWelcome}). Stateless and thread-safe.
 */
public final class WelcomeOpener {

  private WelcomeOpener() {}

  /** Computes the PSK secret of the PSKs a Welcome names. */
  @FunctionalInterface
  public interface PskSecretResolver {
    /**
     * Returns the PSK secret (RFC 9420 §8.4) of these PSKs, or null when the list is empty.
     *
     * @param psks the PSK ids of the GroupSecrets
     * @return the psk secret or null
     * @throws MlsValidationException if a PSK is unknown
     */
    byte[] pskSecret(List<PreSharedKeyId> psks) throws MlsValidationException;
  }

  /**
   * The decrypted content of a Welcome.
   *
   * @param groupSecrets the GroupSecrets for this KeyPackage
   * @param groupInfo the decrypted, not yet verified GroupInfo
   * @param epochSecrets the secrets of the GroupInfo's epoch
   */
  public record Opened(GroupSecrets groupSecrets, GroupInfo groupInfo,
      EpochSecrets epochSecrets) {

    /**
     * Tells whether the GroupInfo's confirmation tag matches its confirmed transcript hash under
     * the derived confirmation key (RFC 9420 §12.4.3.1).
     *
     * @return true when the tag is right
     */
    public boolean confirmationTagValid() {
      byte[] expected = epochSecrets.suite().mac(epochSecrets.confirmationKey(),
          groupInfo.groupContext().confirmedTranscriptHash());
      return MessageDigest.isEqual(expected, groupInfo.confirmationTag());
    }
  }

  /**
   * Decrypts a Welcome for a KeyPackage.
   *
   * @param suite the Welcome's cipher suite
   * @param welcome the Welcome
   * @param keyPackage the KeyPackage it should be addressed to
   * @param initPrivateKey the private key of the KeyPackage's init_key
   * @param psks computes the PSK secret of the PSKs the GroupSecrets name
   * @return the GroupSecrets, the GroupInfo and the epoch secrets
   * @throws MlsValidationException if the Welcome is not for this KeyPackage or a PSK is unknown
   * @throws MlsDecryptionException if a ciphertext does not decrypt
   * @throws MlsDecodeException if decrypted bytes are malformed
   */
  public static Opened open(CipherSuite suite, Welcome welcome, KeyPackage keyPackage,
      byte[] initPrivateKey, PskSecretResolver psks) throws MlsException {
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(welcome, "welcome");
    Objects.requireNonNull(keyPackage, "keyPackage");
    Objects.requireNonNull(initPrivateKey, "initPrivateKey");
    Objects.requireNonNull(psks, "psks");
    if (welcome.cipherSuite() != suite.id()) {
      throw new MlsValidationException("welcome suite mismatch");
    }
    byte[] ref = keyPackage.ref(suite);
    EncryptedGroupSecrets mine = null;
    for (EncryptedGroupSecrets egs : welcome.secrets()) {
      if (MessageDigest.isEqual(egs.newMember(), ref)) {
        mine = egs;
        break;
      }
    }
    if (mine == null) {
      throw new MlsValidationException("welcome not for this key package");
    }
    // RFC 9420 §12.4.3.1: DecryptWithLabel(init_key, "Welcome", encrypted_group_info, ...)
    byte[] gsBytes = suite.decryptWithLabel(initPrivateKey, "Welcome",
        welcome.encryptedGroupInfo(), mine.encryptedGroupSecrets());
    GroupSecrets gs = TlsReader.decodeExactly(gsBytes, GroupSecrets::decode);
    if (gs.joinerSecret().length != suite.hashLength()
        || (gs.pathSecret() != null && gs.pathSecret().length != suite.hashLength())) {
      throw new MlsValidationException("group secrets malformed");
    }
    byte[] pskSecret = psks.pskSecret(gs.psks());
    byte[] welcomeSecret = KeySchedule.welcomeSecret(suite, gs.joinerSecret(), pskSecret);
    byte[] giBytes = suite.open(KeySchedule.welcomeKey(suite, welcomeSecret),
        KeySchedule.welcomeNonce(suite, welcomeSecret), new byte[0],
        welcome.encryptedGroupInfo());
    GroupInfo gi = TlsReader.decodeExactly(giBytes, GroupInfo::decode);
    EpochSecrets secrets = KeySchedule.fromJoinerSecret(suite, gs.joinerSecret(), pskSecret,
        gi.groupContext().toBytes());
    return new Opened(gs, gi, secrets);
  }
}
