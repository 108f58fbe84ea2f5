package io.spacepanda.internal.mls.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.Node;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupFixturesTest {

  @Test
  void fullTree_hasNoBlankNode_andMembersAgree() throws Exception {
    GroupFixtures.Pair p = GroupFixtures.fullTree(MlsConfig.defaults(),
        CipherSuite.X25519_AES128GCM_SHA256_ED25519, 16);
    List<Node> tree = p.creator().ratchetTree();
    assertEquals(31, tree.size());
    StringBuilder blanks = new StringBuilder();
    for (int i = 0; i < tree.size(); i++) {
      if (tree.get(i) == null) {
        blanks.append(i).append(' ');
      }
    }
    assertEquals("", blanks.toString(), "blank nodes");
    assertArrayEquals(p.creator().epochAuthenticator(), p.member().epochAuthenticator());
    byte[] msg = p.creator().protect(new byte[] {1, 2, 3}, new byte[0]).toBytes();
    ProcessedMessage got = p.member().process(GroupFixtures.roundTrip(
        io.spacepanda.internal.mls.codec.TlsReader.decodeExactly(msg,
            io.spacepanda.internal.mls.message.MlsMessage::decode)));
    assertArrayEquals(new byte[] {1, 2, 3}, ((ProcessedMessage.ApplicationMessage) got).data());
  }
}
