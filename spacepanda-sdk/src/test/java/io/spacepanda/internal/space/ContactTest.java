package io.spacepanda.internal.space;

import static io.spacepanda.internal.space.SpaceFixtures.ALICE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContactTest {

  @Test
  void contact_copiesKeyAndAddresses() {
    byte[] key = new byte[32];
    List<String> addresses = new ArrayList<>(List.of("/ip4/1.2.3.4/tcp/1"));
    Contact c = new Contact(ALICE, key, addresses);
    key[0] = 1;
    addresses.add("/ip4/5.6.7.8/tcp/1");
    assertArrayEquals(new byte[32], c.inboxKey());
    assertEquals(List.of("/ip4/1.2.3.4/tcp/1"), c.addresses());
    c.inboxKey()[1] = 1;
    assertArrayEquals(new byte[32], c.inboxKey());
  }

  @Test
  void equals_comparesKeyByContent() {
    assertEquals(new Contact(ALICE, new byte[32], List.of()),
        new Contact(ALICE, new byte[32], List.of()));
    byte[] other = new byte[32];
    other[31] = 1;
    assertNotEquals(new Contact(ALICE, new byte[32], List.of()),
        new Contact(ALICE, other, List.of()));
  }

  @Test
  void contact_outOfBounds_failsNamingProblem() {
    assertThrows(IllegalArgumentException.class, () -> new Contact(ALICE, new byte[31], List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new Contact(ALICE, new byte[32], Collections.nCopies(9, "/a")));
    assertThrows(IllegalArgumentException.class,
        () -> new Contact(ALICE, new byte[32], List.of("/" + "a".repeat(200))));
    assertThrows(IllegalArgumentException.class,
        () -> new Contact(ALICE, new byte[32], List.of("/ip4/1.2.3.4 /tcp/1")));
    assertThrows(IllegalArgumentException.class,
        () -> new Contact(ALICE, new byte[32], List.of("")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Contact(ALICE, new byte[32], List.of("/ip4/é")));
    assertEquals(true, e.getMessage().contains("ASCII"), e.getMessage());
  }
}
