package io.spacepanda.internal.net.mix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.crypto.IdentityKey;
import java.security.SecureRandom;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;

/** The signed epoch mix key record: canonical encoding, limits, and every refusal typed. */
class MixKeyRecordTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final IdentityKey OWNER = IdentityKey.generate(RANDOM);
  private static final long NOW = 1_800_000_000_000L;
  private static final long HOUR = 3_600_000L;

  private static byte[] publicKey(Random r) {
    byte[] sk = new byte[32];
    r.nextBytes(sk);
    byte[] pk = new byte[32];
    X25519.scalarMultBase(sk, 0, pk, 0);
    return pk;
  }

  private static MixKeyRecord signed(IdentityKey signer, long epoch, long from, long until,
      byte[] key) {
    return MixKeyRecord.sign(OWNER.peerId(), epoch, from, until, key, signer::sign);
  }

  @Test
  void signedRecord_verifies_andEncodesToItsFixedLength() throws Exception {
    MixKeyRecord r = signed(OWNER, 3, NOW, NOW + HOUR, publicKey(RANDOM));
    byte[] b = r.encode();
    assertEquals(MixKeyRecord.LENGTH, b.length);
    assertEquals(r, MixKeyRecord.decode(b));
    r.verify(OWNER.peerId(), NOW, 60_000);
  }

  @Test
  void forgedUnsignedExpiredEarlyOrOtherPeers_refusedWithTheirReason() throws Exception {
    byte[] key = publicKey(RANDOM);
    MixKeyRecord forged = signed(IdentityKey.generate(RANDOM), 1, NOW, NOW + HOUR, key);
    assertEquals(MixKeyException.Reason.BAD_SIGNATURE, assertThrows(MixKeyException.class,
        () -> forged.verify(OWNER.peerId(), NOW, 0)).reason());
    MixKeyRecord unsigned = new MixKeyRecord(1, NOW, NOW + HOUR, key, new byte[64]);
    assertEquals(MixKeyException.Reason.UNSIGNED, assertThrows(MixKeyException.class,
        () -> MixKeyRecord.decode(unsigned.encode()).verify(OWNER.peerId(), NOW, 0)).reason());
    MixKeyRecord good = signed(OWNER, 1, NOW, NOW + HOUR, key);
    assertEquals(MixKeyException.Reason.EXPIRED, assertThrows(MixKeyException.class,
        () -> good.verify(OWNER.peerId(), NOW + HOUR, 0)).reason());
    assertEquals(MixKeyException.Reason.EXPIRED, assertThrows(MixKeyException.class,
        () -> good.verify(OWNER.peerId(), NOW + HOUR - 1000, 1000)).reason(),
        "too close to its end for a packet to cross the mixnet");
    assertEquals(MixKeyException.Reason.NOT_YET_VALID, assertThrows(MixKeyException.class,
        () -> good.verify(OWNER.peerId(), NOW - MixKeyRecord.CLOCK_SKEW_MILLIS - 1, 0)).reason());
    assertEquals(MixKeyException.Reason.BAD_SIGNATURE, assertThrows(MixKeyException.class,
        () -> good.verify(IdentityKey.generate(RANDOM).peerId(), NOW, 0)).reason(),
        "a record replayed as another peer's");
    // one changed field breaks the signature
    byte[] b = good.encode();
    b[5] ^= 1;
    MixKeyRecord moved = MixKeyRecord.decode(b);
    assertEquals(MixKeyException.Reason.BAD_SIGNATURE, assertThrows(MixKeyException.class,
        () -> moved.verify(OWNER.peerId(), NOW, 0)).reason());
  }

  @Test
  void decode_refusesWrongLengthVersionRangesAndLowOrderKeys() {
    byte[] good = signed(OWNER, 1, NOW, NOW + HOUR, publicKey(RANDOM)).encode();
    for (byte[] bad : new byte[][] {new byte[0], new byte[MixKeyRecord.LENGTH - 1],
        new byte[MixKeyRecord.LENGTH + 1], null}) {
      assertEquals(MixKeyException.Reason.MALFORMED,
          assertThrows(MixKeyException.class, () -> MixKeyRecord.decode(bad)).reason());
    }
    byte[] version = good.clone();
    version[0] = 2;
    assertThrows(MixKeyException.class, () -> MixKeyRecord.decode(version));
    byte[] zeroKey = good.clone();
    java.util.Arrays.fill(zeroKey, 25, 57, (byte) 0);
    assertThrows(MixKeyException.class, () -> MixKeyRecord.decode(zeroKey), "low-order key");
    byte[] backwards = java.nio.ByteBuffer.allocate(MixKeyRecord.LENGTH).put((byte) 1).putLong(1)
        .putLong(NOW).putLong(NOW - 1).put(publicKey(RANDOM)).put(new byte[64]).array();
    assertThrows(MixKeyException.class, () -> MixKeyRecord.decode(backwards), "ends before start");
    byte[] epochZero = java.nio.ByteBuffer.allocate(MixKeyRecord.LENGTH).put((byte) 1).putLong(0)
        .putLong(NOW).putLong(NOW + 1).put(publicKey(RANDOM)).put(new byte[64]).array();
    assertThrows(MixKeyException.class, () -> MixKeyRecord.decode(epochZero));
    assertThrows(IllegalArgumentException.class,
        () -> new MixKeyRecord(1, NOW, NOW + MixKeyRecord.MAX_VALIDITY_MILLIS + 1,
            publicKey(RANDOM), new byte[64]));
    assertThrows(IllegalArgumentException.class,
        () -> new MixKeyRecord(0, NOW, NOW + 1, publicKey(RANDOM), new byte[64]));
  }

  @Property(tries = 200)
  void roundTrip(@ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long epoch,
      @ForAll @LongRange(min = 0, max = 4_000_000_000_000L) long from,
      @ForAll @LongRange(min = 0, max = MixKeyRecord.MAX_VALIDITY_MILLIS) long window,
      @ForAll long seed) throws Exception {
    Random r = new Random(seed);
    byte[] key = publicKey(r);
    byte[] sig = new byte[64];
    r.nextBytes(sig);
    MixKeyRecord rec = new MixKeyRecord(epoch, from, from + window, key, sig);
    byte[] b = rec.encode();
    MixKeyRecord back = MixKeyRecord.decode(b);
    assertEquals(rec, back);
    assertArrayEquals(b, back.encode(), "canonical: one encoding per record");
  }

  @Property(tries = 400)
  void fuzz_randomAndMutatedBytes_onlyTypedErrors(@ForAll long seed,
      @ForAll @IntRange(min = 0, max = 300) int length, @ForAll @IntRange(min = 1, max = 8) int flips)
      throws Exception {
    Random r = new Random(seed);
    byte[] random = new byte[length];
    r.nextBytes(random);
    byte[] original = signed(OWNER, 1 + r.nextInt(1000), NOW, NOW + HOUR, publicKey(r)).encode();
    byte[] mutated = original.clone();
    while (java.util.Arrays.equals(mutated, original)) {
      for (int i = 0; i < flips; i++) {
        mutated[r.nextInt(mutated.length)] ^= (byte) (1 + r.nextInt(255));
      }
    }
    for (byte[] b : new byte[][] {random, mutated}) {
      try {
        MixKeyRecord rec = MixKeyRecord.decode(b);
        assertEquals(MixKeyRecord.LENGTH, b.length);
        try {
          rec.verify(OWNER.peerId(), NOW, 0);
          assertTrue(false, "a mutated record must not verify");
        } catch (MixKeyException e) {
          assertTrue(e.reason() != MixKeyException.Reason.MALFORMED);
        }
      } catch (MixKeyException e) {
        assertEquals(MixKeyException.Reason.MALFORMED, e.reason());
      }
    }
  }
}
