package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.SenderData;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.PrivateMessage;
import io.spacepanda.internal.mls.schedule.SenderDataKeys;

/** What a malicious member can do with the epoch's secrets, for attack tests. */
public final class Forgery {

  private Forgery() {}

  /**
   * Re-encrypts the SenderData of {@code m} with another generation, as a member who knows the
   * epoch's sender-data secret could; {@code member} is any member's group in that epoch.
   *
   * @param member a group of the same epoch (read only)
   * @param m a PrivateMessage of that epoch
   * @param generation the generation to claim
   * @return the forged message
   * @throws MlsException if {@code m} does not open with the epoch's sender-data key
   */
  public static MlsMessage withGeneration(Group member, MlsMessage m, long generation)
      throws MlsException {
    PrivateMessage pm = m.privateMessage();
    byte[] sds = member.state.secrets.senderDataSecret();
    CipherSuite s = member.suite();
    byte[] key = SenderDataKeys.key(s, sds, pm.ciphertext());
    byte[] nonce = SenderDataKeys.nonce(s, sds, pm.ciphertext());
    SenderData sd = TlsReader.decodeExactly(
        s.open(key, nonce, pm.senderDataAad(), pm.encryptedSenderData()), SenderData::decode);
    byte[] forged = s.seal(key, nonce, pm.senderDataAad(),
        new SenderData(sd.leafIndex(), generation, sd.reuseGuard()).toBytes());
    return MlsMessage.of(new PrivateMessage(pm.groupId(), pm.epoch(), pm.contentType(),
        pm.authenticatedData(), forged, pm.ciphertext()));
  }
}
