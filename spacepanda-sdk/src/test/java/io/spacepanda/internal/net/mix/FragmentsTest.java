package io.spacepanda.internal.net.mix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.crypto.IdentityKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;

/** Pieces of envelopes through the mixnet, and the X25519 form of Ed25519 identities. */
class FragmentsTest {

  @Property(tries = 60)
  void roundTrip_anyLengthAnyOrder(@ForAll @IntRange(min = 1, max = 20_000) int length,
      @ForAll long id, @ForAll long shuffle) throws Exception {
    byte[] envelope = new byte[length];
    new Random(shuffle).nextBytes(envelope);
    List<byte[]> pieces = new ArrayList<>(Fragments.split(id, envelope));
    assertEquals((length + Fragments.PIECE_BYTES - 1) / Fragments.PIECE_BYTES, pieces.size());
    for (byte[] p : pieces) {
      assertTrue(p.length <= MixNode.MAX_ACKED_BODY, "a piece fits one acknowledged message");
    }
    Collections.shuffle(pieces, new Random(shuffle));
    Fragments.Reassembler r = new Fragments.Reassembler(() -> 0, 1000);
    byte[] out = null;
    for (int i = 0; i < pieces.size(); i++) {
      byte[] got = r.add(pieces.get(i));
      if (i < pieces.size() - 1) {
        assertNull(got);
        assertNull(r.add(pieces.get(i)), "a duplicate piece completes nothing");
      } else {
        out = got;
      }
    }
    assertArrayEquals(envelope, out);
    assertEquals(0, r.partialCount());
    assertEquals(0, r.bufferedBytes());
  }

  @Property(tries = 300)
  void add_randomBytes_typedErrorOrNothing(@ForAll @Size(max = 1700) byte[] bytes) {
    Fragments.Reassembler r = new Fragments.Reassembler(() -> 0, 1000);
    try {
      r.add(bytes);
    } catch (Fragments.BadPiece expected) {
      // typed
    }
    assertTrue(r.bufferedBytes() <= Fragments.MAX_BUFFERED_BYTES);
  }

  @Test
  void add_mutatedPieces_typedErrorsOnly_boundedMemory() {
    Random rnd = new Random(7);
    Fragments.Reassembler r = new Fragments.Reassembler(() -> 0, 1000);
    byte[] envelope = new byte[10_000];
    rnd.nextBytes(envelope);
    List<byte[]> pieces = Fragments.split(1, envelope);
    for (int i = 0; i < 5000; i++) {
      byte[] p = pieces.get(rnd.nextInt(pieces.size())).clone();
      int flips = 1 + rnd.nextInt(3);
      for (int f = 0; f < flips; f++) {
        p[rnd.nextInt(Math.min(p.length, Fragments.HEADER + 4))] ^= (byte) (1 + rnd.nextInt(255));
      }
      try {
        r.add(p);
      } catch (Fragments.BadPiece expected) {
        // typed
      }
      assertTrue(r.partialCount() <= Fragments.MAX_PARTIAL);
      assertTrue(r.bufferedBytes() <= Fragments.MAX_BUFFERED_BYTES);
    }
  }

  @Test
  void limits_partialEnvelopesAreBoundedAndExpire() throws Exception {
    long[] now = {0};
    Fragments.Reassembler r = new Fragments.Reassembler(() -> now[0], 1000);
    byte[] envelope = new byte[Fragments.PIECE_BYTES * 2];
    for (int i = 0; i < Fragments.MAX_PARTIAL + 10; i++) {
      assertNull(r.add(Fragments.split(i, envelope).get(0)));
    }
    assertEquals(Fragments.MAX_PARTIAL, r.partialCount());
    assertEquals(10, r.dropped());
    now[0] = 1000;
    assertNull(r.add(Fragments.split(-1, envelope).get(0)));
    assertEquals(1, r.partialCount(), "the old partial envelopes expired");
    assertThrows(IllegalArgumentException.class, () -> Fragments.split(1, new byte[0]));
    assertThrows(IllegalArgumentException.class,
        () -> Fragments.split(1, new byte[Fragments.MAX_ENVELOPE + 1]));
    assertEquals(Fragments.MAX_PIECES, Fragments.split(1, new byte[Fragments.MAX_ENVELOPE]).size());
    List<byte[]> two = Fragments.split(9, envelope);
    byte[] countChanged = two.get(1).clone();
    countChanged[10] = 3;
    r.add(two.get(0));
    assertThrows(Fragments.BadPiece.class, () -> r.add(countChanged));
  }

