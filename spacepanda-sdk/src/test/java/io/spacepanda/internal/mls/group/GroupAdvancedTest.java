package io.spacepanda.internal.mls.group;

import static io.spacepanda.internal.mls.group.GroupFixtures.assertConverged;
import static io.spacepanda.internal.mls.group.GroupFixtures.sendAndCheck;
import static io.spacepanda.internal.mls.group.GroupFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.group.GroupFixtures.Client;
import io.spacepanda.internal.mls.message.Extension;
import io.spacepanda.internal.mls.message.FramedContent;
import io.spacepanda.internal.mls.message.FramedContentAuthData;
import io.spacepanda.internal.mls.message.FramedContentTbs;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.message.PublicMessage;
import io.spacepanda.internal.mls.message.Sender;
import io.spacepanda.internal.mls.message.SenderType;
import io.spacepanda.internal.mls.message.WireFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** External commits, external senders, PSKs, group context extensions and ReInit. */
class GroupAdvancedTest {

  private MlsConfig config;
  private Group a;
  private Group b;
  private Group c;

  @BeforeEach
  void setUp() throws MlsException {
    config = GroupFixtures.config(1234, MlsConfig.builder().allowNewMemberSenders(true));
    a = Client.named("alice", config).create("adv");
    KeyPackageBundle kb = Client.named("bob", config).keyPackage();
    KeyPackageBundle kc = Client.named("carol", config).keyPackage();
    CommitResult r = a.commit(CommitOptions.builder().add(kb.keyPackage())
        .add(kc.keyPackage()).build());
    a.mergePendingCommit();
    b = Group.joinFromWelcome(config, r.welcomeOrNull(), kb, null, PskLookup.NONE);
    c = Group.joinFromWelcome(config, r.welcomeOrNull(), kc, null, PskLookup.NONE);
  }

  private List<Group> all() {
    return List.of(a, b, c);
  }

  private void commitAndApply(Group committer, CommitOptions options) throws MlsException {
    CommitResult r = committer.commit(options);
    committer.mergePendingCommit();
    for (Group g : all()) {
      if (g != committer) {
        assertInstanceOf(ProcessedMessage.CommitApplied.class, g.process(r.commit()));
      }
    }
  }

  @Test
  void externalCommit_joinerJoinsAndAllConverge() throws MlsException {
    Client erin = Client.named("erin", config);
    ExternalJoin join = Group.joinByExternalCommit(config, b.groupInfo(true), null,
        erin.credential(), erin.signatureKeys());
    assertEquals(SenderType.NEW_MEMBER_COMMIT,
        join.commit().publicMessage().content().sender().type());
    for (Group g : all()) {
      ProcessedMessage.CommitApplied out =
          assertInstanceOf(ProcessedMessage.CommitApplied.class, g.process(join.commit()));
      assertEquals(1, out.added().size());
      assertEquals(-1, out.committer());
    }
    Group e = join.group();
    List<Group> five = List.of(a, b, c, e);
    assertConverged(five);
    for (Group from : five) {
      sendAndCheck(from, "with erin", five);
    }
  }

  @Test
  void externalCommit_isRejectedUnlessThePolicyAllowsIt() throws MlsException {
    MlsConfig strict = GroupFixtures.config(4321);
    Group strictB = Group.fromBytes(strict, b.toBytes());
    Client erin = Client.named("erin", config);
    ExternalJoin join = Group.joinByExternalCommit(config, b.groupInfo(true), null,
        erin.credential(), erin.signatureKeys());
    byte[] before = strictB.toBytes();
    assertThrows(MlsValidationException.class, () -> strictB.process(join.commit()));
    assertArrayEquals(before, strictB.toBytes());
    assertInstanceOf(ProcessedMessage.CommitApplied.class, b.process(join.commit()));
  }

  @Test
  void newMemberProposal_isQueuedOnlyWhenThePolicyAllowsIt() throws MlsException {
    Client erin = Client.named("erin", config);
    KeyPackageBundle ke = erin.keyPackage();
    FramedContent content = FramedContent.proposal(a.groupId(), a.epoch(),
        Sender.newMemberProposal(), new byte[0], new Proposal.Add(ke.keyPackage()));
    byte[] sig = GroupFixtures.SUITE.signWithLabel(erin.signatureKeys().privateKey(),
        "FramedContentTBS", FramedContentTbs.encode(WireFormat.PUBLIC_MESSAGE, content, null));
    MlsMessage self = MlsMessage.of(new PublicMessage(content,
        new FramedContentAuthData(sig, null), null));
    Group strictB = Group.fromBytes(GroupFixtures.config(99), b.toBytes());
    assertThrows(MlsValidationException.class, () -> strictB.process(self));
    assertInstanceOf(ProcessedMessage.ProposalQueued.class, b.process(self));
    assertInstanceOf(ProcessedMessage.ProposalQueued.class, a.process(self));
    assertInstanceOf(ProcessedMessage.ProposalQueued.class, c.process(self));
    commitAndApply(a, CommitOptions.defaults());
    assertEquals(4, b.members().size());
    assertConverged(all());
  }

