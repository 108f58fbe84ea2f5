package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.space.JoinRequest;
import io.spacepanda.internal.space.SpaceArbitraries;
import io.spacepanda.internal.space.SpaceDecodeException;
import java.time.Instant;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Arbitrary;

/**
 * The stored forms of a join request a manager holds until its turn ({@link
 * InviteDesk#encodeHeld}) and of one it admitted, kept for a re-admission after a fork ({@link
 * ForkReadmit#encodeAdmitted}): round trips, and random or mutated bytes give a typed error or a
 * request, never anything else.
 */
class HeldJoinCodecTest {

  @Provide
  Arbitrary<JoinRequest> requests() {
    return SpaceArbitraries.joinRequests();
  }

  @Property(tries = 200)
  void roundTrips(@ForAll("requests") JoinRequest r,
      @ForAll("times") long millis) throws Exception {
    Instant since = Instant.ofEpochMilli(millis);
    byte[] encoded = InviteDesk.encodeHeld(r, since);
    InviteDesk.Held back = InviteDesk.decodeHeld(encoded);
    assertEquals(r, back.request());
    assertEquals(since, back.since());
    assertArrayEquals(encoded, InviteDesk.encodeHeld(back.request(), back.since()));
  }

  @Provide
  Arbitrary<Long> times() {
    return Arbitraries.longs().between(0, 4_102_444_800_000L);
  }

  @Property(tries = 300)
  void mutatedOrRandomBytes_typedErrorsOnly(@ForAll("requests") JoinRequest r,
      @ForAll long noise) {
    Random rnd = new Random(noise);
    byte[] encoded = InviteDesk.encodeHeld(r, Instant.ofEpochMilli(1_000));
    byte[] bad = switch (rnd.nextInt(4)) {
      case 0 -> java.util.Arrays.copyOf(encoded, rnd.nextInt(encoded.length));
      case 1 -> {
        byte[] b = encoded.clone();
        b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
        yield b;
      }
      case 2 -> {
        byte[] b = java.util.Arrays.copyOf(encoded, encoded.length + 1 + rnd.nextInt(8));
        yield b;
      }
      default -> {
        byte[] b = new byte[rnd.nextInt(200)];
        rnd.nextBytes(b);
        yield b;
      }
    };
    try {
      InviteDesk.decodeHeld(bad);
    } catch (SpaceDecodeException expected) {
      // typed
    }
  }

  @Property(tries = 20)
  void unknownVersionOrNegativeTime_refused(@ForAll("requests") JoinRequest r) {
    byte[] encoded = InviteDesk.encodeHeld(r, Instant.ofEpochMilli(5));
    byte[] version = encoded.clone();
    version[0] = 2;
    assertThrows(SpaceDecodeException.class, () -> InviteDesk.decodeHeld(version));
    byte[] negative = encoded.clone();
    negative[1] = (byte) 0x80;
    assertThrows(SpaceDecodeException.class, () -> InviteDesk.decodeHeld(negative));
    assertThrows(SpaceDecodeException.class, () -> InviteDesk.decodeHeld(new byte[8]));
  }

  // The stored form of an admitted request kept for a re-admission (ForkReadmit#encodeAdmitted).

  @Property(tries = 200)
  void admitted_roundTrips(@ForAll("requests") JoinRequest r, @ForAll("times") long epoch,
      @ForAll("times") long expires) throws Exception {
    ForkReadmit.Admitted ad = new ForkReadmit.Admitted(r, epoch, expires);
    byte[] encoded = ForkReadmit.encodeAdmitted(ad);
    ForkReadmit.Admitted back = ForkReadmit.decodeAdmitted(encoded);
    assertEquals(ad, back);
    assertArrayEquals(encoded, ForkReadmit.encodeAdmitted(back));
  }

  @Property(tries = 300)
  void admitted_mutatedOrRandomBytes_typedErrorsOnly(@ForAll("requests") JoinRequest r,
      @ForAll long noise) {
    Random rnd = new Random(noise);
    byte[] encoded = ForkReadmit.encodeAdmitted(new ForkReadmit.Admitted(r, 7, 1_000));
    byte[] bad = switch (rnd.nextInt(4)) {
      case 0 -> java.util.Arrays.copyOf(encoded, rnd.nextInt(encoded.length));
      case 1 -> {
        byte[] b = encoded.clone();
        b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
        yield b;
      }
      case 2 -> java.util.Arrays.copyOf(encoded, encoded.length + 1 + rnd.nextInt(8));
      default -> {
        byte[] b = new byte[rnd.nextInt(200)];
        rnd.nextBytes(b);
        yield b;
      }
    };
    try {
      ForkReadmit.decodeAdmitted(bad);
    } catch (SpaceDecodeException expected) {
      // typed
    }
  }

  @Property(tries = 20)
  void admitted_unknownVersionOrNegativeFields_refused(@ForAll("requests") JoinRequest r) {
    byte[] encoded = ForkReadmit.encodeAdmitted(new ForkReadmit.Admitted(r, 3, 5));
    byte[] version = encoded.clone();
    version[0] = 2;
    assertThrows(SpaceDecodeException.class, () -> ForkReadmit.decodeAdmitted(version));
    byte[] negativeEpoch = encoded.clone();
    negativeEpoch[1] = (byte) 0x80;
    assertThrows(SpaceDecodeException.class, () -> ForkReadmit.decodeAdmitted(negativeEpoch));
    byte[] negativeExpiry = encoded.clone();
    negativeExpiry[9] = (byte) 0x80;
    assertThrows(SpaceDecodeException.class, () -> ForkReadmit.decodeAdmitted(negativeExpiry));
    assertThrows(SpaceDecodeException.class, () -> ForkReadmit.decodeAdmitted(new byte[16]));
  }
}
