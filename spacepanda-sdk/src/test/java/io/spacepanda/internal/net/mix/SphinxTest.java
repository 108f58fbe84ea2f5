package io.spacepanda.internal.net.mix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Sphinx packets: round trips over 1 to 5 hops, replies, and every drop reason. */
class SphinxTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A mix: address and keys. */
  record Mix(byte[] address, MixKeyRing keys) {
    Sphinx.Hop hop() {
      return new Sphinx.Hop(address, keys.publicKey());
    }
  }

  static List<Mix> mixes(int n) {
    List<Mix> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] addr = new byte[38];
      RANDOM.nextBytes(addr);
      out.add(new Mix(addr, new MixKeyRing(RANDOM, 1000)));
    }
    return out;
  }

  static List<Sphinx.Hop> hops(List<Mix> path) {
    return path.stream().map(Mix::hop).toList();
  }

  /** Runs a packet along the path, checking each hop's next address; returns the last result. */
  static Sphinx.Processed travel(List<Mix> path, byte[] packet, int[] delays) throws MixException {
    byte[] p = packet;
    for (int i = 0; i < path.size() - 1; i++) {
      assertEquals(Sphinx.PACKET_LENGTH, p.length);
      Sphinx.Forward f = assertInstanceOf(Sphinx.Forward.class, Sphinx.process(path.get(i).keys(), p));
      assertArrayEquals(path.get(i + 1).address(), f.next());
      assertEquals(delays[i], f.delayMillis());
      p = f.packet();
    }
    return Sphinx.process(path.get(path.size() - 1).keys(), p);
  }

  @Test
  void deliver_overFourHops_everyPacketOneSizeAndNoSharedBytes() throws Exception {
    List<Mix> path = mixes(4);
    byte[] msg = "hello mixnet".getBytes(StandardCharsets.UTF_8);
    int[] delays = {12, 0, 65535, 0};
    byte[] packet = Sphinx.build(hops(path), delays, Sphinx.Kind.DELIVER, null, msg, RANDOM);
    assertEquals(2413, packet.length);
    Sphinx.Forward f = (Sphinx.Forward) Sphinx.process(path.get(0).keys(), packet.clone());
    // input and output of a mix share no run of bytes an observer could follow
    assertTrue(io.spacepanda.UnlinkableCopiesTestAccess.longestCommonRun(packet, f.packet()) < 8);
    Sphinx.Delivered d = assertInstanceOf(Sphinx.Delivered.class,
        travel(path.subList(1, 4), f.packet(), Arrays.copyOfRange(delays, 1, 4)));
    assertArrayEquals(msg, d.message());
  }

  @Property(tries = 40)
  void roundTrip_anyPathLengthAndMessage(@ForAll @IntRange(min = 1, max = 5) int hops,
      @ForAll @Size(max = Sphinx.MAX_MESSAGE) byte[] msg) throws Exception {
    List<Mix> path = mixes(hops);
    int[] delays = new int[hops];
    for (int i = 0; i < hops; i++) {
      delays[i] = i == hops - 1 ? 0 : RANDOM.nextInt(Sphinx.MAX_DELAY_MILLIS + 1);
    }
    byte[] packet = Sphinx.build(hops(path), delays, Sphinx.Kind.DELIVER, null, msg, RANDOM);
    Sphinx.Delivered d = assertInstanceOf(Sphinx.Delivered.class, travel(path, packet, delays));
    assertArrayEquals(msg, d.message());
  }

  @Test
  void replay_droppedByTheSameKey_acceptedNowhereElse() throws Exception {
    List<Mix> path = mixes(3);
    byte[] packet = Sphinx.build(hops(path), new int[3], Sphinx.Kind.DELIVER, null, new byte[5],
        RANDOM);
    Sphinx.process(path.get(0).keys(), packet);
    MixException e = assertThrows(MixException.class, () -> Sphinx.process(path.get(0).keys(), packet));
    assertEquals(MixException.Reason.REPLAY, e.reason());
    e = assertThrows(MixException.class, () -> Sphinx.process(path.get(1).keys(), packet));
    assertEquals(MixException.Reason.BAD_MAC, e.reason());
  }

  @Test
  void taggedPayload_droppedAtTheLastHop_taggedHeader_droppedAtOnce() throws Exception {
    List<Mix> path = mixes(3);
    byte[] packet = Sphinx.build(hops(path), new int[3], Sphinx.Kind.DELIVER, null, new byte[5],
        RANDOM);
    byte[] tagged = packet.clone();
    tagged[Sphinx.HEADER_LENGTH + 700] ^= 1;
    MixException e = assertThrows(MixException.class, () -> travel(path, tagged, new int[3]));
    assertEquals(MixException.Reason.TAGGED, e.reason());
    byte[] header = packet.clone();
    header[100] ^= 1;
    e = assertThrows(MixException.class, () -> Sphinx.process(path.get(0).keys(), header));
    assertEquals(MixException.Reason.BAD_MAC, e.reason());
  }

  @Test
  void keyRotation_previousKeyStillAccepted_thenRetired() throws Exception {
    List<Mix> path = mixes(2);
    byte[] packet = Sphinx.build(hops(path), new int[2], Sphinx.Kind.DELIVER, null, new byte[1],
        RANDOM);
    byte[] again = Sphinx.build(hops(path), new int[2], Sphinx.Kind.DELIVER, null, new byte[1],
        RANDOM);
    path.get(0).keys().rotate();
    assertInstanceOf(Sphinx.Forward.class, Sphinx.process(path.get(0).keys(), packet));
    path.get(0).keys().retirePrevious();
    MixException e = assertThrows(MixException.class, () -> Sphinx.process(path.get(0).keys(), again));
    assertEquals(MixException.Reason.BAD_MAC, e.reason());
  }

  @Test
  void fullReplayCache_refusesUntilRotation() throws Exception {
    Mix m = new Mix(new byte[] {1}, new MixKeyRing(RANDOM, 2));
    List<Sphinx.Hop> one = List.of(m.hop());
    for (int i = 0; i < 2; i++) {
      Sphinx.process(m.keys(), Sphinx.build(one, new int[1], Sphinx.Kind.DROP, null, new byte[0], RANDOM));
    }
    assertTrue(m.keys().exhausted());
    byte[] third = Sphinx.build(one, new int[1], Sphinx.Kind.DROP, null, new byte[0], RANDOM);
    MixException e = assertThrows(MixException.class, () -> Sphinx.process(m.keys(), third));
    assertEquals(MixException.Reason.KEY_EXHAUSTED, e.reason());
    m.keys().rotate();
    assertInstanceOf(Sphinx.Dropped.class, Sphinx.process(m.keys(),
        Sphinx.build(List.of(m.hop()), new int[1], Sphinx.Kind.DROP, null, new byte[0], RANDOM)));
  }

  @Test
  void surb_replyTravelsBackAndOpensOnce() throws Exception {
    List<Mix> back = mixes(4); // three mixes, then the creator
    Sphinx.SurbPair pair = Sphinx.createSurb(hops(back), new int[] {5, 6, 7, 0}, RANDOM);
    Sphinx.Surb decoded = Sphinx.Surb.decode(pair.surb().encode());
    byte[] ack = "ack 42".getBytes(StandardCharsets.UTF_8);
    byte[] packet = Sphinx.reply(decoded, ack, RANDOM);
    assertEquals(Sphinx.PACKET_LENGTH, packet.length);
    Sphinx.ReplyArrived r = assertInstanceOf(Sphinx.ReplyArrived.class,
        travel(back, packet, new int[] {5, 6, 7, 0}));
    assertArrayEquals(pair.secret().surbId(), r.surbId());
    assertArrayEquals(ack, Sphinx.openReply(pair.secret(), r));
    // the same block used twice is a replay at the first hop
    MixException e = assertThrows(MixException.class,
        () -> Sphinx.process(back.get(0).keys(), Sphinx.reply(decoded, ack, RANDOM)));
    assertEquals(MixException.Reason.REPLAY, e.reason());
  }

  @Test
  void loopAndDrop_lookLikeDeliveriesUntilTheLastHop() throws Exception {
    List<Mix> path = mixes(3);
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    Sphinx.LoopReturned l = assertInstanceOf(Sphinx.LoopReturned.class, travel(path,
        Sphinx.build(hops(path), new int[3], Sphinx.Kind.LOOP, id, new byte[0], RANDOM), new int[3]));
    assertArrayEquals(id, l.loopId());
    assertInstanceOf(Sphinx.Dropped.class, travel(path,
        Sphinx.build(hops(path), new int[3], Sphinx.Kind.DROP, null, new byte[0], RANDOM), new int[3]));
  }

  @Test
  void lowOrderAlpha_droppedAsWeakKey() {
    MixKeyRing keys = new MixKeyRing(RANDOM, 10);
    byte[] packet = new byte[Sphinx.PACKET_LENGTH]; // α = 0, a low-order point
    MixException e = assertThrows(MixException.class, () -> Sphinx.process(keys, packet));
    assertEquals(MixException.Reason.WEAK_KEY, e.reason());
  }

  @Property(tries = 300)
  void process_randomBytes_droppedTyped(@ForAll @Size(max = 3000) byte[] bytes) {
    MixKeyRing keys = new MixKeyRing(RANDOM, 10);
    MixException e = assertThrows(MixException.class, () -> Sphinx.process(keys, bytes));
    assertTrue(Arrays.asList(MixException.Reason.values()).contains(e.reason()));
  }

  @Property(tries = 200)
  void process_mutatedPacket_droppedTypedSomewhereOnThePath(@ForAll @IntRange(min = 0,
      max = Sphinx.PACKET_LENGTH - 1) int at, @ForAll @IntRange(min = 1, max = 255) int xor)
      throws Exception {
    List<Mix> path = mixes(3);
    byte[] packet = Sphinx.build(hops(path), new int[3], Sphinx.Kind.DELIVER, null, new byte[9],
        RANDOM);
    packet[at] ^= (byte) xor;
    assertThrows(MixException.class, () -> travel(path, packet, new int[3]));
  }

  @Property(tries = 200)
  void surbDecode_randomBytes_typed(@ForAll @Size(max = 600) byte[] bytes) {
    try {
      Sphinx.Surb s = Sphinx.Surb.decode(bytes);
      assertArrayEquals(bytes, s.encode());
    } catch (MixException e) {
      assertEquals(MixException.Reason.MALFORMED, e.reason());
    }
  }
}
