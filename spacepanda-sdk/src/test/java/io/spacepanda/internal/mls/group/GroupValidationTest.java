package io.spacepanda.internal.mls.group;

import static io.spacepanda.internal.mls.group.GroupFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.MlsWrongEpochException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.group.GroupFixtures.Client;
import io.spacepanda.internal.mls.message.KeyPackage;
import io.spacepanda.internal.mls.message.LeafNode;
import io.spacepanda.internal.mls.message.LeafNodeSource;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.message.ProposalOrRef;
import io.spacepanda.internal.mls.message.Sender;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Receivers reject proposals and commits that break RFC 9420 §7.3, §10.1, §12.1 and §12.2. */
class GroupValidationTest {

  private static final CipherSuite S = GroupFixtures.SUITE;
  private MlsConfig config;
  private Client bob;
  private Client dave;
  private Group a;
  private Group b;
  private Group c;

  @BeforeEach
  void setUp() throws MlsException {
    config = GroupFixtures.config(99);
    Client alice = Client.named("alice", config);
    bob = Client.named("bob", config);
    Client carol = Client.named("carol", config);
    dave = Client.named("dave", config);
    a = alice.create("v");
    KeyPackageBundle kb = bob.keyPackage();
    KeyPackageBundle kc = carol.keyPackage();
    CommitResult r = a.commit(CommitOptions.builder().add(kb.keyPackage())
        .add(kc.keyPackage()).build());
    a.mergePendingCommit();
    b = Group.joinFromWelcome(config, r.welcomeOrNull(), kb, null, PskLookup.NONE);
    c = Group.joinFromWelcome(config, r.welcomeOrNull(), kc, null, PskLookup.NONE);
  }

  private LeafNode updateLeaf(Group g, Client who, LeafNodeSource source, boolean badSignature) {
    LeafNode cur = g.state.ownLeafNode();
    byte[] enc = S.generateHpkeKeyPair(config.random()).publicKey();
    LeafNode unsigned = new LeafNode(enc, cur.signatureKey(), cur.credential(),
        cur.capabilities(), source,
        source == LeafNodeSource.KEY_PACKAGE ? cur.lifetime() == null
            ? new io.spacepanda.internal.mls.message.Lifetime(0, Long.MAX_VALUE) : cur.lifetime()
            : null,
        null, cur.extensions(), new byte[0]);
    byte[] sig = S.signWithLabel(who.signatureKeys().privateKey(), "LeafNodeTBS",
        unsigned.toBeSigned(g.groupId(), g.ownLeafIndex()));
    if (badSignature) {
      sig[0] ^= 1;
    }
    return unsigned.withSignature(sig);
  }

  @Test
  void updateWithBadLeafSignature_isRejected() throws MlsException {
    MlsMessage m = b.propose(new Proposal.Update(updateLeaf(b, bob, LeafNodeSource.UPDATE, true)),
        false);
    assertThrows(MlsValidationException.class, () -> a.process(m));
  }

  @Test
  void updateWithWrongLeafSource_isRejected() throws MlsException {
    MlsMessage m = b.propose(new Proposal.Update(
        updateLeaf(b, bob, LeafNodeSource.KEY_PACKAGE, false)), false);
    assertThrows(MlsValidationException.class, () -> a.process(m));
  }

  @Test
  void removeOfBlankLeaf_isRejected() {
    MlsMessage m = b.propose(new Proposal.Remove(7), true);
    assertThrows(MlsValidationException.class, () -> a.process(m));
  }

  @Test
  void addWithInitKeyEqualToEncryptionKey_isRejected() {
    KeyPackage good = dave.keyPackage().keyPackage();
    KeyPackage bad = new KeyPackage(good.version(), good.cipherSuite(),
        good.leafNode().encryptionKey(), good.leafNode(), good.extensions(), new byte[0]);
    bad = bad.withSignature(S.signWithLabel(dave.signatureKeys().privateKey(), "KeyPackageTBS",
        bad.toBeSigned()));
    MlsMessage m = b.propose(new Proposal.Add(bad), false);
    assertThrows(MlsValidationException.class, () -> a.process(m));
  }

  @Test
  void addWithMalformedInitKey_isRejected_andCommitStillWorks() throws MlsException {
    KeyPackage good = dave.keyPackage().keyPackage();
    KeyPackage bad = new KeyPackage(good.version(), good.cipherSuite(), new byte[5],
        good.leafNode(), good.extensions(), new byte[0]);
    bad = bad.withSignature(S.signWithLabel(dave.signatureKeys().privateKey(), "KeyPackageTBS",
        bad.toBeSigned()));
    MlsMessage m = b.propose(new Proposal.Add(bad), false);
    assertThrows(MlsValidationException.class, () -> a.process(m));
    // the committer would otherwise fail to encrypt its Welcome to the malformed key
    CommitResult r = a.commit(CommitOptions.defaults());
    a.mergePendingCommit();
    b.process(r.commit());
    assertArrayEquals(a.epochAuthenticator(), b.epochAuthenticator());
  }