  @Test
  void externalCommit_withTamperedGroupInfoSignature_isRefused() {
    Client erin = Client.named("erin", config);
    var gi = a.groupInfo(true);
    byte[] sig = gi.signature().clone();
    sig[0] ^= 1;
    assertThrows(MlsValidationException.class, () -> Group.joinByExternalCommit(config,
        gi.withSignature(sig), null, erin.credential(), erin.signatureKeys()));
  }

  @Test
  void externalSender_removeProposal_isCommittedByMember() throws MlsException {
    KeyPair ext = GroupFixtures.SUITE.generateSignatureKeyPair(config.random());
    TlsWriter w = new TlsWriter();
    // RFC 9420 §12.1.8.1: ExternalSender external_senders<V>
    w.vector(v -> {
      v.opaque(ext.publicKey());
      io.spacepanda.internal.mls.message.Credential.basic(utf8("server")).encode(v);
    });
    Extension senders = new Extension(Extension.EXTERNAL_SENDERS, w.toByteArray());
    MlsMessage gce = a.proposeGroupContextExtensions(List.of(senders), false);
    b.process(gce);
    c.process(gce);
    commitAndApply(a, CommitOptions.defaults());
    assertConverged(all());

    FramedContent content = FramedContent.proposal(a.groupId(), a.epoch(), Sender.external(0),
        new byte[0], new Proposal.Remove(c.ownLeafIndex()));
    byte[] sig = GroupFixtures.SUITE.signWithLabel(ext.privateKey(), "FramedContentTBS",
        FramedContentTbs.encode(WireFormat.PUBLIC_MESSAGE, content, null));
    MlsMessage external = MlsMessage.of(new PublicMessage(content,
        new FramedContentAuthData(sig, null), null));
    for (Group g : all()) {
      assertInstanceOf(ProcessedMessage.ProposalQueued.class, g.process(external));
    }
    CommitResult r = b.commit(CommitOptions.defaults());
    b.mergePendingCommit();
    a.process(r.commit());
    assertTrue(((ProcessedMessage.CommitApplied) c.process(r.commit())).selfRemoved());
    assertConverged(List.of(a, b));

    byte[] bad = sig.clone();
    bad[1] ^= 1;
    FramedContent again = FramedContent.proposal(a.groupId(), a.epoch(), Sender.external(0),
        new byte[0], new Proposal.Remove(b.ownLeafIndex()));
    MlsMessage forged = MlsMessage.of(new PublicMessage(again,
        new FramedContentAuthData(bad, null), null));
    assertThrows(MlsValidationException.class, () -> a.process(forged));
  }

  @Test
  void externalAndResumptionPsks_areInjected() throws MlsException {
    byte[] id = utf8("psk-1");
    byte[] secret = new byte[32];
    for (Group g : all()) {
      g.addExternalPsk(id, secret);
    }
    MlsMessage p1 = b.proposeExternalPsk(id, false);
    MlsMessage p2 = c.proposeResumptionPsk(a.epoch(), true);
    for (Group g : all()) {
      if (g != b) {
        g.process(p1);
      }
      if (g != c) {
        g.process(p2);
      }
    }
    commitAndApply(a, CommitOptions.defaults());
    assertConverged(all());
    sendAndCheck(c, "after psk", all());
  }

  @Test
  void pskUnknownToReceiver_rejectsCommit() throws MlsException {
    a.addExternalPsk(utf8("only-a"), new byte[32]);
    a.proposeExternalPsk(utf8("only-a"), false);
    CommitResult r = a.commit(CommitOptions.defaults());
    assertThrows(MlsValidationException.class, () -> b.process(r.commit()));
  }

  @Test
  void reInit_committed_freezesTheGroup() throws MlsException {
    MlsMessage p = b.proposeReInit(utf8("adv-2"), GroupFixtures.SUITE, List.of(), false);
    a.process(p);
    c.process(p);
    assertNull(a.reInitOrNull());
    commitAndApply(a, CommitOptions.defaults());
    for (Group g : all()) {
      assertNotNull(g.reInitOrNull());
      assertArrayEquals(utf8("adv-2"), g.reInitOrNull().groupId());
      assertThrows(IllegalStateException.class, () -> g.protect(utf8("x"), new byte[0]));
    }
    assertConverged(all());
    Group restored = Group.fromBytes(config, b.toBytes());
    assertNotNull(restored.reInitOrNull());
  }

  @Test
  void epochOf_readsEpochWithoutKeys() throws MlsException {
    MlsMessage m = a.protect(utf8("x"), new byte[0]);
    assertEquals(a.epoch(), Group.epochOf(m));
    assertEquals(a.epoch(), Group.epochOf(b.proposeUpdate(true)));
  }
}
