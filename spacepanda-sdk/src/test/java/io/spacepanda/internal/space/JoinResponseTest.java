package io.spacepanda.internal.space;

import static io.spacepanda.internal.space.SpaceFixtures.ALICE;
import static io.spacepanda.internal.space.SpaceFixtures.BOB;
import static io.spacepanda.internal.space.SpaceFixtures.OWNER;
import static io.spacepanda.internal.space.SpaceFixtures.SPACE;
import static io.spacepanda.internal.space.SpaceFixtures.channel;
import static io.spacepanda.internal.space.SpaceFixtures.contact;
import static io.spacepanda.internal.space.SpaceFixtures.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.space.JoinResponse.ChannelWelcome;
import io.spacepanda.internal.space.JoinResponse.Refusal;
import io.spacepanda.internal.space.SpaceOp.CreateChannel;
import io.spacepanda.internal.space.SpaceOp.MemberJoined;
import io.spacepanda.internal.space.SpaceOp.RenameSpace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class JoinResponseTest {

  private static SpaceState space() {
    SpaceState s = new SpaceState(SPACE, OWNER);
    s.apply(op(OWNER, 1, new RenameSpace("Team")));
    s.apply(op(OWNER, 2, new CreateChannel(channel(1), "general", 0)));
    s.apply(op(OWNER, 3, new MemberJoined(contact(OWNER))));
    s.apply(op(OWNER, 4, new MemberJoined(contact(ALICE))));
    return s;
  }

  private static JoinResponse accepted(SpaceState s) {
    return JoinResponse.accepted(SPACE, OWNER, new byte[] {9, 9},
        List.of(new ChannelWelcome(channel(1), new byte[] {7})), s.log(),
        List.copyOf(s.view().contacts().values()));
  }

  @Test
  void accepted_roundTripsAndRebuildsSameState() throws Exception {
    SpaceState s = space();
    JoinResponse back = JoinResponse.decode(accepted(s).encode());
    assertTrue(back.isAccepted());
    assertEquals(Optional.empty(), back.refusal());
    assertEquals(OWNER, back.owner());
    assertArrayEquals(new byte[] {9, 9}, back.spaceWelcome());
    assertEquals(List.of(new ChannelWelcome(channel(1), new byte[] {7})), back.channelWelcomes());
    assertEquals(s.view(), back.toState().view());
    assertEquals(List.of(contact(ALICE), contact(OWNER)).stream()
        .sorted((a, b) -> a.peer().compareTo(b.peer())).toList(), back.members());
  }

  @Test
  void accepted_logInAnyOrderWithDuplicates_encodesTheSame() {
    SpaceState s = space();
    List<SpaceOp> shuffled = new ArrayList<>(s.log());
    shuffled.add(shuffled.get(0));
    Collections.reverse(shuffled);
    JoinResponse a = accepted(s);
    JoinResponse b = JoinResponse.accepted(SPACE, OWNER, new byte[] {9, 9},
        List.of(new ChannelWelcome(channel(1), new byte[] {7})), shuffled,
        List.of(contact(OWNER), contact(ALICE)));
    assertArrayEquals(a.encode(), b.encode());
  }

  @Test
  void refused_roundTripsEachReason() throws Exception {
    for (Refusal reason : Refusal.values()) {
      JoinResponse back = JoinResponse.decode(JoinResponse.refused(SPACE, reason).encode());
      assertFalse(back.isAccepted());
      assertEquals(Optional.of(reason), back.refusal());
      assertEquals(SPACE, back.spaceId());
      assertThrows(IllegalStateException.class, back::spaceWelcome);
      assertThrows(IllegalStateException.class, back::toState);
    }
  }

  @Test
  void accepted_outOfBounds_fails() {
    byte[] w = {1};
    ChannelWelcome c = new ChannelWelcome(channel(1), w);
    assertThrows(IllegalArgumentException.class,
        () -> JoinResponse.accepted(SPACE, OWNER, new byte[0], List.of(), List.of(), List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> JoinResponse.accepted(SPACE, OWNER, w, List.of(c, c), List.of(), List.of()));
    assertThrows(IllegalArgumentException.class, () -> JoinResponse.accepted(SPACE, OWNER, w,
        List.of(), List.of(), List.of(contact(BOB), contact(BOB))));
    SpaceOp foreign = SpaceOp.of(SpaceId.of(SpaceFixtures.filled(1)), OWNER, 1,
        new RenameSpace("x"));
    assertThrows(IllegalArgumentException.class,
        () -> JoinResponse.accepted(SPACE, OWNER, w, List.of(), List.of(foreign), List.of()));
    byte[] big = new byte[SpaceConstants.MAX_WELCOME_BYTES];
    List<ChannelWelcome> bigChannels = List.of(new ChannelWelcome(channel(1), big),
        new ChannelWelcome(channel(2), big), new ChannelWelcome(channel(3), big));
    assertThrows(IllegalArgumentException.class,
        () -> JoinResponse.accepted(SPACE, OWNER, big, bigChannels, List.of(), List.of()));
  }

  @Test
  void decode_requestBytesOrUnknownReason_fail() {
    byte[] refused = JoinResponse.refused(SPACE, Refusal.UNKNOWN).encode();
    byte[] badReason = refused.clone();
    badReason[badReason.length - 1] = 9;
    assertThrows(SpaceDecodeException.class, () -> JoinResponse.decode(badReason));
    byte[] request = refused.clone();
    request[1] = 1;
    assertThrows(SpaceDecodeException.class, () -> JoinResponse.decode(request));
  }

  @Test
  void decode_opsOutOfOrderOrOfAnotherSpace_fail() throws Exception {
    SpaceOp first = op(OWNER, 1, new RenameSpace("a"));
    SpaceOp second = op(OWNER, 2, new RenameSpace("b"));
    byte[] good = JoinResponse.accepted(SPACE, OWNER, new byte[] {1}, List.of(),
        List.of(first, second), List.of()).encode();
    byte[] a = first.encode();
    byte[] b = second.encode();
    assertEquals(a.length, b.length);
    int at = indexOf(good, a);
    byte[] swapped = good.clone();
    System.arraycopy(b, 0, swapped, at, b.length);
    System.arraycopy(a, 0, swapped, at + a.length + 2, a.length);
    assertThrows(SpaceDecodeException.class, () -> JoinResponse.decode(swapped));
    byte[] repeated = good.clone();
    System.arraycopy(a, 0, repeated, at + a.length + 2, a.length);
    assertThrows(SpaceDecodeException.class, () -> JoinResponse.decode(repeated));
    byte[] otherSpace = good.clone();
    otherSpace[2] ^= 1;
    assertThrows(SpaceDecodeException.class, () -> JoinResponse.decode(otherSpace));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  @Property(tries = 300)
  void decode_encode_roundTripsAny(@ForAll("responses") JoinResponse response) throws Exception {
    JoinResponse back = JoinResponse.decode(response.encode());
    assertEquals(response, back);
    assertEquals(response.refusal(), back.refusal());
    assertEquals(response.log(), back.log());
    assertEquals(response.members(), back.members());
    assertEquals(response.channelWelcomes(), back.channelWelcomes());
  }

  @Property(tries = 1000)
  void decode_randomBytes_failsTypedOrIsCanonical(@ForAll @Size(max = 300) byte[] bytes) {
    checkStrict(bytes);
    byte[] prefixed = Arrays.copyOf(new byte[] {1, 2}, bytes.length + 2);
    System.arraycopy(bytes, 0, prefixed, 2, bytes.length);
    checkStrict(prefixed);
  }

  @Property(tries = 1000)
  void decode_mutated_failsTypedOrIsCanonical(@ForAll("responses") JoinResponse response,
      @ForAll @IntRange(min = 0, max = 5000) int at, @ForAll byte value,
      @ForAll boolean truncate) {
    byte[] b = response.encode();
    int i = at % b.length;
    if (truncate) {
      b = Arrays.copyOf(b, i);
    } else {
      b[i] = value;
    }
    checkStrict(b);
  }

  private static void checkStrict(byte[] bytes) {
    JoinResponse r;
    try {
      r = JoinResponse.decode(bytes);
    } catch (SpaceDecodeException e) {
      return;
    }
    assertArrayEquals(bytes, r.encode());
  }

  @Provide
  Arbitrary<JoinResponse> responses() {
    return SpaceArbitraries.joinResponses();
  }
}