  @Test
  void updateWithMalformedOrLowOrderEncryptionKey_isRejected() {
    // 31 bytes: not an X25519 key; 32 zero bytes: a low-order point (all-zero shared secret)
    for (byte[] key : new byte[][] {new byte[31], new byte[32]}) {
      LeafNode cur = b.state.ownLeafNode();
      LeafNode unsigned = new LeafNode(key, cur.signatureKey(), cur.credential(),
          cur.capabilities(), LeafNodeSource.UPDATE, null, null, cur.extensions(), new byte[0]);
      LeafNode leaf = unsigned.withSignature(S.signWithLabel(bob.signatureKeys().privateKey(),
          "LeafNodeTBS", unsigned.toBeSigned(b.groupId(), b.ownLeafIndex())));
      MlsMessage m = b.propose(new Proposal.Update(leaf), false);
      assertThrows(MlsValidationException.class, () -> a.process(m));
    }
  }

  @Test
  void addWithBadKeyPackageSignature_isRejected() {
    KeyPackage good = dave.keyPackage().keyPackage();
    byte[] sig = good.signature().clone();
    sig[3] ^= 1;
    MlsMessage m = b.propose(new Proposal.Add(good.withSignature(sig)), false);
    assertThrows(MlsValidationException.class, () -> a.process(m));
  }

  @Test
  void externalInitFromMember_isRejected() {
    MlsMessage m = b.propose(new Proposal.ExternalInit(new byte[32]), true);
    assertThrows(MlsValidationException.class, () -> a.process(m));
  }

  private void assertReceiversReject(CommitResult r) {
    assertThrows(MlsValidationException.class, () -> b.process(r.commit()));
    assertThrows(MlsValidationException.class, () -> c.process(r.commit()));
    assertEquals(1, b.epoch());
    assertEquals(1, c.epoch());
  }

  @Test
  void commitWithUpdateAndRemoveOfSameLeaf_isRejected() throws MlsException {
    MlsMessage up = c.proposeUpdate();
    a.process(up);
    b.process(up);
    byte[] ref = a.proposals.values().iterator().next().ref();
    Proposal update = a.proposals.values().iterator().next().proposal();
    List<ProposalOrRef> list = new ArrayList<>();
    List<Group.Entry> entries = new ArrayList<>();
    list.add(new ProposalOrRef.Reference(ref));
    entries.add(new Group.Entry(update, Sender.member(c.ownLeafIndex()), false));
    Proposal rm = new Proposal.Remove(c.ownLeafIndex());
    list.add(new ProposalOrRef.Value(rm));
    entries.add(new Group.Entry(rm, Sender.member(a.ownLeafIndex()), true));
    CommitResult r = a.buildCommit(CommitOptions.defaults(), list, entries);
    assertThrows(MlsValidationException.class, () -> b.process(r.commit()));
    assertEquals(1, b.epoch());
  }

  @Test
  void commitAddingSameKeyPackageTwice_isRejected() throws MlsException {
    KeyPackage kp = dave.keyPackage().keyPackage();
    Proposal add = new Proposal.Add(kp);
    List<ProposalOrRef> list = List.of(new ProposalOrRef.Value(add),
        new ProposalOrRef.Value(add));
    Sender self = Sender.member(a.ownLeafIndex());
    List<Group.Entry> entries = List.of(new Group.Entry(add, self, true),
        new Group.Entry(add, self, true));
    assertReceiversReject(a.buildCommit(CommitOptions.defaults(), list, entries));
  }

