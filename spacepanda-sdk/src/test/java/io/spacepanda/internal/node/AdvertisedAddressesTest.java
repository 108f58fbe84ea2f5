package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdvertisedAddressesTest {

  private static final String P2P = "/p2p/12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv";

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void expand_anyIp4_becomesEachInterfaceAddress_loopbackLast() throws Exception {
    List<String> out = AdvertisedAddresses.expand(List.of("/ip4/0.0.0.0/tcp/4001" + P2P),
        List.of(ip("127.0.0.1"), ip("192.168.1.7"), ip("fe80::1"), ip("10.0.0.2")));
    assertEquals(List.of("/ip4/192.168.1.7/tcp/4001" + P2P, "/ip4/10.0.0.2/tcp/4001" + P2P,
        "/ip4/127.0.0.1/tcp/4001" + P2P), out);
  }

  @Test
  void expand_anyIp6_isDualStack_leavesOutLinkLocal() throws Exception {
    List<String> out = AdvertisedAddresses.expand(List.of("/ip6/::/tcp/4001" + P2P),
        List.of(ip("::1"), ip("fe80::1"), ip("2001:db8::5"), ip("192.168.1.7")));
    assertEquals(List.of("/ip6/2001:db8:0:0:0:0:0:5/tcp/4001" + P2P,
        "/ip4/192.168.1.7/tcp/4001" + P2P,
        "/ip6/0:0:0:0:0:0:0:1/tcp/4001" + P2P), out);
  }

  @Test
  void expand_specificAddresses_stayAsTheyAre_withoutDuplicates() throws Exception {
    String a = "/ip4/127.0.0.1/tcp/4001" + P2P;
    List<String> out = AdvertisedAddresses.expand(List.of(a, "/ip4/0.0.0.0/tcp/4001" + P2P),
        List.of(ip("127.0.0.1")));
    assertEquals(List.of(a), out);
  }

  @Test
  void expand_onThisMachine_neverAdvertisesTheUnspecifiedHost() {
    List<String> out = AdvertisedAddresses.expand(List.of("/ip4/0.0.0.0/tcp/4001" + P2P));
    assertFalse(out.isEmpty());
    assertTrue(out.stream().noneMatch(a -> a.startsWith("/ip4/0.0.0.0/")), out.toString());
  }
}
