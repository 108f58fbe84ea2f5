package io.spacepanda.internal.net.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.testkit.TestPeers;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddressBookTest {

  private static Multiaddr addr(int port) throws Exception {
    return Multiaddr.parse("/ip4/127.0.0.1/tcp/" + port);
  }

  @Test
  void add_beyondAddressesPerPeer_dropsOldestAndListsNewestFirst() throws Exception {
    AddressBook book = new AddressBook(10, 2);
    PeerId p = TestPeers.peer(1);

    book.add(p, addr(1));
    book.add(p, addr(2));
    book.add(p, addr(3));

    assertEquals(List.of(addr(3), addr(2)), book.addresses(p));
  }

  @Test
  void add_beyondPeers_forgetsLeastRecentlyUsedPeer() throws Exception {
    AddressBook book = new AddressBook(2, 2);

    book.add(TestPeers.peer(1), addr(1));
    book.add(TestPeers.peer(2), addr(2));
    book.add(TestPeers.peer(3), addr(3));

    assertEquals(2, book.peerCount());
    assertEquals(List.of(), book.addresses(TestPeers.peer(1)));
    assertEquals(List.of(addr(3)), book.addresses(TestPeers.peer(3)));
  }

  @Test
  void knowsAddress_matchesIpLiteralsOfKnownPeersAndForgetsDroppedOnes() throws Exception {
    AddressBook book = new AddressBook(1, 2);
    book.add(TestPeers.peer(1), Multiaddr.parse("/ip6/::1/tcp/4001"));
    book.add(TestPeers.peer(1), Multiaddr.parse("/dns4/localhost/tcp/4001"));

    assertTrue(book.knowsAddress(java.net.InetAddress.getByName("::1")));
    assertFalse(book.knowsAddress(java.net.InetAddress.getByName("127.0.0.1")), "DNS names never match");

    book.add(TestPeers.peer(2), Multiaddr.parse("/ip4/10.1.2.3/tcp/1"));
    assertTrue(book.knowsAddress(java.net.InetAddress.getByName("10.1.2.3")));
    assertFalse(book.knowsAddress(java.net.InetAddress.getByName("::1")), "peer 1 was dropped");
  }
}
