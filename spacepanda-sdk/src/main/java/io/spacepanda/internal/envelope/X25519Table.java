package io.spacepanda.internal.envelope;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.math.ec.rfc7748.X25519Field;

/**
 * X25519 (RFC 7748 §5) with a secret scalar and one fixed, public point, through a table built
 * once for that point: the agreement of a direct envelope's ephemeral key with a recipient's inbox
 * key sealed to before. The Montgomery ladder costs 255 ladder steps per agreement; with the
 * table it is 8 doublings and 64 additions of precomputed points on the birationally equivalent
 * twisted Edwards curve edwards25519 (RFC 7748 §4.1), then one inversion for the u-coordinate.
 *
 * <p>How: the point's u-coordinate maps to y = (u − 1)/(u + 1), and x comes from the curve
 * equation −x² + y² = 1 + d·x²·y² (either sign: u(k·P) = u(k·(−P))). The table is a comb of 8
 * blocks of 4 teeth spaced 8 bits apart: entry (j, i) = Σ over the set bits t of i of 2^(32j + 8t)
 * · P, kept as (y + x, y − x, 2d·x·y). The clamped scalar k is read 32 bits per block; step s
 * (7 down to 0) doubles the sum and adds, per block, the entry chosen by bits 32j + 8t + s. The
 * entry is selected by a constant-time scan of the block's 16 entries, the formulas are complete
 * and branch-free (RFC 8032 §5.1.4's extended coordinates, Hisil–Wong–Carter–Dawson 2008), and
 * the inversion is constant-time, so the time does not depend on the secret scalar; the table
 * depends only on the public point. The identity (a small-order point times a clamped scalar)
 * gives u = 0, as the ladder does, which the caller refuses like the ladder's all-zero output.
 *
 * <p>A u that is not canonical, is −1 (no Edwards image) or lies on the twist gets no table
 * ({@link #forPoint} returns null): the caller uses the ladder. Field arithmetic is BouncyCastle's
 * {@link X25519Field} (radix 2^25.5, ten limbs). Tests compare every result with BouncyCastle's
 * {@link X25519#scalarMult} on random and edge points. Immutable and thread-safe.
 */
final class X25519Table {

  private static final int BLOCKS = 8;
  private static final int TEETH = 4;
  private static final int SPACING = 8;
  private static final int ENTRIES = 1 << TEETH;
  private static final int F = X25519Field.SIZE;
  /** Ints per table entry: y + x, y − x, 2d·x·y. */
  private static final int ENTRY = 3 * F;
  /** d = −121665/121666 of edwards25519. */
  private static final int[] D = new int[F];
  /** 2d. */
  private static final int[] D2 = new int[F];

  static {
    // from the canonical encodings, so that both are fully reduced
    java.math.BigInteger p = java.math.BigInteger.ONE.shiftLeft(255)
        .subtract(java.math.BigInteger.valueOf(19));
    java.math.BigInteger d = java.math.BigInteger.valueOf(-121665)
        .multiply(java.math.BigInteger.valueOf(121666).modInverse(p)).mod(p);
    X25519Field.decode(littleEndian(d), 0, D);
    X25519Field.decode(littleEndian(d.shiftLeft(1).mod(p)), 0, D2);
  }

