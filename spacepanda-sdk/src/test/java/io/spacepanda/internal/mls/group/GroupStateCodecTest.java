package io.spacepanda.internal.mls.group;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.group.GroupFixtures.Client;
import io.spacepanda.internal.mls.message.MlsMessage;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Saved group state: a snapshot plus a later ratchet state restores the ratchets exactly; random
 * and mutated bytes end only in MlsDecodeException.
 */
class GroupStateCodecTest {

  private static byte[] savedSnapshot;
  private static byte[] savedRatchet;

  private static synchronized byte[] savedRatchet() throws MlsException {
    if (savedRatchet == null) {
      MlsConfig config = GroupFixtures.config(12);
      GroupFixtures.Pair p = GroupFixtures.fullTree(config,
          CipherSuite.X25519_AES128GCM_SHA256_ED25519, 3);
      savedSnapshot = p.creator().toBytes();
      p.creator().protect(new byte[3], new byte[0]);
      p.creator().process(p.member().protect(new byte[3], new byte[0]));
      savedRatchet = p.creator().ratchetStateBytes();
    }
    return savedRatchet;
  }

  @Test
  void restoreFromSnapshotAndRatchet_nextMessageUsesNewGenerationAndDecrypts()
      throws MlsException {
    MlsConfig config = GroupFixtures.config(13);
    GroupFixtures.Pair p = GroupFixtures.fullTree(config,
        CipherSuite.X25519_AES128GCM_SHA256_ED25519, 3);
    Group sender = p.creator();
    Group receiver = p.member();
    byte[] snapshot = sender.toBytes();
    GroupFixtures.sendAndCheck(sender, "one", List.of(receiver));
    GroupFixtures.sendAndCheck(receiver, "two", List.of(sender));
    byte[] ratchet = sender.ratchetStateBytes();
    byte[] receiverSnapshot = receiver.toBytes();

    Group restored = Group.fromBytes(config, snapshot, ratchet);
    GroupFixtures.sendAndCheck(restored, "three", List.of(receiver));
    Group restoredReceiver = Group.fromBytes(config, receiverSnapshot,
        receiver.ratchetStateBytes());
    GroupFixtures.sendAndCheck(restored, "four", List.of(restoredReceiver));
  }

  @Test
  void restoreFromSnapshotAndRatchet_usedKeyIsGone() throws MlsException {
    MlsConfig config = GroupFixtures.config(14);
    GroupFixtures.Pair p = GroupFixtures.fullTree(config,
        CipherSuite.X25519_AES128GCM_SHA256_ED25519, 3);
    byte[] receiverSnapshot = p.member().toBytes();
    MlsMessage m = p.creator().protect(GroupFixtures.utf8("once"), new byte[0]);
    p.member().process(m);
    Group restored = Group.fromBytes(config, receiverSnapshot, p.member().ratchetStateBytes());
    try {
      restored.process(m);
      throw new AssertionError("a used key decrypted again after restore");
    } catch (MlsException expected) {
      // the key was deleted when the message was first processed
    }
  }

  @Property(tries = 200)
  void mutatedRatchetState_failsOnlyWithDecodeException(
      @ForAll @IntRange(min = 0, max = 100000) int at, @ForAll byte value) throws MlsException {
    byte[] bytes = savedRatchet().clone();
    bytes[at % bytes.length] ^= (byte) (value == 0 ? 1 : value);
    try {
      Group.fromBytes(GroupFixtures.config(1), savedSnapshot, bytes);
    } catch (MlsDecodeException expected) {
      // a typed failure is the only acceptable one
    }
  }

  @Property(tries = 100)
  void randomRatchetState_failsOnlyWithDecodeException(@ForAll byte[] bytes) throws MlsException {
    savedRatchet();
    try {
      Group.fromBytes(GroupFixtures.config(1), savedSnapshot, bytes);
    } catch (MlsDecodeException expected) {
      // a typed failure is the only acceptable one
    }
  }

  private static byte[] saved;

  private static synchronized byte[] saved() throws MlsException {
    if (saved == null) {
      MlsConfig config = GroupFixtures.config(11);
      Group a = Client.named("a", config).create("codec");
      KeyPackageBundle kb = Client.named("b", config).keyPackage();
      CommitResult r = a.commit(CommitOptions.builder().add(kb.keyPackage()).build());
      a.mergePendingCommit();
      a.protect(new byte[3], new byte[0]);
      a.proposeUpdate();
      saved = a.toBytes();
    }
    return saved;
  }

  @Property(tries = 300)
  void mutatedState_failsOnlyWithDecodeException(@ForAll @IntRange(min = 0, max = 100000) int at,
      @ForAll byte value) throws MlsException {
    byte[] bytes = saved().clone();
    bytes[at % bytes.length] ^= (byte) (value == 0 ? 1 : value);
    try {
      Group.fromBytes(GroupFixtures.config(1), bytes);
    } catch (MlsDecodeException expected) {
      // a typed failure is the only acceptable one
    }
  }

  @Property(tries = 200)
  void truncatedState_failsWithDecodeException(@ForAll @IntRange(min = 0, max = 100000) int cut)
      throws MlsException {
    byte[] bytes = saved();
    byte[] shorter = java.util.Arrays.copyOf(bytes, cut % bytes.length);
    try {
      Group.fromBytes(GroupFixtures.config(1), shorter);
      throw new AssertionError("truncated state decoded");
    } catch (MlsDecodeException expected) {
      // expected
    }
  }

  @Property(tries = 200)
  void randomBytes_failWithDecodeException(@ForAll byte[] bytes) {
    try {
      Group.fromBytes(GroupFixtures.config(1), bytes);
      throw new AssertionError("random bytes decoded");
    } catch (MlsDecodeException expected) {
      // expected
    }
  }
}
