package io.spacepanda.internal.mls.group;

import static io.spacepanda.internal.mls.group.GroupFixtures.assertConverged;
import static io.spacepanda.internal.mls.group.GroupFixtures.sendAndCheck;
import static io.spacepanda.internal.mls.group.GroupFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.MlsReplayException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.MlsWrongEpochException;
import io.spacepanda.internal.mls.group.GroupFixtures.Client;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.PrivateMessage;
import io.spacepanda.internal.mls.message.SenderData;
import io.spacepanda.internal.mls.schedule.SecretTree;
import io.spacepanda.internal.mls.schedule.SenderDataKeys;
import io.spacepanda.internal.mls.message.WireFormat;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scenarios of a group of three or more members (RFC 9420 §10–§14). */
class GroupTest {

  private MlsConfig config;
  private Client alice;
  private Client bob;
  private Client carol;
  private Client dave;
  private Group a;
  private Group b;
  private Group c;

  @BeforeEach
  void setUp() throws MlsException {
    config = GroupFixtures.config(42);
    alice = Client.named("alice", config);
    bob = Client.named("bob", config);
    carol = Client.named("carol", config);
    dave = Client.named("dave", config);
    a = alice.create("team");
    KeyPackageBundle kb = bob.keyPackage();
    KeyPackageBundle kc = carol.keyPackage();
    CommitResult r = a.commit(CommitOptions.builder().add(kb.keyPackage())
        .add(kc.keyPackage()).build());
    assertEquals(0, a.epoch(), "the committer stays in its epoch until it merges");
    a.mergePendingCommit();
    assertNotNull(r.welcomeOrNull());
    b = Group.joinFromWelcome(config, r.welcomeOrNull(), kb, null, PskLookup.NONE);
    c = Group.joinFromWelcome(config, r.welcomeOrNull(), kc, null, PskLookup.NONE);
  }

  private List<Group> all() {
    return List.of(a, b, c);
  }

  @Test
  void addTwoInOneCommit_joinFromWelcome_allPairsExchangeMessages() throws MlsException {
    assertEquals(1, a.epoch());
    assertEquals(3, a.members().size());
    assertEquals(a.members(), b.members());
    assertEquals(a.members(), c.members());
    assertConverged(all());
    for (Group from : all()) {
      sendAndCheck(from, "hello from " + from.ownLeafIndex(), all());
    }
  }

  @Test
  void joinFromWelcome_withTreeOutOfBand_works() throws MlsException {
    KeyPackageBundle kd = dave.keyPackage();
    CommitResult r = a.commit(CommitOptions.builder().add(kd.keyPackage())
        .ratchetTreeInWelcome(false).build());
    a.mergePendingCommit();
    b.process(r.commit());
    c.process(r.commit());
    assertThrows(MlsValidationException.class,
        () -> Group.joinFromWelcome(config, r.welcomeOrNull(), kd, null, PskLookup.NONE));
    Group d = Group.joinFromWelcome(config, r.welcomeOrNull(), kd, a.ratchetTree(),
        PskLookup.NONE);
    assertConverged(List.of(a, b, c, d));
    sendAndCheck(d, "dave here", List.of(a, b, c, d));
  }

  @Test
  void remove_removedMemberLearnsItAndDecryptsNothingNew() throws MlsException {
    CommitResult r = a.commit(CommitOptions.builder().remove(c.ownLeafIndex()).build());
    a.mergePendingCommit();
    ProcessedMessage.CommitApplied atBob =
        assertInstanceOf(ProcessedMessage.CommitApplied.class, b.process(r.commit()));
    assertEquals(1, atBob.removed().size());
    assertFalse(atBob.selfRemoved());
    ProcessedMessage.CommitApplied atCarol =
        assertInstanceOf(ProcessedMessage.CommitApplied.class, c.process(r.commit()));
    assertTrue(atCarol.selfRemoved());
    assertFalse(c.isActive());
    assertConverged(List.of(a, b));
    MlsMessage secret = a.protect(utf8("carol must not read this"), new byte[0]);
    assertThrows(MlsWrongEpochException.class, () -> c.process(secret));
    assertThrows(IllegalStateException.class, () -> c.protect(utf8("x"), new byte[0]));
    sendAndCheck(b, "still here", List.of(a, b));
  }

  @Test
  void proposeRemove_committedByReference_removes() throws MlsException {
    MlsMessage proposal = b.proposeRemove(c.ownLeafIndex());
    assertInstanceOf(ProcessedMessage.ProposalQueued.class, a.process(proposal));
    assertInstanceOf(ProcessedMessage.ProposalQueued.class, c.process(proposal));
    CommitResult r = a.commit(CommitOptions.defaults());
    a.mergePendingCommit();
    b.process(r.commit());
    assertTrue(((ProcessedMessage.CommitApplied) c.process(r.commit())).selfRemoved());
    assertEquals(2, a.members().size());
    assertConverged(List.of(a, b));
  }

