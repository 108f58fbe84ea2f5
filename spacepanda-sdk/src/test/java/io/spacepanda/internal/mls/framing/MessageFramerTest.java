package io.spacepanda.internal.mls.framing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsDecryptionException;
import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.MlsReplayException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.MlsWrongEpochException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.message.AuthenticatedContent;
import io.spacepanda.internal.mls.message.ContentType;
import io.spacepanda.internal.mls.message.FramedContent;
import io.spacepanda.internal.mls.message.FramedContentAuthData;
import io.spacepanda.internal.mls.message.GroupContext;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.PrivateMessage;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.message.ProtocolVersion;
import io.spacepanda.internal.mls.message.PublicMessage;
import io.spacepanda.internal.mls.message.Sender;
import io.spacepanda.internal.mls.message.SenderData;
import io.spacepanda.internal.mls.message.SenderType;
import io.spacepanda.internal.mls.message.WireFormat;
import io.spacepanda.internal.mls.schedule.EpochSecrets;
import io.spacepanda.internal.mls.schedule.KeySchedule;
import io.spacepanda.internal.mls.schedule.SecretTree;
import io.spacepanda.internal.mls.schedule.SecretTreeLimits;
import io.spacepanda.internal.mls.schedule.SenderDataKeys;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class MessageFramerTest {

  private static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
  private static final byte[] GROUP = "group".getBytes(StandardCharsets.US_ASCII);
  private static final long EPOCH = 7;
  private static final int ALICE = 0;
  private static final int BOB = 2;

  private final SecureRandom random = new SecureRandom(new byte[] {1});
  private final KeyPair alice = SUITE.generateSignatureKeyPair(random);
  private final KeyPair bob = SUITE.generateSignatureKeyPair(random);
  private final SignatureKeyResolver keys = (sender, content) -> {
    if (sender.type() != SenderType.MEMBER) {
      return null;
    }
    return sender.index() == ALICE ? alice.publicKey() : sender.index() == BOB ? bob.publicKey()
        : null;
  };
  private final GroupContext context = context(EPOCH);
  private final EpochSecrets secrets =
      KeySchedule.nextEpoch(SUITE, new byte[32], null, null, context.toBytes());

  private static GroupContext context(long epoch) {
    return new GroupContext(ProtocolVersion.MLS10, SUITE.id(), GROUP, epoch, new byte[32],
        new byte[32], List.of());
  }

  private MessageFramer framer(FramingOptions options) {
    return MessageFramer.forEpoch(context, secrets,
        SecretTree.create(SUITE, secrets.encryptionSecret(), 3, SecretTreeLimits.DEFAULT),
        options, random);
  }

  private MessageFramer framer() {
    return framer(FramingOptions.DEFAULT);
  }

  private static FramedContent app(int leaf, String text) {
    return FramedContent.application(GROUP, EPOCH, Sender.member(leaf), new byte[] {9},
        text.getBytes(StandardCharsets.UTF_8));
  }

  private static FramedContent remove(int leaf, int removed) {
    return FramedContent.proposal(GROUP, EPOCH, Sender.member(leaf), new byte[0],
        new Proposal.Remove(removed));
  }

  private static PrivateMessage wire(PrivateMessage m) throws Exception {
    return TlsReader.decodeExactly(MlsMessage.of(m).toBytes(), MlsMessage::decode)
        .privateMessage();
  }

  @Test
  void encryptPrivate_decryptPrivate_returnsSameContentAndSender() throws Exception {
    MessageFramer sender = framer();
    MessageFramer receiver = framer();
    FramedContent content = app(ALICE, "hello");
    AuthenticatedContent got = receiver.decryptPrivate(
        wire(sender.encryptPrivate(content, alice.privateKey())), keys);
    assertEquals(content, got.content());
    assertEquals(WireFormat.PRIVATE_MESSAGE, got.wireFormat());
  }

  @Test
  void encryptPrivate_paddingBlock_ciphertextIsMultipleOfBlock() throws Exception {
    MessageFramer sender = framer(new FramingOptions(64));
    for (int len : new int[] {0, 1, 50, 200}) {
      PrivateMessage m = sender.encryptPrivate(app(ALICE, "x".repeat(len)), alice.privateKey());
      assertEquals(0, (m.ciphertext().length - 16) % 64, "length " + len);
    }
    PrivateMessage unpadded = framer(new FramingOptions(0))
        .encryptPrivate(app(ALICE, ""), alice.privateKey());
    // 1 (empty opaque) + 2 (varint 64) + 64 (signature) + 16 (AEAD tag), no padding
    assertEquals(83, unpadded.ciphertext().length);
  }

  @Test
  void decryptPrivate_commitWithConfirmationTag_roundTrips() throws Exception {
    MessageFramer sender = framer();
    FramedContent commit = FramedContent.commit(GROUP, EPOCH, Sender.member(BOB), new byte[0],
        new io.spacepanda.internal.mls.message.Commit(List.of(), null));
    byte[] signature = sender.sign(WireFormat.PRIVATE_MESSAGE, commit, bob.privateKey());
    byte[] tag = new byte[32];
    PrivateMessage m = sender.encryptPrivate(new AuthenticatedContent(WireFormat.PRIVATE_MESSAGE,
        commit, new FramedContentAuthData(signature, tag)));
    AuthenticatedContent got = framer().decryptPrivate(wire(m), keys);
    assertEquals(ContentType.COMMIT, got.content().contentType());
    assertArrayEquals(tag, got.auth().confirmationTag());
  }

  @Test
  void decryptPrivate_wrongEncryptionSecret_failsWithFixedMessage() throws Exception {
    PrivateMessage m = framer().encryptPrivate(app(ALICE, "hi"), alice.privateKey());
    byte[] otherRoot = new byte[32];
    MessageFramer wrong = new MessageFramer(SUITE, context, secrets.membershipKey(),
        secrets.senderDataSecret(), SecretTree.create(SUITE, otherRoot, 3,
            SecretTreeLimits.DEFAULT), FramingOptions.DEFAULT, random);
    MlsDecryptionException e = assertThrows(MlsDecryptionException.class,
        () -> wrong.decryptPrivate(m, keys));
    assertEquals("decryption failed", e.getMessage());
  }

  @Test
  void decryptPrivate_wrongSenderDataSecret_failsWithFixedMessage() throws Exception {
    PrivateMessage m = framer().encryptPrivate(app(ALICE, "hi"), alice.privateKey());
    MessageFramer wrong = new MessageFramer(SUITE, context, secrets.membershipKey(),
        new byte[32], SecretTree.create(SUITE, secrets.encryptionSecret(), 3,
            SecretTreeLimits.DEFAULT), FramingOptions.DEFAULT, random);
    MlsDecryptionException e = assertThrows(MlsDecryptionException.class,
        () -> wrong.decryptPrivate(m, keys));
    assertEquals("decryption failed", e.getMessage());
  }

  @Test
  void decryptPrivate_tamperedCiphertext_failsAndGenuineStillDecrypts() throws Exception {
    PrivateMessage m = framer().encryptPrivate(app(ALICE, "hi"), alice.privateKey());
    byte[] ct = m.ciphertext().clone();
    ct[ct.length - 1] ^= 1;
    PrivateMessage forged = new PrivateMessage(m.groupId(), m.epoch(), m.contentType(),
        m.authenticatedData(), m.encryptedSenderData(), ct);
    MessageFramer receiver = framer();
    assertThrows(MlsDecryptionException.class, () -> receiver.decryptPrivate(forged, keys));
    assertEquals("hi", new String(receiver.decryptPrivate(m, keys).content().applicationData(),
        StandardCharsets.UTF_8));
  }

  @Test
  void decryptPrivate_changedAuthenticatedData_fails() throws Exception {
    PrivateMessage m = framer().encryptPrivate(app(ALICE, "hi"), alice.privateKey());
    PrivateMessage forged = new PrivateMessage(m.groupId(), m.epoch(), m.contentType(),
        new byte[] {8}, m.encryptedSenderData(), m.ciphertext());
    assertThrows(MlsDecryptionException.class, () -> framer().decryptPrivate(forged, keys));
  }

  @Test
  void decryptPrivate_sameMessageTwice_isReplay() throws Exception {
    PrivateMessage m = framer().encryptPrivate(app(ALICE, "hi"), alice.privateKey());
    MessageFramer receiver = framer();
    receiver.decryptPrivate(m, keys);
    assertThrows(MlsReplayException.class, () -> receiver.decryptPrivate(m, keys));
  }

  @Test
  void decryptPrivate_ownSentMessage_isReplay() throws Exception {
    MessageFramer me = framer();
    PrivateMessage m = me.encryptPrivate(app(ALICE, "mine"), alice.privateKey());
    assertThrows(MlsReplayException.class, () -> me.decryptPrivate(m, keys));
  }

  @Test
  void decryptPrivate_outOfOrder_allDecrypt() throws Exception {
    MessageFramer sender = framer();
    PrivateMessage[] sent = new PrivateMessage[5];
    for (int i = 0; i < sent.length; i++) {
      sent[i] = sender.encryptPrivate(app(BOB, "m" + i), bob.privateKey());
    }
    MessageFramer receiver = framer();
    for (int i : new int[] {3, 0, 4, 2, 1}) {
      assertEquals("m" + i, new String(receiver.decryptPrivate(sent[i], keys).content()
          .applicationData(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void decryptPrivate_generationBomb_rejectedAsValidation() throws Exception {
    byte[] ct = new byte[64];
    PrivateMessage probe = new PrivateMessage(GROUP, EPOCH, ContentType.APPLICATION, new byte[0],
        new byte[0], ct);
    byte[] sd = new SenderData(ALICE, 0xFFFFFFF0L, new byte[4]).toBytes();
    byte[] encSd = SUITE.seal(SenderDataKeys.key(SUITE, secrets.senderDataSecret(), ct),
        SenderDataKeys.nonce(SUITE, secrets.senderDataSecret(), ct), probe.senderDataAad(), sd);
    PrivateMessage bomb = new PrivateMessage(GROUP, EPOCH, ContentType.APPLICATION, new byte[0],
        encSd, ct);
    MessageFramer receiver = framer();
    assertThrows(MlsValidationException.class, () -> receiver.decryptPrivate(bomb, keys));
    PrivateMessage genuine = framer().encryptPrivate(app(ALICE, "ok"), alice.privateKey());
    assertEquals(ALICE, receiver.decryptPrivate(genuine, keys).content().sender().index());
  }

  @Test
  void decryptPrivate_otherEpoch_isWrongEpoch() throws Exception {
    PrivateMessage m = framer().encryptPrivate(app(ALICE, "hi"), alice.privateKey());
    PrivateMessage later = new PrivateMessage(m.groupId(), EPOCH + 1, m.contentType(),
        m.authenticatedData(), m.encryptedSenderData(), m.ciphertext());
    assertThrows(MlsWrongEpochException.class, () -> framer().decryptPrivate(later, keys));
  }

  @Test
  void decryptPrivate_unknownSignatureKey_rejected() throws Exception {
    PrivateMessage m = framer().encryptPrivate(app(ALICE, "hi"), alice.privateKey());
    assertThrows(MlsValidationException.class,
        () -> framer().decryptPrivate(m, (s, c) -> bob.publicKey()));
    assertThrows(MlsValidationException.class,
        () -> framer().decryptPrivate(m, (s, c) -> null));
  }

  @Test
  void protectPublic_verifyPublic_roundTripsProposal() throws Exception {
    PublicMessage m = framer().protectPublic(remove(BOB, ALICE), bob.privateKey());
    PublicMessage received = TlsReader.decodeExactly(MlsMessage.of(m).toBytes(),
        MlsMessage::decode).publicMessage();
    AuthenticatedContent got = framer().verifyPublic(received, keys);
    assertEquals(remove(BOB, ALICE), got.content());
  }

  @Test
  void verifyPublic_badMembershipTag_rejected() throws Exception {
    PublicMessage m = framer().protectPublic(remove(BOB, ALICE), bob.privateKey());
    byte[] tag = m.membershipTag().clone();
    tag[0] ^= 1;
    PublicMessage forged = new PublicMessage(m.content(), m.auth(), tag);
    MlsValidationException e = assertThrows(MlsValidationException.class,
        () -> framer().verifyPublic(forged, keys));
    assertEquals("invalid membership tag", e.getMessage());
  }

  @Test
  void verifyPublic_wrongSigner_rejected() throws Exception {
    PublicMessage m = framer().protectPublic(remove(BOB, ALICE), alice.privateKey());
    MlsValidationException e = assertThrows(MlsValidationException.class,
        () -> framer().verifyPublic(m, keys));
    assertEquals("invalid signature", e.getMessage());
  }

  @Test
  void verifyPublic_otherGroupOrEpoch_rejected() throws Exception {
    PublicMessage m = framer().protectPublic(remove(BOB, ALICE), bob.privateKey());
    MessageFramer next = MessageFramer.forEpoch(context(EPOCH + 1), secrets,
        SecretTree.create(SUITE, secrets.encryptionSecret(), 3, SecretTreeLimits.DEFAULT),
        FramingOptions.DEFAULT, random);
    assertThrows(MlsWrongEpochException.class, () -> next.verifyPublic(m, keys));
  }

  @Test
  void verifyPublic_applicationData_rejected() throws Exception {
    FramedContent content = app(ALICE, "public?");
    PublicMessage m = new PublicMessage(content, new FramedContentAuthData(new byte[64], null),
        new byte[32]);
    assertThrows(MlsValidationException.class, () -> framer().verifyPublic(m, keys));
  }

  @Test
  void protectPublic_applicationOrForeignContent_refused() {
    assertThrows(IllegalArgumentException.class,
        () -> framer().protectPublic(app(ALICE, "x"), alice.privateKey()));
    FramedContent otherEpoch = FramedContent.proposal(GROUP, EPOCH + 1, Sender.member(BOB),
        new byte[0], new Proposal.Remove(ALICE));
    assertThrows(IllegalArgumentException.class,
        () -> framer().protectPublic(otherEpoch, bob.privateKey()));
  }

  @Test
  void encryptPrivate_nonMemberSender_refused() {
    FramedContent external = FramedContent.proposal(GROUP, EPOCH, Sender.external(0),
        new byte[0], new Proposal.Remove(ALICE));
    assertThrows(IllegalArgumentException.class,
        () -> framer().encryptPrivate(external, alice.privateKey()));
  }

  @Property(tries = 200)
  void unprotect_mutatedMessages_onlyTypedErrors(@ForAll int position, @ForAll byte flip,
      @ForAll boolean publicMessage) throws Exception {
    byte[] bytes = publicMessage
        ? MlsMessage.of(framer().protectPublic(remove(BOB, ALICE), bob.privateKey())).toBytes()
        : MlsMessage.of(framer().encryptPrivate(app(ALICE, "payload"), alice.privateKey()))
            .toBytes();
    bytes[Math.floorMod(position, bytes.length)] ^= (byte) (flip | 1);
    try {
      MlsMessage m = TlsReader.decodeExactly(bytes, MlsMessage::decode);
      if (m.publicMessage() != null) {
        framer().verifyPublic(m.publicMessage(), keys);
      } else if (m.privateMessage() != null) {
        framer().decryptPrivate(m.privateMessage(), keys);
      }
    } catch (MlsException expected) {
      // a typed rejection; anything else escapes and fails the property
    }
  }

  @Test
  void toString_showsNoKeys() {
    assertTrue(framer().toString().endsWith("keys hidden)"));
  }
}
