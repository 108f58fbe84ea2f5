package io.spacepanda.internal.envelope;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Random;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;

/**
 * The table-based X25519 for a fixed point gives exactly BouncyCastle's ladder result (RFC 7748
 * §5) for random scalars and points, refuses small-order results the same way, and has no table
 * for points without an Edwards image on the curve (twist, u = −1, non-canonical u).
 */
class X25519TableTest {

  private final long seed = Long.getLong("spacepanda.seed", System.nanoTime());
  private final Random random = new Random(seed);

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static byte[] ladder(byte[] k, byte[] u) {
    byte[] r = new byte[32];
    X25519.scalarMult(k, 0, u, 0, r, 0);
    return r;
  }

  @Test
  void randomPublicKeys_randomScalars_matchTheLadder() {
    for (int i = 0; i < 40; i++) {
      byte[] sk = bytes(32);
      byte[] pk = new byte[32];
      X25519.generatePublicKey(sk, 0, pk, 0);
      X25519Table table = X25519Table.forPoint(pk);
      assertNotNull(table, "a public key is on the curve; seed " + seed);
      for (int j = 0; j < 5; j++) {
        byte[] k = bytes(32);
        byte[] got = new byte[32];
        boolean ok = table.agree(k, got, 0);
        assertArrayEquals(ladder(k, pk), got, "key " + i + " scalar " + j + "; seed " + seed);
        assertEquals(true, ok);
      }
    }
  }

  @Test
  void randomU_eitherMatchesTheLadder_orHasNoTable() {
    int tables = 0;
    int none = 0;
    for (int i = 0; i < 200; i++) {
      byte[] u = bytes(32);
      u[31] &= 0x7F;
      X25519Table table = X25519Table.forPoint(u);
      if (table == null) {
        none++;
        continue;
      }
      tables++;
      byte[] k = bytes(32);
      byte[] got = new byte[32];
      table.agree(k, got, 0);
      assertArrayEquals(ladder(k, u), got, "u " + i + "; seed " + seed);
    }
    // about half of all u lie on the twist; 200 draws make either count 0 practically impossible
    assertEquals(200, tables + none);
    assertFalse(tables == 0 || none == 0, "tables " + tables + ", none " + none + "; seed " + seed);
  }

  @Test
  void smallOrderPoints_giveZero_refusedLikeTheLadder() {
    byte[] zero = new byte[32];
    byte[] one = new byte[32];
    one[0] = 1;
    for (byte[] u : new byte[][] {zero, one}) {
      X25519Table table = X25519Table.forPoint(u);
      assertNotNull(table, "u = " + u[0] + " has an Edwards image of small order");
      byte[] k = bytes(32);
      byte[] got = new byte[32];
      assertFalse(table.agree(k, got, 0));
      assertArrayEquals(new byte[32], got);
      assertFalse(X25519.calculateAgreement(k, 0, u, 0, new byte[32], 0));
    }
  }

  @Test
  void pointsWithoutAnImage_haveNoTable() {
    byte[] minusOne = new byte[32]; // p - 1 = 2^255 - 20
    java.util.Arrays.fill(minusOne, (byte) 0xFF);
    minusOne[0] = (byte) 0xEC;
    minusOne[31] = 0x7F;
    assertNull(X25519Table.forPoint(minusOne), "u = -1");
    byte[] p = minusOne.clone(); // p itself: not canonical
    p[0] = (byte) 0xED;
    assertNull(X25519Table.forPoint(p), "u = p");
    byte[] top = new byte[32];
    top[0] = 9;
    top[31] = (byte) 0x80;
    assertNull(X25519Table.forPoint(top), "bit 255 set");
    assertNull(X25519Table.forPoint(new byte[31]), "short");
  }

  @Test
  void cache_buildsATableAtTheSecondUse_andKeepsIt() {
    X25519Table.Cache cache = new X25519Table.Cache();
    byte[] pk = new byte[32];
    X25519.generatePublicKey(bytes(32), 0, pk, 0);
    assertNull(cache.tableFor(pk), "first use: remembered only");
    X25519Table t = cache.tableFor(pk);
    assertNotNull(t, "second use: built");
    assertSame(t, cache.tableFor(pk));
    for (int i = 0; i < X25519Table.Cache.CACHED; i++) {
      byte[] other = new byte[32];
      X25519.generatePublicKey(bytes(32), 0, other, 0);
      cache.tableFor(other);
    }
    assertNull(cache.tableFor(pk), "evicted after CACHED other keys: remembered again");
  }
}
