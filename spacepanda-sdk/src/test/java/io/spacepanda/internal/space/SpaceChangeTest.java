package io.spacepanda.internal.space;

import static io.spacepanda.internal.space.SpaceFixtures.ALICE;
import static io.spacepanda.internal.space.SpaceFixtures.BOB;
import static io.spacepanda.internal.space.SpaceFixtures.OWNER;
import static io.spacepanda.internal.space.SpaceFixtures.SPACE;
import static io.spacepanda.internal.space.SpaceFixtures.channel;
import static io.spacepanda.internal.space.SpaceFixtures.contact;
import static io.spacepanda.internal.space.SpaceFixtures.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.Role;
import io.spacepanda.internal.space.SpaceChange.ChannelCreated;
import io.spacepanda.internal.space.SpaceChange.ChannelDeleted;
import io.spacepanda.internal.space.SpaceChange.ChannelRenamed;
import io.spacepanda.internal.space.SpaceChange.ContactChanged;
import io.spacepanda.internal.space.SpaceChange.MemberAdded;
import io.spacepanda.internal.space.SpaceChange.MemberGone;
import io.spacepanda.internal.space.SpaceChange.RoleChanged;
import io.spacepanda.internal.space.SpaceChange.SpaceRenamed;
import io.spacepanda.internal.space.SpaceOp.CreateChannel;
import io.spacepanda.internal.space.SpaceOp.MemberJoined;
import io.spacepanda.internal.space.SpaceOp.RenameChannel;
import io.spacepanda.internal.space.SpaceOp.RenameSpace;
import io.spacepanda.internal.space.SpaceOp.SetRole;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpaceChangeTest {

  @Test
  void between_listsEveryKindOfChange() {
    SpaceState s = new SpaceState(SPACE, OWNER);
    s.apply(op(OWNER, 1, new CreateChannel(channel(1), "general", 0)));
    s.apply(op(OWNER, 2, new CreateChannel(channel(2), "old", 0)));
    s.apply(op(OWNER, 3, new MemberJoined(contact(ALICE))));
    s.apply(op(OWNER, 4, new MemberJoined(contact(BOB))));
    SpaceView before = s.view();
    s.apply(op(OWNER, 5, new RenameSpace("Team")));
    s.apply(op(OWNER, 6, new RenameChannel(channel(1), "main")));
    s.apply(op(OWNER, 7, new SpaceOp.DeleteChannel(channel(2))));
    s.apply(op(OWNER, 8, new CreateChannel(channel(3), "new", 0)));
    s.apply(op(OWNER, 9, new SetRole(ALICE, Role.ADMIN)));
    s.apply(op(OWNER, 10, s.removalOf(BOB).orElseThrow()));
    s.apply(op(OWNER, 11, new MemberJoined(contact(OWNER))));
    SpaceView after = s.view();
    ChannelInfo main = after.channels().get(channel(1));
    assertEquals(List.of(
            new SpaceRenamed("Team"),
            new ChannelRenamed(main, "general"),
            new ChannelCreated(after.channels().get(channel(3))),
            new ChannelDeleted(before.channels().get(channel(2))),
            new RoleChanged(ALICE, Role.MEMBER, Role.ADMIN),
            new MemberGone(BOB),
            new ContactChanged(contact(OWNER))),
        SpaceChange.between(before, after));
  }

  @Test
  void between_sameView_isEmpty_andOtherSpace_fails() {
    SpaceView v = new SpaceState(SPACE, OWNER).view();
    assertEquals(List.of(), SpaceChange.between(v, v));
    SpaceView other = new SpaceState(SpaceId.of(SpaceFixtures.filled(1)), OWNER).view();
    assertThrows(IllegalArgumentException.class, () -> SpaceChange.between(v, other));
  }

  @Test
  void between_joinedMember_isAddedWithContact() {
    SpaceState s = new SpaceState(SPACE, OWNER);
    SpaceView before = s.view();
    s.apply(op(OWNER, 1, new MemberJoined(contact(ALICE))));
    assertEquals(List.of(new MemberAdded(ALICE, Role.MEMBER), new ContactChanged(contact(ALICE))),
        SpaceChange.between(before, s.view()));
  }
}