  @Test
  void commitAddingTwoKeyPackagesWithOneEncryptionKey_isRejected() throws MlsException {
    KeyPackage kd = dave.keyPackage().keyPackage();
    Client erin = Client.named("erin", config);
    LeafNode dl = kd.leafNode();
    LeafNode unsigned = new LeafNode(dl.encryptionKey(), erin.signatureKeys().publicKey(),
        erin.credential(), dl.capabilities(), LeafNodeSource.KEY_PACKAGE, dl.lifetime(), null,
        dl.extensions(), new byte[0]);
    LeafNode el = unsigned.withSignature(S.signWithLabel(erin.signatureKeys().privateKey(),
        "LeafNodeTBS", unsigned.toBeSigned(a.groupId(), 0)));
    KeyPackage unsignedKp = new KeyPackage(kd.version(), kd.cipherSuite(),
        S.generateHpkeKeyPair(config.random()).publicKey(), el, kd.extensions(), new byte[0]);
    KeyPackage ke = unsignedKp.withSignature(S.signWithLabel(erin.signatureKeys().privateKey(),
        "KeyPackageTBS", unsignedKp.toBeSigned()));
    Proposal addD = new Proposal.Add(kd);
    Proposal addE = new Proposal.Add(ke);
    Sender self = Sender.member(a.ownLeafIndex());
    List<ProposalOrRef> list = List.of(new ProposalOrRef.Value(addD),
        new ProposalOrRef.Value(addE));
    List<Group.Entry> entries = List.of(new Group.Entry(addD, self, true),
        new Group.Entry(addE, self, true));
    assertReceiversReject(a.buildCommit(CommitOptions.defaults(), list, entries));
    a.discardPendingCommit();
    assertThrows(MlsValidationException.class, () -> a.commit(CommitOptions.builder().add(kd)
        .add(ke).build()));
  }

  @Test
  void commitWithUpdateTakingTheSignatureKeyOfAnAddedMember_isRejected() throws MlsException {
    KeyPackage kd = dave.keyPackage().keyPackage();
    LeafNode cur = b.state.ownLeafNode();
    LeafNode unsigned = new LeafNode(S.generateHpkeKeyPair(config.random()).publicKey(),
        dave.signatureKeys().publicKey(), cur.credential(), cur.capabilities(),
        LeafNodeSource.UPDATE, null, null, cur.extensions(), new byte[0]);
    LeafNode stolen = unsigned.withSignature(S.signWithLabel(dave.signatureKeys().privateKey(),
        "LeafNodeTBS", unsigned.toBeSigned(b.groupId(), b.ownLeafIndex())));
    MlsMessage update = b.propose(new Proposal.Update(stolen), false);
    a.process(update);
    c.process(update);
    CachedProposalRef ref = new CachedProposalRef(a);
    Proposal addD = new Proposal.Add(kd);
    Sender self = Sender.member(a.ownLeafIndex());
    List<ProposalOrRef> list = List.of(new ProposalOrRef.Reference(ref.only().ref()),
        new ProposalOrRef.Value(addD));
    List<Group.Entry> entries = List.of(
        new Group.Entry(ref.only().proposal(), ref.only().sender(), false),
        new Group.Entry(addD, self, true));
    CommitResult r = a.buildCommit(CommitOptions.builder().forcePath(true).build(), list,
        entries);
    assertThrows(MlsValidationException.class, () -> c.process(r.commit()));
    assertEquals(1, c.epoch());
  }

  /** The single proposal {@code g} has cached. */
  private record CachedProposalRef(Group g) {
    Group.CachedProposal only() {
      assertEquals(1, g.proposals.size());
      return g.proposals.values().iterator().next();
    }
  }

  @Test
  void commitWithUpdateByValue_isRejected() throws MlsException {
    Proposal update = new Proposal.Update(updateLeaf(a, bob, LeafNodeSource.UPDATE, false));
    List<ProposalOrRef> list = List.of(new ProposalOrRef.Value(update));
    List<Group.Entry> entries = List.of(
        new Group.Entry(update, Sender.member(a.ownLeafIndex()), true));
    CommitResult r = a.buildCommit(CommitOptions.builder().forcePath(true).build(), list,
        entries);
    assertReceiversReject(r);
  }

  @Test
  void commitRemovingCommitter_isRejectedByCommitter() {
    Proposal rm = new Proposal.Remove(a.ownLeafIndex());
    assertThrows(MlsValidationException.class, () -> a.buildCommit(CommitOptions.defaults(),
        List.of(new ProposalOrRef.Value(rm)),
        List.of(new Group.Entry(rm, Sender.member(a.ownLeafIndex()), true))));
  }

  @Test
  void tamperedConfirmationTagOrSignature_isRejected() throws MlsException {
    CommitResult r = a.commit(CommitOptions.builder().forcePath(true).publicMessage(true)
        .build());
    byte[] bytes = r.commit().toBytes();
    for (int i : new int[] {bytes.length - 40, bytes.length - 80, 30}) {
      byte[] t = bytes.clone();
      t[i] ^= 1;
      MlsMessage bad;
      try {
        bad = io.spacepanda.internal.mls.codec.TlsReader.decodeExactly(t, MlsMessage::decode);
      } catch (MlsException e) {
        continue;
      }
      assertThrows(MlsException.class, () -> b.process(bad));
      assertEquals(1, b.epoch());
    }
    assertInstanceOf(ProcessedMessage.CommitApplied.class, b.process(r.commit()));
  }

