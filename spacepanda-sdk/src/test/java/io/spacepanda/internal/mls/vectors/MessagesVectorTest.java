package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.codec.TlsDecoder;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.message.Commit;
import io.spacepanda.internal.mls.message.ContentType;
import io.spacepanda.internal.mls.message.GroupSecrets;
import io.spacepanda.internal.mls.message.MlsMessage;
import io.spacepanda.internal.mls.message.Node;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.message.RatchetTreeData;
import io.spacepanda.internal.mls.message.WireFormat;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * messages.json: every field of every case decodes with its RFC 9420 structure and re-encodes to
 * the identical bytes; MLSMessage-wrapped fields must also carry the expected wire format (and,
 * for public messages, content type).
 */
class MessagesVectorTest {

  @Test
  void everyMessageField_decodesAndReencodesIdentically() {
    MlsVectors.Report report = new MlsVectors.Report("messages.json");
    int index = 0;
    for (JsonNode c : MlsVectors.load("messages.json")) {
      report.run("case " + index++, () -> {
        message(c, "mls_welcome", m -> assertNotNull(m.welcome()), WireFormat.WELCOME);
        message(c, "mls_group_info", m -> assertNotNull(m.groupInfo()), WireFormat.GROUP_INFO);
        message(c, "mls_key_package", m -> assertNotNull(m.keyPackage()), WireFormat.KEY_PACKAGE);
        message(c, "public_message_application", m -> assertEquals(ContentType.APPLICATION,
            m.publicMessage().content().contentType()), WireFormat.PUBLIC_MESSAGE);
        message(c, "public_message_proposal", m -> assertEquals(ContentType.PROPOSAL,
            m.publicMessage().content().contentType()), WireFormat.PUBLIC_MESSAGE);
        message(c, "public_message_commit", m -> assertEquals(ContentType.COMMIT,
            m.publicMessage().content().contentType()), WireFormat.PUBLIC_MESSAGE);
        message(c, "private_message", m -> assertNotNull(m.privateMessage()),
            WireFormat.PRIVATE_MESSAGE);

        byte[] tree = hex(c.get("ratchet_tree"));
        List<Node> nodes = TlsReader.decodeExactly(tree, RatchetTreeData::decode);
        assertArrayEquals(tree, RatchetTreeData.encode(nodes), "ratchet_tree");

        roundTrip(c, "group_secrets", GroupSecrets::decode, GroupSecrets::toBytes);
        roundTrip(c, "add_proposal", Proposal.Add::decodeBody, MessagesVectorTest::body);
        roundTrip(c, "update_proposal", Proposal.Update::decodeBody, MessagesVectorTest::body);
        roundTrip(c, "remove_proposal", Proposal.Remove::decodeBody, MessagesVectorTest::body);
        roundTrip(c, "pre_shared_key_proposal", Proposal.PreSharedKey::decodeBody,
            MessagesVectorTest::body);
        roundTrip(c, "re_init_proposal", Proposal.ReInit::decodeBody, MessagesVectorTest::body);
        roundTrip(c, "external_init_proposal", Proposal.ExternalInit::decodeBody,
            MessagesVectorTest::body);
        roundTrip(c, "group_context_extensions_proposal",
            Proposal.GroupContextExtensions::decodeBody, MessagesVectorTest::body);
        roundTrip(c, "commit", Commit::decode, Commit::toBytes);
      });
    }
    report.finish();
  }

  private static byte[] body(Proposal p) {
    TlsWriter w = new TlsWriter();
    p.encodeBody(w);
    return w.toByteArray();
  }

  private static <T> void roundTrip(JsonNode c, String field, TlsDecoder<T> decoder,
      Function<T, byte[]> encoder) throws Exception {
    byte[] bytes = hex(c.get(field));
    T value = TlsReader.decodeExactly(bytes, decoder);
    assertArrayEquals(bytes, encoder.apply(value), field);
    assertEquals(value, TlsReader.decodeExactly(encoder.apply(value), decoder), field);
  }

  private static void message(JsonNode c, String field, Consumer<MlsMessage> check,
      int wireFormat) throws Exception {
    byte[] bytes = hex(c.get(field));
    MlsMessage m = TlsReader.decodeExactly(bytes, MlsMessage::decode);
    assertEquals(wireFormat, m.wireFormat(), field);
    check.accept(m);
    assertArrayEquals(bytes, m.toBytes(), field);
    assertEquals(m, TlsReader.decodeExactly(m.toBytes(), MlsMessage::decode), field);
  }
}