  /**
   * A partial envelope dropped at the 64-envelope limit: its later pieces are refused (so not
   * acknowledged, and the sender sends the whole envelope again under a new id, which is put
   * together). Before, a later piece started a new partial envelope and was acknowledged, so the
   * sender saw every piece acknowledged and never sent the envelope again.
   */
  @Test
  void partialDroppedAtTheLimit_laterPiecesRefused_resentWholeIsPutTogether() throws Exception {
    long[] now = {0};
    Fragments.Reassembler r = new Fragments.Reassembler(() -> now[0], 1000);
    byte[] envelope = new byte[Fragments.PIECE_BYTES * 2];
    new Random(11).nextBytes(envelope);
    List<byte[]> victim = Fragments.split(1, envelope);
    assertNull(r.add(victim.get(0)));
    for (int i = 0; i < Fragments.MAX_PARTIAL; i++) {
      now[0]++;
      assertNull(r.add(Fragments.split(100 + i, envelope).get(0)));
    }
    assertEquals(1, r.dropped(), "the victim, oldest, was dropped at the limit");
    assertThrows(Fragments.Dropped.class, () -> r.add(victim.get(1)),
        "its later piece is refused, not acknowledged");
    assertThrows(Fragments.Dropped.class, () -> r.add(victim.get(1)), "and again");
    List<byte[]> resent = Fragments.split(2, envelope);
    assertNull(r.add(resent.get(0)));
    assertArrayEquals(envelope, r.add(resent.get(1)), "the whole envelope sent again arrives");

    // Dropped ids are forgotten a lifetime after their latest piece, and bounded under a flood.
    now[0] += 1000;
    assertNull(r.add(Fragments.split(3, envelope).get(0)));
    assertNull(r.add(victim.get(1)), "forgotten after a lifetime: a new partial envelope");
    for (int i = 0; i < Fragments.MAX_DROPPED_IDS + Fragments.MAX_PARTIAL + 100; i++) {
      r.add(Fragments.split(10_000 + i, envelope).get(0));
    }
    assertTrue(r.droppedIdCount() <= Fragments.MAX_DROPPED_IDS, "" + r.droppedIdCount());
    assertEquals(Fragments.MAX_PARTIAL, r.partialCount());
  }

  /**
   * A partial envelope that expired (no piece for its lifetime) is remembered like one dropped
   * at the limits: a piece that comes after that is refused, so the sender sends it again.
   */
  @Test
  void partialExpired_latePieceRefused() throws Exception {
    long[] now = {0};
    Fragments.Reassembler r = new Fragments.Reassembler(() -> now[0], 1000);
    byte[] envelope = new byte[Fragments.PIECE_BYTES * 3];
    List<byte[]> pieces = Fragments.split(4, envelope);
    assertNull(r.add(pieces.get(0)));
    now[0] += 1000;
    assertNull(r.add(Fragments.split(5, envelope).get(0)));
    assertEquals(1, r.dropped());
    now[0] += 500;
    assertThrows(Fragments.Dropped.class, () -> r.add(pieces.get(1)));
    now[0] += 900;
    assertThrows(Fragments.Dropped.class, () -> r.add(pieces.get(2)),
        "remembered from its latest piece on");
  }

  /**
   * With cover traffic an envelope's pieces leave one per payload interval (LOW_POWER: one in 32 s
   * on average), so a long envelope takes longer than the lifetime to arrive; every piece is
   * acknowledged on arrival. The lifetime runs from the latest piece: counted from the first, the
   * early pieces were dropped before the last came and the envelope was lost, its sender having
   * seen every piece acknowledged.
   */
  @Test
  void piecesArrivingSlowerThanTheLifetimeInAll_butEachWithinIt_envelopeComplete() throws Exception {
    long[] now = {0};
    Fragments.Reassembler r = new Fragments.Reassembler(() -> now[0], 1000);
    byte[] envelope = new byte[Fragments.PIECE_BYTES * 4];
    new Random(3).nextBytes(envelope);
    List<byte[]> pieces = Fragments.split(5, envelope);
    for (int i = 0; i < 3; i++) {
      assertNull(r.add(pieces.get(i)));
      now[0] += 900;
    }
    assertArrayEquals(envelope, r.add(pieces.get(3)), "2,700 ms in all, 900 ms apart");
    assertEquals(0, r.dropped());
    assertEquals(0, r.partialCount());

    // a partial envelope with no piece for a lifetime still expires
    List<byte[]> other = Fragments.split(6, envelope);
    assertNull(r.add(other.get(0)));
    assertNull(r.add(other.get(1)));
    now[0] += 1000;
    assertNull(r.add(Fragments.split(7, envelope).get(0)));
    assertEquals(1, r.dropped());
    assertEquals(1, r.partialCount());
  }

  @Test
  void mixKeyOfIdentity_matchesOnBothSides() {
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 20; i++) {
      IdentityKey id = IdentityKey.generate(random);
      byte[] sk = MixKeyRing.privateKeyFromEd25519Seed(id.exportSeed().exportSecret());
      byte[] pk = new byte[32];
      X25519.scalarMultBase(sk, 0, pk, 0);
      assertArrayEquals(pk, MixKeyRing.publicKeyFromEd25519(id.publicKey()),
          "the key others compute from the peer id is the node's own");
      assertArrayEquals(pk, MixKeyRing.publicKeyFromEd25519(
          id.peerId().ed25519PublicKey().orElseThrow()));
    }
  }

  @Test
  void fixedKey_replayTagsRollOver_replaysInTheLastGenerationsDropped() throws Exception {
    MixKeyRing ring = new MixKeyRing(new byte[32], 2);
    assertTrue(ring.fixed());
    byte[] pk = ring.publicKey();
    assertArrayEquals(pk, ring.rotate(), "a fixed key does not rotate");
    MixKeyRing.Key k = ring.candidates().get(0);
    byte[][] tags = new byte[5][16];
    for (int i = 0; i < tags.length; i++) {
      tags[i][0] = (byte) i;
      assertEquals(ReplayCache.Added.NEW, ring.record(k, tags[i]));
    }
    assertEquals(ReplayCache.Added.REPLAY, ring.record(k, tags[4]));
    assertEquals(ReplayCache.Added.REPLAY, ring.record(k, tags[3]));
    assertTrue(ring.candidates().size() == 1 && !ring.exhausted());
  }
}