  @Test
  void selfUpdate_proposedByMember_committedByCommitter() throws MlsException {
    MlsMessage update = b.proposeUpdate();
    assertInstanceOf(ProcessedMessage.ProposalQueued.class, a.process(update));
    assertInstanceOf(ProcessedMessage.ProposalQueued.class, c.process(update));
    byte[] before = a.members().get(b.ownLeafIndex()).signatureKey();
    CommitResult r = a.commit(CommitOptions.defaults());
    a.mergePendingCommit();
    ProcessedMessage.CommitApplied atBob =
        assertInstanceOf(ProcessedMessage.CommitApplied.class, b.process(r.commit()));
    assertTrue(atBob.updated().contains(b.ownLeafIndex()));
    c.process(r.commit());
    assertConverged(all());
    assertArrayEquals(before, a.members().get(b.ownLeafIndex()).signatureKey());
    for (Group from : all()) {
      sendAndCheck(from, "after update", all());
    }
  }

  @Test
  void commitAsPublicMessage_andProposalsAsPublicMessage_work() throws MlsException {
    MlsMessage update = c.proposeUpdate(true);
    assertEquals(WireFormat.PUBLIC_MESSAGE, update.wireFormat());
    a.process(update);
    b.process(update);
    CommitResult r = a.commit(CommitOptions.builder().publicMessage(true).build());
    assertEquals(WireFormat.PUBLIC_MESSAGE, r.commit().wireFormat());
    a.mergePendingCommit();
    b.process(r.commit());
    c.process(r.commit());
    assertConverged(all());
  }

