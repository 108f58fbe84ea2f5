package io.spacepanda.internal.mls.group;

import static io.spacepanda.internal.mls.group.GroupFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.group.GroupFixtures.Client;
import io.spacepanda.internal.mls.message.EncryptedGroupSecrets;
import io.spacepanda.internal.mls.message.GroupSecrets;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Welcome;
import io.spacepanda.internal.mls.schedule.KeySchedule;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Mutated real messages of every kind (application, proposals, member and external commits,
 * Welcome) end in a typed {@link MlsException} (or, if the mutation hit nothing that matters, in
 * a normal result), never in another exception; a rejected message leaves the receiver's state
 * byte for byte as it was, and the next genuine message still decrypts.
 */
class GroupFuzzTest {

  private static MlsConfig config;
  private static byte[] receiverState;
  private static List<byte[]> messages;
  private static byte[] welcome;
  private static KeyPackageBundle welcomeBundle;
  private static MlsMessage followUp;
  /** The GroupInfo (with ratchet tree) a Welcome carries, and the secrets to re-encrypt it. */
  private static byte[] groupInfo;
  private static byte[] joinerSecret;
  private static byte[] welcomeSecret;

  private static synchronized void init() throws MlsException {
    if (messages != null) {
      return;
    }
    config = GroupFixtures.config(77, MlsConfig.builder().allowNewMemberSenders(true));
    Group a = Client.named("a", config).create("fuzz");
    KeyPackageBundle kb = Client.named("b", config).keyPackage();
    KeyPackageBundle kc = Client.named("c", config).keyPackage();
    CommitResult r = a.commit(CommitOptions.builder().add(kb.keyPackage())
        .add(kc.keyPackage()).build());
    a.mergePendingCommit();
    Group b = Group.joinFromWelcome(config, r.welcomeOrNull(), kb, null, PskLookup.NONE);
    receiverState = b.toBytes();
    welcomeBundle = Client.named("d", config).keyPackage();
    CommitResult toD = a.commit(CommitOptions.builder().add(welcomeBundle.keyPackage())
        .ratchetTreeInWelcome(true).build());
    welcome = MlsMessage.of(toD.welcomeOrNull()).toBytes();
    groupInfo = toD.groupInfo().toBytes();
    joinerSecret = toD.pendingCommit().next.secrets.joinerSecret();
    welcomeSecret = toD.pendingCommit().next.secrets.welcomeSecret();
    a.discardPendingCommit();
    List<byte[]> out = new ArrayList<>();
    out.add(a.protect(utf8("application"), utf8("aad")).toBytes());
    out.add(a.proposeUpdate(true).toBytes());
    out.add(a.proposeRemove(2, false).toBytes());
    out.add(a.commit(CommitOptions.builder().forcePath(true).publicMessage(true).build())
        .commit().toBytes());
    a.discardPendingCommit();
    out.add(a.commit(CommitOptions.builder().includePendingProposals(false).forcePath(true)
        .build()).commit().toBytes());
    a.discardPendingCommit();
    Client e = Client.named("e", config);
    out.add(Group.joinByExternalCommit(config, a.groupInfo(true), null, e.credential(),
        e.signatureKeys()).commit().toBytes());
    messages = out;
    followUp = a.protect(utf8("follow-up"), new byte[0]);
  }

  @Property(tries = 400)
  void mutatedMessage_failsOnlyWithMlsException_andLeavesStateUnchanged(
      @ForAll @IntRange(min = 0, max = 5) int which,
      @ForAll @IntRange(min = 0, max = 1 << 20) int at, @ForAll byte flip) throws MlsException {
    init();
    byte[] bytes = messages.get(which).clone();
    bytes[at % bytes.length] ^= (byte) (flip == 0 ? 0x40 : flip);
    Group receiver = Group.fromBytes(config, receiverState);
    try {
      MlsMessage m = TlsReader.decodeExactly(bytes, MlsMessage::decode);
      receiver.process(m);
      return;
    } catch (MlsException expected) {
      // the only acceptable failure
    }
    assertArrayEquals(receiverState, receiver.toBytes(), "state changed by a rejected message");
    ProcessedMessage.ApplicationMessage next = assertInstanceOf(
        ProcessedMessage.ApplicationMessage.class, receiver.process(followUp));
    assertArrayEquals(utf8("follow-up"), next.data());
  }

  @Property(tries = 200)
  void mutatedWelcome_failsOnlyWithMlsException(
      @ForAll @IntRange(min = 0, max = 1 << 20) int at, @ForAll byte flip) {
    try {
      init();
      byte[] bytes = welcome.clone();
      bytes[at % bytes.length] ^= (byte) (flip == 0 ? 0x40 : flip);
      MlsMessage m = TlsReader.decodeExactly(bytes, MlsMessage::decode);
      if (m.welcome() != null) {
        Group.joinFromWelcome(config, m.welcome(), welcomeBundle, null, PskLookup.NONE);
      }
    } catch (MlsException expected) {
      // the only acceptable failure
    }
  }

  /**
   * A Welcome whose encryption is genuine but whose GroupInfo (signed content, ratchet tree,
   * extensions) is mutated: what a malicious committer could send a joiner.
   */
  @Property(tries = 300)
  void welcomeWithMutatedGroupInfo_failsOnlyWithMlsException(
      @ForAll @IntRange(min = 0, max = 1 << 20) int at, @ForAll byte flip) throws MlsException {
    init();
    byte[] gi = groupInfo.clone();
    gi[at % gi.length] ^= (byte) (flip == 0 ? 0x40 : flip);
    try {
      Group.joinFromWelcome(config, welcomeWith(gi), welcomeBundle, null, PskLookup.NONE);
    } catch (MlsException expected) {
      // the only acceptable failure
    }
  }

  @Example
  void welcomeRebuiltFromUnmutatedGroupInfo_joins() throws MlsException {
    init();
    Group d = Group.joinFromWelcome(config, welcomeWith(groupInfo), welcomeBundle, null,
        PskLookup.NONE);
    assertEquals(4, d.members().size());
  }

  private static Welcome welcomeWith(byte[] gi) {
    CipherSuite s = GroupFixtures.SUITE;
    byte[] encryptedGi = s.seal(KeySchedule.welcomeKey(s, welcomeSecret),
        KeySchedule.welcomeNonce(s, welcomeSecret), new byte[0], gi);
    KeyPackage kp = welcomeBundle.keyPackage();
    GroupSecrets gs = new GroupSecrets(joinerSecret, null, List.of());
    return new Welcome(s.id(), List.of(new EncryptedGroupSecrets(kp.ref(s),
        s.encryptWithLabel(kp.initKey(), "Welcome", encryptedGi, gs.toBytes()))), encryptedGi);
  }
}