  @Test
  void messageOfFutureEpoch_isWrongEpoch() throws MlsException {
    CommitResult r = a.commit(CommitOptions.builder().forcePath(true).build());
    a.mergePendingCommit();
    MlsMessage future = a.protect(utf8("too early"), new byte[0]);
    assertThrows(MlsWrongEpochException.class, () -> b.process(future));
    b.process(r.commit());
    assertArrayEquals(utf8("too early"),
        ((ProcessedMessage.ApplicationMessage) b.process(future)).data());
  }

  @Test
  void removedMember_readsLateMessagesOfItsEpochOnly() throws MlsException {
    MlsMessage late = b.protect(utf8("late"), new byte[0]);
    CommitResult r = a.commit(CommitOptions.builder().remove(c.ownLeafIndex()).build());
    a.mergePendingCommit();
    b.process(r.commit());
    c.process(r.commit());
    assertArrayEquals(utf8("late"), ((ProcessedMessage.ApplicationMessage) c.process(late))
        .data());
    MlsMessage next = b.protect(utf8("new"), new byte[0]);
    assertThrows(MlsWrongEpochException.class, () -> c.process(next));
    MlsMessage proposal = b.proposeUpdate();
    assertThrows(MlsWrongEpochException.class, () -> c.process(proposal));
  }

  @Test
  void messageOfAnotherGroup_isRejected() throws MlsException {
    Group other = Client.named("zed", config).create("other");
    KeyPackageBundle kb = Client.named("b2", config).keyPackage();
    other.commit(CommitOptions.builder().add(kb.keyPackage()).build());
    other.mergePendingCommit();
    MlsMessage m = other.protect(utf8("x"), new byte[0]);
    assertThrows(MlsValidationException.class, () -> b.process(m));
  }

  @Test
  void welcomeForAnotherKeyPackage_isRejected() throws MlsException {
    KeyPackageBundle kd = dave.keyPackage();
    KeyPackageBundle other = Client.named("other", config).keyPackage();
    CommitResult r = a.commit(CommitOptions.builder().add(kd.keyPackage()).build());
    assertThrows(MlsValidationException.class,
        () -> Group.joinFromWelcome(config, r.welcomeOrNull(), other, null, PskLookup.NONE));
  }

  @Test
  void welcomeWithTamperedGroupInfo_failsToDecrypt() throws MlsException {
    KeyPackageBundle kd = dave.keyPackage();
    CommitResult r = a.commit(CommitOptions.builder().add(kd.keyPackage()).build());
    var w = r.welcomeOrNull();
    byte[] egi = w.encryptedGroupInfo().clone();
    egi[egi.length - 1] ^= 1;
    var bad = new io.spacepanda.internal.mls.message.Welcome(w.cipherSuite(), w.secrets(), egi);
    assertThrows(MlsException.class,
        () -> Group.joinFromWelcome(config, bad, kd, null, PskLookup.NONE));
  }

  @Test
  void proposalFlood_beyondTheBound_isRejected() throws MlsException {
    MlsConfig small = GroupFixtures.config(5, MlsConfig.builder().maxCachedProposals(2));
    Group x = Client.named("x", small).create("flood");
    KeyPackageBundle ky = Client.named("y", small).keyPackage();
    CommitResult r = x.commit(CommitOptions.builder().add(ky.keyPackage()).build());
    x.mergePendingCommit();
    Group y = Group.joinFromWelcome(small, r.welcomeOrNull(), ky, null, PskLookup.NONE);
    x.process(y.proposeUpdate());
    x.process(y.proposeUpdate());
    MlsMessage third = y.proposeUpdate();
    assertThrows(MlsValidationException.class, () -> x.process(third));
  }

  @Test
  void commitWithWrongConfirmationTag_isRejected_andStateIsUnchanged() throws MlsException {
    CommitResult r = a.commit(CommitOptions.builder().forcePath(true).publicMessage(true)
        .build());
    var pm = r.commit().publicMessage();
    byte[] tag = pm.auth().confirmationTag().clone();
    tag[0] ^= 1;
    var forged = new io.spacepanda.internal.mls.message.AuthenticatedContent(
        io.spacepanda.internal.mls.message.WireFormat.PUBLIC_MESSAGE, pm.content(),
        new io.spacepanda.internal.mls.message.FramedContentAuthData(pm.auth().signature(), tag));
    MlsMessage bad = MlsMessage.of(a.state.framer.protectPublic(forged));
    byte[] before = b.toBytes();
    MlsValidationException e = assertThrows(MlsValidationException.class, () -> b.process(bad));
    assertEquals("confirmation tag invalid", e.getMessage());
    assertArrayEquals(before, b.toBytes());
    assertInstanceOf(ProcessedMessage.CommitApplied.class, b.process(r.commit()));
  }
}
