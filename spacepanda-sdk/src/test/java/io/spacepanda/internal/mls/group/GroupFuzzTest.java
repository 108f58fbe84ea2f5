package io.spacepanda.internal.mls.group;

import static io.spacepanda.internal.mls.group.GroupFixture.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.group.GroupFixture.Client;
import io.spacepanda.internal.mls.message.MlsMessage;
import java.util.ArrayList;
import java.util.List;
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

  private static synchronized void init() throws MlsException {
    if (messages != null) {
      return;
    }
    config = GroupFixture.config(77);
    Group a = Client.named("a", config).create("fuzz");
    KeyPackageBundle kb = Client.named("b", config).keyPackage();
    KeyPackageBundle kc = Client.named("c", config).keyPackage();
    CommitResult r = a.commit(CommitOptions.builder().add(kb.keyPackage())
        .add(kc.keyPackage()).build());
    a.mergePendingCommit();
    Group b = Group.joinFromWelcome(config, r.welcomeOrNull(), kb, null, PskLookup.NONE);
    receiverState = b.toBytes();
    welcomeBundle = Client.named("d", config).keyPackage();
    welcome = MlsMessage.of(a.commit(CommitOptions.builder().add(welcomeBundle.keyPackage())
        .build()).welcomeOrNull()).toBytes();
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
}
