package io.spacepanda.internal.net.mix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.spi.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Epoch mix keys in the wired mix transport (issue 16, key rotation): keys rotate on a schedule,
 * each signed by the node's identity; senders fetch, verify and refresh them; packets under way
 * across a rotation still arrive once; forged, unsigned and expired keys are refused with a typed
 * error; a replayed packet is dropped; replay tags go with their key. Virtual time, seeded.
 */
class MixKeyRotationTest {

  private static final long ROTATION_MILLIS = 10_000;
  private static final MixConfig CONFIG = new MixConfig(3, Duration.ofMillis(50),
      Duration.ofMillis(ROTATION_MILLIS), Duration.ofSeconds(3), MixKeyRing.DEFAULT_TAGS_PER_KEY,
      Duration.ofSeconds(5), MixConfig.Cover.OFF);

  private MixTransportNet net;
  private long seed;
  private final List<MixTransportNet.Peer> mixes = new ArrayList<>();
  private MixTransportNet.Peer alice;
  private MixTransportNet.Peer bob;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("MixKeyRotationTest seed=" + seed);
    net = new MixTransportNet(seed);
  }

  @AfterEach
  void tearDown() {
    net.close();
  }

  private static MixTransport.Settings settings(boolean mixedSends, List<PeerId> mixes) {
    return new MixTransport.Settings(mixedSends, false, CONFIG,
        MixTransport.Settings.DEFAULT_DISCOVERY, mixes);
  }

  /** Four honest mixes plus the given odd ones, then alice and bob, members of one space. */
  private void build(List<UnaryOperator<java.util.function.Function<byte[], byte[]>>> odd) {
    List<UnaryOperator<java.util.function.Function<byte[], byte[]>>> signers =
        new ArrayList<>(List.of(s -> s, s -> s, s -> s, s -> s));
    signers.addAll(odd);
    for (UnaryOperator<java.util.function.Function<byte[], byte[]>> s : signers) {
      mixes.add(net.add(settings(false, List.of()), Set::of, s));
    }
    List<PeerId> ids = mixes.stream().map(MixTransportNet.Peer::id).toList();
    PeerId[] pair = new PeerId[2];
    alice = net.add(settings(true, ids), () -> pair[1] == null ? Set.of() : Set.of(pair[1]),
        s -> s);
    bob = net.add(settings(true, ids), () -> pair[0] == null ? Set.of() : Set.of(pair[0]),
        s -> s);
    pair[0] = alice.id();
    pair[1] = bob.id();
    net.runFor(Duration.ofSeconds(3));
  }

  private byte[] envelope(String tag) {
    byte[] b = new byte[300];
    net.random.nextBytes(b);
    byte[] t = tag.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(t, 0, b, 0, t.length);
    return b;
  }

  @Test
  void severalEpochs_messagesInFlightAcrossRotations_everyOneDeliveredOnce() {
    build(List.of());
    long start = net.nowMillis();
    Map<String, long[]> spans = new HashMap<>();
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    Map<String, Integer> expectAtBob = new HashMap<>();
    Map<String, Integer> expectAtAlice = new HashMap<>();
    long runMillis = 6 * ROTATION_MILLIS;
    for (long t = 0; t < runMillis; t += 100) {
      if (t % 200 == 0) {
        sends.add(send(alice, bob, "a" + t, spans, expectAtBob));
      }
      if (t % 300 == 0) {
        sends.add(send(bob, alice, "b" + t, spans, expectAtAlice));
      }
      net.runFor(Duration.ofMillis(100));
    }
    net.runFor(Duration.ofSeconds(10));
    for (CompletableFuture<Void> f : sends) {
      assertTrue(f.isDone() && !f.isCompletedExceptionally(),
          "every send acknowledged through the mixnet; seed " + seed);
    }
    assertEquals(expectAtBob, count(bob.received), "bob got each of alice's once; seed " + seed);
    assertEquals(expectAtAlice, count(alice.received), "alice got each of bob's once; seed " + seed);
    for (MixTransportNet.Peer m : mixes) {
      assertTrue(m.transport.mixNode().keys().keyId() >= 6,
          "a mix rotated every epoch: key " + m.transport.mixNode().keys().keyId());
    }
    // the mixes started together and rotate every ROTATION_MILLIS: count the messages under way
    // while the keys of their path changed
    int crossing = 0;
    for (long[] span : spans.values()) {
      for (long r = ROTATION_MILLIS; r < runMillis + ROTATION_MILLIS; r += ROTATION_MILLIS) {
        if (span[0] < r && span[1] > r) {
          crossing++;
        }
      }
    }
    System.out.printf("MixKeyRotationTest: %d messages over %d epochs, %d under way across a "
        + "rotation, %d keys fetched by alice%n", sends.size(), runMillis / ROTATION_MILLIS,
        crossing, alice.transport.keys().fetched());
    assertTrue(crossing >= 3, "messages under way across a rotation: " + crossing + "; seed " + seed);
    assertTrue(alice.transport.keys().fetched() >= 6L * mixes.size(),
        "alice fetched every mix's new key each epoch; seed " + seed);
    assertTrue(start >= 0);
  }

  private CompletableFuture<Void> send(MixTransportNet.Peer from, MixTransportNet.Peer to,
      String tag, Map<String, long[]> spans, Map<String, Integer> expect) {
    byte[] env = envelope(tag);
    long[] span = {net.nowMillis(), Long.MAX_VALUE};
    spans.put(tag, span);
    expect.put(HexFormat.of().formatHex(env), 1);
    return from.transport.send(to.id(), env).whenComplete((v, e) -> span[1] = net.nowMillis());
  }

  private static Map<String, Integer> count(List<byte[]> got) {
    Map<String, Integer> m = new HashMap<>();
    for (byte[] b : got) {
      m.merge(HexFormat.of().formatHex(b), 1, Integer::sum);
    }
    return m;
  }

  @Test
  void forgedAndUnsignedKeys_refusedTyped_neverRoutedThrough() throws Exception {
    IdentityKey stranger = IdentityKey.generate(MixnetSim.seeded(seed));
    build(List.of(s -> stranger::sign, s -> data -> new byte[64]));
    MixTransportNet.Peer forged = mixes.get(4);
    MixTransportNet.Peer unsigned = mixes.get(5);
    MixKeys book = alice.transport.keys();
    assertTrue(book.refused(MixKeyException.Reason.BAD_SIGNATURE) >= 1, "seed " + seed);
    assertTrue(book.refused(MixKeyException.Reason.UNSIGNED) >= 1, "seed " + seed);
    assertEquals(null, book.usable(forged.id()));
    assertEquals(null, book.usable(unsigned.id()));
    for (int i = 0; i < 20; i++) {
      alice.transport.send(bob.id(), envelope("x" + i));
      net.runFor(Duration.ofMillis(200));
    }
    net.runFor(Duration.ofSeconds(3));
    assertEquals(20, bob.received.size(), "seed " + seed);
    // alice still asks them for keys (those packets look like any other), but never routes
    // through them: they forwarded nothing
    assertEquals(0, forged.transport.mixNode().forwarded(), "seed " + seed);
    assertEquals(0, unsigned.transport.mixNode().forwarded(), "seed " + seed);
    assertTrue(mixes.subList(0, 4).stream().mapToLong(p -> p.transport.mixNode().forwarded())
        .sum() >= 60, "the honest mixes carried the messages; seed " + seed);
    // a send to a peer whose key is forged fails with the typed reason
    ExecutionException e = assertThrows(ExecutionException.class, () -> {
      CompletableFuture<Void> f = alice.transport.send(forged.id(), envelope("f"));
      net.runFor(Duration.ofSeconds(6));
      f.get();
    });
    assertInstanceOf(TransportException.class, e.getCause());
    MixKeyException why = assertInstanceOf(MixKeyException.class, e.getCause().getCause());
    assertEquals(MixKeyException.Reason.BAD_SIGNATURE, why.reason());
  }

  @Test
  void expiredRecord_refusedTyped_andAKeyNearItsEndIsNotUsed() throws Exception {
    build(List.of());
    MixTransportNet.Peer m = mixes.get(0);
    MixKeyRecord current = m.transport.keyRecord();
    byte[] old = MixKeyRecord.sign(m.id(), 1, current.validFrom() - 100_000,
        current.validFrom() - 50_000, current.key(), m.identity::sign).encode();
    MixKeyException e = assertThrows(MixKeyException.class,
        () -> alice.transport.keys().accept(m.id(), old));
    assertEquals(MixKeyException.Reason.EXPIRED, e.reason());
    assertEquals(1, alice.transport.keys().refused(MixKeyException.Reason.EXPIRED));
    assertTrue(alice.transport.keys().usable(m.id()) != null, "the valid key is kept");
  }

  @Test
  void replayedPacket_dropped_andItsKeysTagsGoWithTheKey() {
    build(List.of());
    int before = net.wire.size();
    alice.transport.send(bob.id(), envelope("once"));
    net.runFor(Duration.ofSeconds(2));
    assertEquals(1, bob.received.size(), "seed " + seed);
    MixTransportNet.Wire first = null;
    for (MixTransportNet.Wire w : net.wire.subList(before, net.wire.size())) {
      if (w.from().equals(alice.id())) {
        first = w;
        break;
      }
    }
    MixTransportNet.Wire sent = first;
    MixTransportNet.Peer hop = mixes.stream().filter(p -> p.id().equals(sent.to())).findFirst()
        .orElseThrow();
    MixNode node = hop.transport.mixNode();
    long forwarded = node.forwarded();
    long replays = node.dropped(MixException.Reason.REPLAY);
    net.inject(alice.id(), hop, first.bytes());
    net.runFor(Duration.ofSeconds(2));
    assertEquals(replays + 1, node.dropped(MixException.Reason.REPLAY), "seed " + seed);
    assertEquals(forwarded, node.forwarded(), "a replay is not forwarded; seed " + seed);
    assertEquals(1, bob.received.size(), "seed " + seed);
    assertTrue(node.keys().tagCount() >= 1);
    // two rotations and a grace later, with no traffic (alice and bob, whose key refreshes
    // would cross the mix, are gone), the tags are gone with their keys, and the old packet no
    // longer authenticates
    alice.transport.close();
    bob.transport.close();
    // the mixes started at virtual time 0 and rotate every ROTATION_MILLIS: run to just after
    // the grace that follows the second rotation from now
    long until = (net.nowMillis() / ROTATION_MILLIS + 2) * ROTATION_MILLIS
        + CONFIG.keyGrace().toMillis() + 500;
    net.runFor(Duration.ofMillis(until - net.nowMillis()));
    assertEquals(0, node.keys().tagCount(), "tags dropped with their key; seed " + seed);
    assertFalse(node.keys().hasPrevious());
    long badMac = node.dropped(MixException.Reason.BAD_MAC);
    net.inject(alice.id(), hop, first.bytes());
    net.runFor(Duration.ofSeconds(1));
    assertEquals(badMac + 1, node.dropped(MixException.Reason.BAD_MAC), "seed " + seed);
    assertEquals(1, bob.received.size(), "seed " + seed);
  }

  @Test
  void tagMemory_boundedByTwoKeys_underSteadyTraffic() {
    MixConfig small = new MixConfig(3, Duration.ofMillis(20), Duration.ofMillis(ROTATION_MILLIS),
        Duration.ofSeconds(3), 64, Duration.ofSeconds(5), MixConfig.Cover.OFF);
    // a mix with a small tag budget rotates early when full and never holds more than 2 × 64
    MixnetSim sim = new MixnetSim(seed);
    List<byte[]> got = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sim.add(small, true, MixnetSim.recording(got));
    }
    int sender = sim.add(small, false, MixnetSim.recording(got));
    int receiver = sim.add(small, false, MixnetSim.recording(got));
    int max = 0;
    for (int i = 0; i < 600; i++) {
      sim.nodes.get(sender).send(sim.info(receiver), new byte[] {(byte) i}, false);
      sim.runFor(Duration.ofMillis(20));
      for (int m = 0; m < 3; m++) {
        max = Math.max(max, sim.nodes.get(m).keys().tagCount());
      }
    }
    assertTrue(max <= 2 * 64, "tags held at most two keys' worth: " + max + "; seed " + seed);
    assertTrue(sim.nodes.get(0).keys().keyId() > 2, "rotated when full; seed " + seed);
  }
}
