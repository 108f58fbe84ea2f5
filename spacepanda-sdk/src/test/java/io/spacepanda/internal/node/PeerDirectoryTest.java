package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.InviteCode;
import io.spacepanda.internal.space.SpaceConstants;
import io.spacepanda.internal.space.SpaceId;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which of a node's addresses its invite codes carry. */
class PeerDirectoryTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  private static PeerId peer() {
    return PeerId.fromBytes(IdentitySigner.generateEd25519(RANDOM).publicKey().peerIdMultihash());
  }

  @Test
  void inviteAddresses_keepRoomForRelayedOnes_withoutTheOwnPeerId_andMakeAValidCode() {
    PeerId self = peer();
    PeerId relay = peer();
    String own = "/p2p/" + self.toBase58();
    String v6Relay = "/ip6/2001:db8:1234:5678:9abc:def0:1234:5678/tcp/4001/p2p/" + relay.toBase58() + "/p2p-circuit";
    List<String> all = List.of("/ip4/192.168.1.7/tcp/4001" + own, "/ip4/10.0.0.7/tcp/4001" + own,
        "/ip4/172.16.0.7/tcp/4001" + own, "/ip4/100.64.0.7/tcp/4001" + own, v6Relay + own);
    List<String> picked = PeerDirectory.inviteAddresses(all, self);
    assertEquals(SpaceConstants.MAX_INVITE_ADDRESSES, picked.size(), picked::toString);
    assertTrue(picked.contains(v6Relay), "the relayed address, its trailing own id dropped: " + picked);
    assertTrue(v6Relay.length() > SpaceConstants.MAX_INVITE_ADDRESS_BYTES);
    assertTrue(picked.stream().mapToInt(String::length).sum() <= SpaceConstants.MAX_INVITE_ADDRESS_TOTAL_BYTES);

    InviteCode code = InviteCode.issue(SpaceId.random(RANDOM), new Contact(self, new byte[32], picked),
        Instant.parse("2030-01-01T00:00:00Z"), RANDOM);
    assertEquals(code, InviteCode.parse(code.toText()));
    assertTrue(code.toText().length() <= SpaceConstants.MAX_INVITE_TEXT);
  }

  @Test
  void inviteAddresses_withoutRelayedOnes_areTheFirstFourShortOnes() {
    PeerId self = peer();
    List<String> all = List.of("/ip4/1.1.1.1/tcp/1", "/" + "x".repeat(150), "/ip4/2.2.2.2/tcp/2",
        "/ip4/3.3.3.3/tcp/3", "/ip4/4.4.4.4/tcp/4", "/ip4/5.5.5.5/tcp/5");
    assertEquals(List.of("/ip4/1.1.1.1/tcp/1", "/ip4/2.2.2.2/tcp/2", "/ip4/3.3.3.3/tcp/3", "/ip4/4.4.4.4/tcp/4"),
        PeerDirectory.inviteAddresses(all, self));
  }
}