  @Test
  void outOfOrderMessagesWithinEpoch_allDecrypt() throws MlsException {
    List<MlsMessage> sent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add(a.protect(utf8("m" + i), new byte[0]));
    }
    int[] order = {4, 0, 3, 1, 2};
    for (int i : order) {
      ProcessedMessage.ApplicationMessage m =
          assertInstanceOf(ProcessedMessage.ApplicationMessage.class, b.process(sent.get(i)));
      assertArrayEquals(utf8("m" + i), m.data());
    }
  }

  @Test
  void lateMessageFromPreviousEpoch_decryptsWithinRetention() throws MlsException {
    MlsMessage late = c.protect(utf8("late"), utf8("aad"));
    CommitResult r = a.commit(CommitOptions.builder().forcePath(true).build());
    a.mergePendingCommit();
    b.process(r.commit());
    c.process(r.commit());
    ProcessedMessage.ApplicationMessage m =
        assertInstanceOf(ProcessedMessage.ApplicationMessage.class, b.process(late));
    assertEquals(1, m.epoch());
    assertArrayEquals(utf8("late"), m.data());
    assertArrayEquals(utf8("aad"), m.authenticatedData());
    assertEquals(c.ownLeafIndex(), m.senderLeaf());
  }

  @Test
  void messageOlderThanRetention_isWrongEpoch() throws MlsException {
    MlsMessage old = c.protect(utf8("old"), new byte[0]);
    for (int i = 0; i < config.pastEpochsRetained() + 1; i++) {
      CommitResult r = a.commit(CommitOptions.builder().forcePath(true).build());
      a.mergePendingCommit();
      b.process(r.commit());
      c.process(r.commit());
    }
    assertThrows(MlsWrongEpochException.class, () -> b.process(old));
  }

  @Test
  void handshakeOfPreviousEpoch_isWrongEpoch() throws MlsException {
    MlsMessage staleProposal = b.proposeUpdate();
    CommitResult r = a.commit(CommitOptions.builder().includePendingProposals(false)
        .forcePath(true).build());
    a.mergePendingCommit();
    b.process(r.commit());
    c.process(r.commit());
    assertThrows(MlsWrongEpochException.class, () -> c.process(staleProposal));
    assertThrows(MlsWrongEpochException.class, () -> c.process(r.commit()));
  }

  @Test
  void sender_cannotDecryptItsOwnSentMessage() throws MlsException {
    MlsMessage m = a.protect(utf8("mine"), new byte[0]);
    assertThrows(MlsReplayException.class, () -> a.process(m));
    sendAndCheck(b, "others still decrypt", all());
    assertArrayEquals(utf8("mine"),
        assertInstanceOf(ProcessedMessage.ApplicationMessage.class, c.process(m)).data());
  }

  @Test
  void replay_isRejected() throws MlsException {
    MlsMessage m = a.protect(utf8("once"), new byte[0]);
    b.process(m);
    assertThrows(MlsReplayException.class, () -> b.process(m));
  }

  @Test
  void generationBomb_isRejectedAndLaterMessagesStillDecrypt() throws MlsException {
    MlsConfig small = GroupFixtures.config(7, MlsConfig.builder().maxForwardGenerationJump(10));
    Client x = Client.named("x", small);
    Client y = Client.named("y", small);
    Group gx = x.create("bomb");
    KeyPackageBundle ky = y.keyPackage();
    CommitResult r = gx.commit(CommitOptions.builder().add(ky.keyPackage()).build());
    gx.mergePendingCommit();
    Group gy = Group.joinFromWelcome(small, r.welcomeOrNull(), ky, null, PskLookup.NONE);
    List<MlsMessage> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(gx.protect(utf8("m" + i), new byte[0]));
    }
    assertThrows(MlsValidationException.class, () -> gy.process(sent.get(49)));
    ProcessedMessage.ApplicationMessage m =
        assertInstanceOf(ProcessedMessage.ApplicationMessage.class, gy.process(sent.get(3)));
    assertArrayEquals(utf8("m3"), m.data());
  }

  /**
   * Re-encrypts the SenderData of {@code m} with another generation, as a member who knows the
   * epoch's sender-data secret could.
   */
  private static MlsMessage withGeneration(Group receiver, MlsMessage m, long generation)
      throws MlsException {
    PrivateMessage pm = m.privateMessage();
    byte[] sds = receiver.state.secrets.senderDataSecret();
    CipherSuite s = receiver.suite();
    byte[] key = SenderDataKeys.key(s, sds, pm.ciphertext());
    byte[] nonce = SenderDataKeys.nonce(s, sds, pm.ciphertext());
    SenderData sd = TlsReader.decodeExactly(
        s.open(key, nonce, pm.senderDataAad(), pm.encryptedSenderData()), SenderData::decode);
    byte[] forged = s.seal(key, nonce, pm.senderDataAad(),
        new SenderData(sd.leafIndex(), generation, sd.reuseGuard()).toBytes());
    return MlsMessage.of(new PrivateMessage(pm.groupId(), pm.epoch(), pm.contentType(),
        pm.authenticatedData(), forged, pm.ciphertext()));
  }

  @Test
  void generationBomb_isRejectedBeforeAnyDerivation() throws MlsException {
    sendAndCheck(a, "warm up", all());
    SecretTree tree = b.state.secretTree;
    long before = tree.derivationCount();
    byte[] saved = b.toBytes();
    MlsMessage legit = a.protect(utf8("legit"), new byte[0]);
    for (long g : new long[] {0xFFFFFFFFL, 1L << 20, 1 + config.maxForwardGenerationJump() + 1}) {
      MlsMessage bomb = withGeneration(b, legit, g);
      assertThrows(MlsValidationException.class, () -> b.process(bomb));
    }
    assertEquals(before, tree.derivationCount(), "no key derived for a rejected jump");
    assertArrayEquals(saved, b.toBytes(), "state unchanged");
    ProcessedMessage.ApplicationMessage m =
        assertInstanceOf(ProcessedMessage.ApplicationMessage.class, b.process(legit));
    assertArrayEquals(utf8("legit"), m.data());
    // a jump within the bound costs one step and one key per generation, keys kept bounded
    MlsMessage far = withGeneration(b, a.protect(utf8("x"), new byte[0]),
        1 + config.maxForwardGenerationJump());
    long mid = tree.derivationCount();
    assertThrows(MlsException.class, () -> b.process(far));
    assertTrue(tree.derivationCount() - mid <= 2L * config.maxForwardGenerationJump() + 4,
        "derivations bounded by the jump: " + (tree.derivationCount() - mid));
  }

  @Test
  void tamperedCiphertext_failsWithDecryptionOrDecodeError() throws MlsException {
    MlsMessage m = a.protect(utf8("x"), new byte[0]);
    byte[] bytes = m.toBytes();
    bytes[bytes.length - 1] ^= 1;
    MlsMessage bad = io.spacepanda.internal.mls.codec.TlsReader.decodeExactly(bytes,
        MlsMessage::decode);
    assertThrows(MlsException.class, () -> b.process(bad));
    sendAndCheck(a, "still fine", all());
  }

  @Test
  void stateSavedAndRestored_midConversation_continuesExactly() throws MlsException {
    MlsMessage late = c.protect(utf8("late"), new byte[0]);
    List<MlsMessage> burst = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      burst.add(a.protect(utf8("b" + i), new byte[0]));
    }
    b.process(burst.get(2));
    MlsMessage update = c.proposeUpdate();
    a.process(update);
    b.process(update);
    CommitResult r = a.commit(CommitOptions.defaults());
    a.mergePendingCommit();
    b.process(r.commit());
    byte[] savedC = c.toBytes();
    c = Group.fromBytes(config, savedC);
    c.process(r.commit());
    byte[] saved = b.toBytes();
    assertEquals(1, saved[0], "format version first");
    Group restored = Group.fromBytes(config, saved);
    assertArrayEquals(saved, restored.toBytes());
    assertArrayEquals(b.epochAuthenticator(), restored.epochAuthenticator());
    assertEquals(b.members(), restored.members());
    // skipped keys and past epochs survive the round trip
    assertArrayEquals(utf8("b0"),
        ((ProcessedMessage.ApplicationMessage) restored.process(burst.get(0))).data());
    assertArrayEquals(utf8("late"),
        ((ProcessedMessage.ApplicationMessage) restored.process(late)).data());
    // replay protection survives too
    assertThrows(MlsReplayException.class, () -> Group.fromBytes(config, saved)
        .process(burst.get(2)));
    b = restored;
    assertConverged(all());
    for (Group from : all()) {
      sendAndCheck(from, "after restore", all());
    }
  }

  @Test
  void savedStateSize_doesNotGrowWithEpochs() throws MlsException {
    // beyond resumptionSecretsRetained (16) epochs, every bound is reached
    int[] sizes = new int[config.resumptionSecretsRetained() + 6];
    for (int i = 0; i < sizes.length; i++) {
      CommitResult r = a.commit(CommitOptions.builder().forcePath(true).build());
      a.mergePendingCommit();
      b.process(r.commit());
      c.process(r.commit());
      sizes[i] = b.toBytes().length;
    }
    int last = sizes.length - 1;
    assertTrue(Math.abs(sizes[last] - sizes[last - 4]) < 16,
        "size stable: " + sizes[last - 4] + " vs " + sizes[last]);
  }

  @Test
  void discardPendingCommit_keepsEpoch_andOtherCommitWins() throws MlsException {
    CommitResult mine = b.commit(CommitOptions.builder().forcePath(true).build());
    b.discardPendingCommit();
    assertNull(b.pendingCommitOrNull());
    assertEquals(1, b.epoch());
    CommitResult ours = b.commit(CommitOptions.builder().forcePath(true).build());
    CommitResult theirs = a.commit(CommitOptions.builder().forcePath(true).build());
    a.mergePendingCommit();
    b.process(theirs.commit());
    assertNull(b.pendingCommitOrNull(), "processing another commit drops the own pending one");
    assertThrows(IllegalStateException.class, b::mergePendingCommit);
    c.process(theirs.commit());
    assertThrows(MlsWrongEpochException.class, () -> c.process(ours.commit()));
    assertThrows(MlsWrongEpochException.class, () -> c.process(mine.commit()));
    assertConverged(all());
  }

  @Test
  void commitReferencingUnknownProposal_isRejected() throws MlsException {
    MlsMessage update = c.proposeUpdate();
    a.process(update);
    CommitResult r = a.commit(CommitOptions.defaults());
    assertThrows(MlsValidationException.class, () -> b.process(r.commit()));
    assertEquals(1, b.epoch());
  }

  @Test
  void addOfExistingMember_isRejectedByCommitter() {
    KeyPackageBundle again = bob.keyPackage();
    assertThrows(MlsValidationException.class,
        () -> a.commit(CommitOptions.builder().add(again.keyPackage()).build()));
  }

  @Test
  void committerRemovingItself_isRejected() {
    assertThrows(MlsValidationException.class,
        () -> a.commit(CommitOptions.builder().remove(a.ownLeafIndex()).build()));
  }

  @Test
  void expiredKeyPackage_isRejected() {
    MlsConfig past = MlsConfig.builder()
        .clock(java.time.Clock.fixed(java.time.Instant.parse("2020-01-01T00:00:00Z"),
            java.time.ZoneOffset.UTC)).build();
    KeyPackageBundle old = KeyPackageBundle.create(past, GroupFixtures.SUITE, dave.credential(),
        dave.signatureKeys());
    assertThrows(MlsValidationException.class,
        () -> a.commit(CommitOptions.builder().add(old.keyPackage()).build()));
  }

  @Test
  void exporter_isEqualForAllMembers_andDiffersByLabel() {
    assertArrayEquals(a.exporter("x", utf8("c"), 16), c.exporter("x", utf8("c"), 16));
    assertFalse(java.util.Arrays.equals(a.exporter("x", utf8("c"), 16),
        a.exporter("y", utf8("c"), 16)));
  }
}
