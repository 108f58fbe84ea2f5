package io.spacepanda.internal.net.kad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.kad.KadMessage.Type;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * The kad-dht message codec (libp2p/specs kad-dht "RPC messages"): known bytes, round trips,
 * limits, random and mutated input failing only with {@link KadException}, and lookups that
 * finish although peers answer garbage, too many peers or themselves.
 */
class KadMessageTest {

  static PeerId peer(Random r) {
    byte[] mh = new byte[34];
    r.nextBytes(mh);
    mh[0] = 0x12;
    mh[1] = 0x20;
    return PeerId.fromBytes(mh);
  }

  static KadPeer kadPeer(Random r, int addrs) throws Exception {
    List<Multiaddr> a = new ArrayList<>();
    for (int i = 0; i < addrs; i++) {
      a.add(Multiaddr.tcp(InetAddress.getByAddress(new byte[] {1, 2, 3, (byte) i}), 4000 + i));
    }
    return new KadPeer(peer(r), a);
  }

  @Test
  void findNode_knownBytes() throws Exception {
    KadMessage m = KadMessage.request(Type.FIND_NODE, new byte[] {1, 2});
    assertEquals("0804" + "12020102", HexFormat.of().formatHex(m.encode()));
    assertEquals(m, KadMessage.decode(HexFormat.of().parseHex("0804120201025000")));
  }

  @Test
  void putValue_zeroTypeIsDefault() throws Exception {
    KadMessage m = new KadMessage(Type.PUT_VALUE, new byte[] {9},
        new KadMessage.Record(new byte[] {9}, new byte[] {7}, ""), List.of(), List.of(), 0);
    KadMessage back = KadMessage.decode(m.encode());
    assertEquals(Type.PUT_VALUE, back.type());
    assertEquals(m, back);
  }

  @Test
  void unknownType_failsTyped() {
    assertThrows(KadException.class, () -> KadMessage.decode(HexFormat.of().parseHex("0809")));
  }

  @Test
  void tooManyPeers_failsTyped() throws Exception {
    Random r = new Random(1);
    List<KadPeer> many = new ArrayList<>();
    for (int i = 0; i < KadMessage.MAX_PEERS; i++) {
      many.add(kadPeer(r, 1));
    }
    byte[] ok = new KadMessage(Type.FIND_NODE, new byte[] {1}, null, many, List.of(), 0).encode();
    byte[] extra = new KadMessage(Type.FIND_NODE, new byte[0], null, List.of(kadPeer(r, 1)), List.of(), 0).encode();
    // Concatenated protobuf messages merge: one peer more than the limit.
    byte[] both = new byte[ok.length + extra.length - 2];
    System.arraycopy(ok, 0, both, 0, ok.length);
    System.arraycopy(extra, 2, both, ok.length, extra.length - 2);
    assertThrows(KadException.class, () -> KadMessage.decode(both));
    assertEquals(KadMessage.MAX_PEERS, KadMessage.decode(ok).closerPeers().size());
  }

  @Test
  void malformedPeerId_isDroppedAndCounted() throws Exception {
    // closerPeers { id: 0x0102 (not a multihash) }
    KadMessage m = KadMessage.decode(HexFormat.of().parseHex("0804" + "4204" + "0a020102"));
    assertEquals(0, m.closerPeers().size());
    assertEquals(1, m.droppedPeers());
  }

  @Test
  void oversizedMessage_refusedBeforeParsing() {
    assertThrows(KadException.class, () -> KadMessage.decode(new byte[KadMessage.MAX_MESSAGE_BYTES + 1]));
  }

  @Test
  void frames_hugeLengthPrefix_failsTyped() {
    KadFrames f = new KadFrames();
    ByteBuf b = Unpooled.wrappedBuffer(HexFormat.of().parseHex("ffffffff0f"));
    assertThrows(KadException.class, () -> f.offer(b));
  }

