package io.spacepanda.internal.space;

import static io.spacepanda.internal.space.SpaceFixtures.ALICE;
import static io.spacepanda.internal.space.SpaceFixtures.OWNER;
import static io.spacepanda.internal.space.SpaceFixtures.SPACE;
import static io.spacepanda.internal.space.SpaceFixtures.channel;
import static io.spacepanda.internal.space.SpaceFixtures.contact;
import static io.spacepanda.internal.space.SpaceFixtures.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.Role;
import io.spacepanda.internal.space.SpaceOp.CreateChannel;
import io.spacepanda.internal.space.SpaceOp.MemberJoined;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpaceViewTest {

  @Test
  void view_isUnmodifiableAndUnaffectedByLaterOps() {
    SpaceState s = new SpaceState(SPACE, OWNER);
    SpaceView before = s.view();
    assertSame(before, s.view());
    s.apply(op(OWNER, 1, new MemberJoined(contact(ALICE))));
    assertEquals(1, before.members().size());
    assertEquals(2, s.view().members().size());
    assertThrows(UnsupportedOperationException.class,
        () -> s.view().members().put(ALICE, Role.ADMIN));
    assertThrows(UnsupportedOperationException.class, () -> s.view().channels().clear());
    assertEquals(Optional.of(Role.MEMBER), s.view().roleOf(ALICE));
    assertEquals(Optional.empty(), s.view().roleOf(SpaceFixtures.MALLORY));
  }

  @Test
  void equals_dependsOnChannelOrder() {
    SpaceOp a = op(OWNER, 1, new CreateChannel(channel(1), "a", 0));
    SpaceOp b = op(OWNER, 2, new CreateChannel(channel(2), "b", 0));
    SpaceOp a2 = op(OWNER, 2, new CreateChannel(channel(1), "a", 0));
    SpaceOp b1 = op(OWNER, 1, new CreateChannel(channel(2), "b", 0));
    SpaceView ab = SpaceState.of(SPACE, OWNER, List.of(a, b)).view();
    SpaceView ba = SpaceState.of(SPACE, OWNER, List.of(b1, a2)).view();
    assertEquals(ab.channels(), ba.channels());
    assertNotEquals(ab, ba);
    assertEquals(List.of(channel(2), channel(1)), List.copyOf(ba.channels().keySet()));
  }
}
