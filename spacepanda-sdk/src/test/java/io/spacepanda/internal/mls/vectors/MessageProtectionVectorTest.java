package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.framing.FramingOptions;
import io.spacepanda.internal.mls.framing.MessageFramer;
import io.spacepanda.internal.mls.framing.SignatureKeyResolver;
import io.spacepanda.internal.mls.message.AuthenticatedContent;
import io.spacepanda.internal.mls.message.Commit;
import io.spacepanda.internal.mls.message.FramedContent;
import io.spacepanda.internal.mls.message.FramedContentAuthData;
import io.spacepanda.internal.mls.message.GroupContext;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.PrivateMessage;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.message.ProtocolVersion;
import io.spacepanda.internal.mls.message.PublicMessage;
import io.spacepanda.internal.mls.message.Sender;
import io.spacepanda.internal.mls.message.SenderType;
import io.spacepanda.internal.mls.message.WireFormat;
import io.spacepanda.internal.mls.schedule.SecretTree;
import io.spacepanda.internal.mls.schedule.SecretTreeLimits;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * message-protection.json: unprotect the given PublicMessage/PrivateMessage of a proposal, a
 * commit and application data, then protect each again and unprotect the result (RFC 9420 §6).
 * The sender is always leaf 1 of a two-member secret tree.
 */
class MessageProtectionVectorTest {

  private static final int SENDER = 1;

  @Test
  void messageProtection_allSuites_unprotectAndRoundTrip() {
    MlsVectors.Report report = new MlsVectors.Report("message-protection.json");
    for (JsonNode c : MlsVectors.load("message-protection.json")) {
      var suite = MlsVectors.suite(c);
      if (suite.isEmpty()) {
        report.skip();
        continue;
      }
      CipherSuite s = suite.get();
      report.run("suite " + s.id(), () -> new Case(s, c).run());
    }
    report.finish();
  }

  private static final class Case {
    final CipherSuite s;
    final JsonNode c;
    final GroupContext context;
    final byte[] sigPriv;
    final SignatureKeyResolver keys;

    Case(CipherSuite s, JsonNode c) {
      this.s = s;
      this.c = c;
      this.context = new GroupContext(ProtocolVersion.MLS10, s.id(), hex(c.get("group_id")),
          c.get("epoch").asLong(), hex(c.get("tree_hash")), hex(c.get("confirmed_transcript_hash")),
          List.of());
      this.sigPriv = hex(c.get("signature_priv"));
      byte[] sigPub = hex(c.get("signature_pub"));
      this.keys = (sender, content) ->
          sender.type() == SenderType.MEMBER && sender.index() == SENDER ? sigPub : null;
    }

    MessageFramer framer() {
      SecretTree tree = SecretTree.create(s, hex(c.get("encryption_secret")), 2,
          SecretTreeLimits.DEFAULT);
      return new MessageFramer(s, context, hex(c.get("membership_key")),
          hex(c.get("sender_data_secret")), tree, FramingOptions.DEFAULT, new SecureRandom());
    }

    void run() throws Exception {
      byte[] proposal = hex(c.get("proposal"));
      byte[] commit = hex(c.get("commit"));
      byte[] application = hex(c.get("application"));
      FramedContent proposalContent = FramedContent.proposal(context.groupId(), context.epoch(),
          Sender.member(SENDER), new byte[0],
          TlsReader.decodeExactly(proposal, Proposal::decode));
      FramedContent commitContent = FramedContent.commit(context.groupId(), context.epoch(),
          Sender.member(SENDER), new byte[0], TlsReader.decodeExactly(commit, Commit::decode));
      FramedContent appContent = FramedContent.application(context.groupId(), context.epoch(),
          Sender.member(SENDER), new byte[0], application);

      Function<AuthenticatedContent, byte[]> proposalOf = a -> a.content().proposal().toBytes();
      Function<AuthenticatedContent, byte[]> commitOf = a -> a.content().commit().toBytes();
      Function<AuthenticatedContent, byte[]> appOf = a -> a.content().applicationData();

      checkPublic("proposal_pub", proposal, proposalOf, proposalContent);
      checkPublic("commit_pub", commit, commitOf, commitContent);
      assertThrows(IllegalArgumentException.class,
          () -> framer().protectPublic(appContent, sigPriv));

      checkPrivate("proposal_priv", proposal, proposalOf, proposalContent);
      checkPrivate("commit_priv", commit, commitOf, commitContent);
      checkPrivate("application_priv", application, appOf, appContent);
    }

    void checkPublic(String field, byte[] raw, Function<AuthenticatedContent, byte[]> body,
        FramedContent content) throws Exception {
      PublicMessage given = decode(hex(c.get(field))).publicMessage();
      assertArrayEquals(raw, body.apply(framer().verifyPublic(given, keys)), field);

      MessageFramer sender = framer();
      PublicMessage mine;
      if (content.commit() != null) {
        byte[] signature = sender.sign(WireFormat.PUBLIC_MESSAGE, content, sigPriv);
        mine = sender.protectPublic(withTag(WireFormat.PUBLIC_MESSAGE, content, signature));
      } else {
        mine = sender.protectPublic(content, sigPriv);
      }
      PublicMessage received = decode(MlsMessage.of(mine).toBytes()).publicMessage();
      assertArrayEquals(raw, body.apply(framer().verifyPublic(received, keys)), field + " mine");
    }

    void checkPrivate(String field, byte[] raw, Function<AuthenticatedContent, byte[]> body,
        FramedContent content) throws Exception {
      PrivateMessage given = decode(hex(c.get(field))).privateMessage();
      assertArrayEquals(raw, body.apply(framer().decryptPrivate(given, keys)), field);

      MessageFramer sender = framer();
      PrivateMessage mine;
      if (content.commit() != null) {
        byte[] signature = sender.sign(WireFormat.PRIVATE_MESSAGE, content, sigPriv);
        mine = sender.encryptPrivate(withTag(WireFormat.PRIVATE_MESSAGE, content, signature));
      } else {
        mine = sender.encryptPrivate(content, sigPriv);
      }
      PrivateMessage received = decode(MlsMessage.of(mine).toBytes()).privateMessage();
      AuthenticatedContent opened = framer().decryptPrivate(received, keys);
      assertArrayEquals(raw, body.apply(opened), field + " mine");
      assertEquals(content, opened.content());
    }

    /** Any MAC-sized tag: the confirmation tag is checked by the group, not by framing. */
    AuthenticatedContent withTag(int wireFormat, FramedContent content, byte[] signature) {
      byte[] tag = new byte[s.hashLength()];
      tag[0] = 42;
      return new AuthenticatedContent(wireFormat, content,
          new FramedContentAuthData(signature, tag));
    }

    static MlsMessage decode(byte[] bytes) throws Exception {
      return TlsReader.decodeExactly(bytes, MlsMessage::decode);
    }
  }
}