  private static byte[] littleEndian(java.math.BigInteger v) {
    byte[] be = v.toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < 32 && i < be.length; i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  /** BLOCKS × ENTRIES entries of ENTRY ints. */
  private final int[] table;

  private X25519Table(int[] table) {
    this.table = table;
  }

  /** A point in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, x·y = T/Z. */
  private static final class Point {
    final int[] x = X25519Field.create();
    final int[] y = X25519Field.create();
    final int[] z = X25519Field.create();
    final int[] t = X25519Field.create();

    static Point identity() {
      Point p = new Point();
      X25519Field.one(p.y);
      X25519Field.one(p.z);
      return p;
    }

    Point copy() {
      Point p = new Point();
      X25519Field.copy(x, 0, p.x, 0);
      X25519Field.copy(y, 0, p.y, 0);
      X25519Field.copy(z, 0, p.z, 0);
      X25519Field.copy(t, 0, p.t, 0);
      return p;
    }
  }

  /** Scratch space of one multiplication. */
  private static final class Scratch {
    final int[] a = X25519Field.create();
    final int[] b = X25519Field.create();
    final int[] c = X25519Field.create();
    final int[] d = X25519Field.create();
    final int[] e = X25519Field.create();
    final int[] f = X25519Field.create();
    final int[] g = X25519Field.create();
    final int[] h = X25519Field.create();
  }

  /**
   * Builds the table of a point, given as an X25519 public key.
   *
   * @param u the 32-byte little-endian u-coordinate
   * @return the table, or null if the point has none (the ladder then applies)
   */
  static X25519Table forPoint(byte[] u) {
    if (u.length != X25519.POINT_SIZE || (u[31] & 0x80) != 0) {
      return null;
    }
    int[] fu = X25519Field.create();
    X25519Field.decode(u, 0, fu);
    // canonical only: u < p, so it re-encodes to the same bytes
    int[] n = X25519Field.create();
    X25519Field.copy(fu, 0, n, 0);
    X25519Field.normalize(n);
    byte[] again = new byte[32];
    X25519Field.encode(n, again, 0);
    if (!java.util.Arrays.equals(again, u)) {
      return null;
    }
    // y = (u - 1) / (u + 1)
    int[] num = X25519Field.create();
    int[] den = X25519Field.create();
    X25519Field.copy(fu, 0, num, 0);
    X25519Field.subOne(num);
    X25519Field.copy(fu, 0, den, 0);
    X25519Field.addOne(den);
    X25519Field.carry(num);
    X25519Field.carry(den);
    X25519Field.normalize(den);
    if (X25519Field.isZeroVar(den)) {
      return null; // u = -1
    }
    int[] y = X25519Field.create();
    X25519Field.invVar(den, y);
    X25519Field.mul(y, num, y);
    // x^2 = (y^2 - 1) / (d y^2 + 1)
    int[] y2 = X25519Field.create();
    X25519Field.sqr(y, y2);
    int[] xn = X25519Field.create();
    X25519Field.copy(y2, 0, xn, 0);
    X25519Field.subOne(xn);
    X25519Field.carry(xn);
    int[] xd = X25519Field.create();
    X25519Field.mul(y2, D, xd);
    X25519Field.addOne(xd);
    X25519Field.carry(xd);
    int[] x = X25519Field.create();
    if (!X25519Field.sqrtRatioVar(xn, xd, x)) {
      return null; // on the twist
    }
    Point p = new Point();
    X25519Field.copy(x, 0, p.x, 0);
    X25519Field.copy(y, 0, p.y, 0);
    X25519Field.one(p.z);
    X25519Field.mul(x, y, p.t);
    return new X25519Table(build(p));
  }

  private static int[] build(Point p) {
    Scratch s = new Scratch();
    Point[] base = new Point[BLOCKS * TEETH];
    Point q = p.copy();
    for (int i = 0; i < base.length; i++) {
      base[i] = q.copy();
      if (i + 1 < base.length) {
        for (int k = 0; k < SPACING; k++) {
          dbl(q, s);
        }
      }
    }
    Point[] all = new Point[BLOCKS * ENTRIES];
    for (int j = 0; j < BLOCKS; j++) {
      all[j * ENTRIES] = Point.identity();
      for (int i = 1; i < ENTRIES; i++) {
        int t = Integer.numberOfTrailingZeros(i);
        Point r = all[j * ENTRIES + (i & (i - 1))].copy();
        add(r, base[j * TEETH + t], s);
        all[j * ENTRIES + i] = r;
      }
    }
    // batch inversion of every Z (Montgomery's trick; the point is public, so variable time)
    int n = all.length;
    int[][] prefix = new int[n][];
    prefix[0] = all[0].z.clone();
    for (int i = 1; i < n; i++) {
      prefix[i] = X25519Field.create();
      X25519Field.mul(prefix[i - 1], all[i].z, prefix[i]);
    }
    int[] inv = X25519Field.create();
    X25519Field.invVar(prefix[n - 1], inv);
    int[] table = new int[n * ENTRY];
    int[] zi = X25519Field.create();
    int[] ax = X25519Field.create();
    int[] ay = X25519Field.create();
    int[] tmp = X25519Field.create();
    for (int i = n - 1; i >= 0; i--) {
      if (i > 0) {
        X25519Field.mul(inv, prefix[i - 1], zi);
        X25519Field.mul(inv, all[i].z, inv);
      } else {
        X25519Field.copy(inv, 0, zi, 0);
      }
      X25519Field.mul(all[i].x, zi, ax);
      X25519Field.mul(all[i].y, zi, ay);
      int off = i * ENTRY;
      X25519Field.add(ay, ax, tmp);
      X25519Field.carry(tmp);
      X25519Field.normalize(tmp);
      X25519Field.copy(tmp, 0, table, off);
      X25519Field.sub(ay, ax, tmp);
      X25519Field.carry(tmp);
      X25519Field.normalize(tmp);
      X25519Field.copy(tmp, 0, table, off + F);
      X25519Field.mul(ax, ay, tmp);
      X25519Field.mul(tmp, D2, tmp);
      X25519Field.normalize(tmp);
      X25519Field.copy(tmp, 0, table, off + 2 * F);
    }
    return table;
  }

  /**
   * Computes X25519(k, u) for this table's u.
   *
   * @param k the 32-byte scalar (clamped here, as RFC 7748 §5 decodes it)
   * @param out receives the 32-byte u-coordinate of k·P at {@code outOff}
   * @param outOff where it goes
   * @return false if the result is all zeros (a small-order point), as {@link
   *     X25519#calculateAgreement} reports it
   */
  boolean agree(byte[] k, byte[] out, int outOff) {
    byte[] e = k.clone();
    e[0] &= (byte) 0xF8;
    e[31] &= 0x7F;
    e[31] |= 0x40;
    Scratch s = new Scratch();
    Point q = Point.identity();
    int[] ypx = X25519Field.create();
    int[] ymx = X25519Field.create();
    int[] xyd = X25519Field.create();
    for (int step = SPACING - 1; step >= 0; step--) {
      if (step < SPACING - 1) {
        dbl(q, s);
      }
      for (int j = 0; j < BLOCKS; j++) {
        int index = 0;
        for (int t = 0; t < TEETH; t++) {
          int bit = j * 32 + t * SPACING + step;
          index |= ((e[bit >>> 3] >>> (bit & 7)) & 1) << t;
        }
        select(j, index, ypx, ymx, xyd);
        addPrecomputed(q, ypx, ymx, xyd, s);
      }
    }
    java.util.Arrays.fill(e, (byte) 0);
    // u = (Z + Y) / (Z - Y); the identity gives Z - Y = 0, inverted to 0, so u = 0
    X25519Field.add(q.z, q.y, s.a);
    X25519Field.sub(q.z, q.y, s.b);
    X25519Field.carry(s.a);
    X25519Field.carry(s.b);
    X25519Field.inv(s.b, s.c);
    X25519Field.mul(s.a, s.c, s.d);
    X25519Field.normalize(s.d);
    X25519Field.encode(s.d, out, outOff);
    int any = 0;
    for (int i = 0; i < X25519.POINT_SIZE; i++) {
      any |= out[outOff + i];
    }
    return any != 0;
  }

  /** Copies entry (block, index) into the three outputs, reading all 16 entries of the block. */
  private void select(int block, int index, int[] ypx, int[] ymx, int[] xyd) {
    X25519Field.zero(ypx);
    X25519Field.zero(ymx);
    X25519Field.zero(xyd);
    int base = block * ENTRIES * ENTRY;
    for (int i = 0; i < ENTRIES; i++) {
      int diff = i ^ index;
      int cond = ((diff - 1) >> 31); // -1 when i == index, else 0 (diff < 16)
      int off = base + i * ENTRY;
      X25519Field.cmov(cond, table, off, ypx, 0);
      X25519Field.cmov(cond, table, off + F, ymx, 0);
      X25519Field.cmov(cond, table, off + 2 * F, xyd, 0);
    }
  }

  /** q = 2q (dbl-2008-hwcd with a = -1). */
  private static void dbl(Point q, Scratch s) {
    X25519Field.sqr(q.x, s.a); // A = X^2
    X25519Field.sqr(q.y, s.b); // B = Y^2
    X25519Field.sqr(q.z, s.c);
    X25519Field.add(s.c, s.c, s.c); // C = 2 Z^2
    X25519Field.add(q.x, q.y, s.e);
    X25519Field.carry(s.e);
    X25519Field.sqr(s.e, s.e); // (X + Y)^2
    X25519Field.apm(s.a, s.b, s.h, s.g); // h = A + B, g = A - B
    X25519Field.sub(s.e, s.h, s.e); // E = (X + Y)^2 - A - B
    X25519Field.negate(s.g, s.g); // G = B - A
    X25519Field.sub(s.g, s.c, s.f); // F = G - C
    X25519Field.negate(s.h, s.h); // H = -A - B
    X25519Field.carry(s.e);
    X25519Field.carry(s.f);
    X25519Field.carry(s.g);
    X25519Field.carry(s.h);
    X25519Field.mul(s.e, s.f, q.x);
    X25519Field.mul(s.g, s.h, q.y);
    X25519Field.mul(s.e, s.h, q.t);
    X25519Field.mul(s.f, s.g, q.z);
  }

  /** q = q + (ypx, ymx, xyd) (madd-2008-hwcd-3 with a = -1, k = 2d; complete). */
  private static void addPrecomputed(Point q, int[] ypx, int[] ymx, int[] xyd, Scratch s) {
    X25519Field.apm(q.y, q.x, s.b, s.a); // b = Y + X, a = Y - X
    X25519Field.carry(s.a);
    X25519Field.carry(s.b);
    X25519Field.mul(s.a, ymx, s.a); // A
    X25519Field.mul(s.b, ypx, s.b); // B
    X25519Field.mul(q.t, xyd, s.c); // C
    X25519Field.add(q.z, q.z, s.d); // D = 2 Z
    finish(q, s);
  }

  /** q = q + p (add-2008-hwcd-3 with a = -1, k = 2d; complete). */
  private static void add(Point q, Point p, Scratch s) {
    int[] u = X25519Field.create();
    int[] v = X25519Field.create();
    X25519Field.apm(q.y, q.x, s.b, s.a);
    X25519Field.apm(p.y, p.x, v, u);
    X25519Field.carry(s.a);
    X25519Field.carry(s.b);
    X25519Field.carry(u);
    X25519Field.carry(v);
    X25519Field.mul(s.a, u, s.a); // A = (Y1 - X1)(Y2 - X2)
    X25519Field.mul(s.b, v, s.b); // B = (Y1 + X1)(Y2 + X2)
    X25519Field.mul(q.t, p.t, s.c);
    X25519Field.mul(s.c, D2, s.c); // C = T1 2d T2
    X25519Field.mul(q.z, p.z, s.d);
    X25519Field.add(s.d, s.d, s.d); // D = 2 Z1 Z2
    finish(q, s);
  }

  /** The common end of both additions: E = B - A, F = D - C, G = D + C, H = B + A. */
  private static void finish(Point q, Scratch s) {
    X25519Field.carry(s.d);
    X25519Field.apm(s.b, s.a, s.h, s.e); // h = B + A, e = B - A
    X25519Field.apm(s.d, s.c, s.g, s.f); // g = D + C, f = D - C
    X25519Field.carry(s.e);
    X25519Field.carry(s.f);
    X25519Field.carry(s.g);
    X25519Field.carry(s.h);
    X25519Field.mul(s.e, s.f, q.x);
    X25519Field.mul(s.g, s.h, q.y);
    X25519Field.mul(s.e, s.h, q.t);
    X25519Field.mul(s.f, s.g, q.z);
  }

  /**
   * The tables of recipients sealed to more than once: a key seen the first time is only
   * remembered (a table costs a few agreements to build), the second time gets its table. At most
   * {@value #CACHED} keys, least recently used out. Thread-safe.
   */
  static final class Cache {
    /** Keys remembered; a table is about 15 KiB. */
    static final int CACHED = 32;
    private static final Object SEEN_ONCE = new Object();
    private static final Object NO_TABLE = new Object();
    private final Map<java.nio.ByteBuffer, Object> entries =
        new LinkedHashMap<>(CACHED * 2, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<java.nio.ByteBuffer, Object> eldest) {
            return size() > CACHED;
          }
        };

    /**
     * Returns the table of a recipient key, building it at the key's second use.
     *
     * @param key the 32-byte X25519 public key
     * @return its table, or null (first use, or a point without a table)
     */
    X25519Table tableFor(byte[] key) {
      java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(key.clone());
      Object v;
      synchronized (entries) {
        v = entries.get(k);
        if (v == null) {
          entries.put(k, SEEN_ONCE);
          return null;
        }
      }
      if (v instanceof X25519Table t) {
        return t;
      }
      if (v == NO_TABLE) {
        return null;
      }
      X25519Table t = forPoint(key);
      synchronized (entries) {
        entries.put(k, t == null ? NO_TABLE : t);
      }
      return t;
    }
  }
}