  @Test
  void frames_splitAnywhere_reassemble() throws Exception {
    ByteBuf out = Unpooled.buffer();
    byte[] body = KadMessage.request(Type.GET_VALUE, new byte[300]).encode();
    KadFrames.writeFrame(out, body);
    KadFrames.writeFrame(out, body);
    byte[] all = new byte[out.readableBytes()];
    out.readBytes(all);
    KadFrames f = new KadFrames();
    int got = 0;
    for (byte b : all) {
      got += f.offer(Unpooled.wrappedBuffer(new byte[] {b})).size();
    }
    assertEquals(2, got);
  }

  @Property(tries = 200)
  void roundTrip_anyMessage(@ForAll @IntRange(min = 0, max = 5) int type,
      @ForAll @Size(max = 80) byte[] key, @ForAll @IntRange(min = 0, max = 20) int closer,
      @ForAll @IntRange(min = 0, max = 5) int providers, @ForAll boolean withRecord,
      @ForAll @IntRange(min = 0, max = 1000) int seed) throws Exception {
    Random r = new Random(seed);
    List<KadPeer> c = new ArrayList<>();
    for (int i = 0; i < closer; i++) {
      c.add(kadPeer(r, r.nextInt(4)));
    }
    List<KadPeer> p = new ArrayList<>();
    for (int i = 0; i < providers; i++) {
      p.add(kadPeer(r, 1 + r.nextInt(3)));
    }
    KadMessage.Record rec = withRecord ? new KadMessage.Record(key, new byte[r.nextInt(100)], "2026-01-01T00:00:00Z") : null;
    KadMessage m = new KadMessage(Type.values()[type], key, rec, c, p, 0);
    assertEquals(m, KadMessage.decode(m.encode()));
  }

  @Property(tries = 1000)
  void randomBytes_decodeOrFailTyped(@ForAll @Size(max = 400) byte[] bytes) {
    try {
      KadMessage m = KadMessage.decode(bytes);
      assertNotNull(m.type());
      assertTrue(m.closerPeers().size() <= KadMessage.MAX_PEERS);
    } catch (KadException expected) {
      // typed
    }
  }

  @Property(tries = 1000)
  void mutatedMessage_decodeOrFailTyped(@ForAll @IntRange(min = 0, max = 100_000) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor, @ForAll @IntRange(min = 0, max = 1000) int seed)
      throws Exception {
    Random r = new Random(seed);
    List<KadPeer> c = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      c.add(kadPeer(r, 2));
    }
    byte[] b = new KadMessage(Type.GET_PROVIDERS, new byte[] {1, 2, 3}, null, c, List.of(kadPeer(r, 1)), 0).encode();
    b[position % b.length] ^= (byte) xor;
    try {
      KadMessage.decode(b);
    } catch (KadException expected) {
      // typed
    }
  }

  @Test
  void lookup_finishesAndFindsTarget_whilePeersAnswerGarbageTooManyOrThemselves() {
    KadSim sim = new KadSim(77);
    sim.addNodes(300, KadConfig.defaults());
    sim.convergeTables(20);
    Random r = new Random(5);
    // A third of the nodes lie: 64 random peers that do not exist, themselves and the requester
    // back, or a reply of the wrong type.
    for (int i = 0; i < 100; i++) {
      KadSim.Node liar = sim.nodes.get(i * 3);
      int mode = i % 3;
      liar.liar = req -> {
        List<KadPeer> junk = new ArrayList<>();
        for (int j = 0; j < KadMessage.MAX_PEERS; j++) {
          junk.add(new KadPeer(peer(r), List.of()));
        }
        if (mode == 1) {
          junk.set(0, liar.peer);
        }
        return mode == 2 ? KadMessage.request(Type.PING, new byte[0])
            : new KadMessage(req.type(), req.key(), null, junk, List.of(), 0);
      };
    }
    int found = 0;
    for (int i = 0; i < 40; i++) {
      KadSim.Node from = sim.nodes.get(1 + 3 * r.nextInt(99));
      KadSim.Node to = sim.nodes.get(2 + 3 * r.nextInt(99));
      KadDht.LookupResult res = sim.clock.await(from.dht.findPeer(to.id), 600_000);
      assertTrue(res.queries() <= KadConfig.defaults().maxQueriesPerLookup());
      if (res.target() != null) {
        found++;
      }
    }
    assertTrue(found >= 38, "found " + found + " of 40 with a third of the network lying");
  }
}
