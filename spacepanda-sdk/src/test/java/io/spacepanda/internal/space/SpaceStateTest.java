package io.spacepanda.internal.space;

import static io.spacepanda.internal.space.SpaceFixtures.ALICE;
import static io.spacepanda.internal.space.SpaceFixtures.BOB;
import static io.spacepanda.internal.space.SpaceFixtures.CAROL;
import static io.spacepanda.internal.space.SpaceFixtures.MALLORY;
import static io.spacepanda.internal.space.SpaceFixtures.OWNER;
import static io.spacepanda.internal.space.SpaceFixtures.SPACE;
import static io.spacepanda.internal.space.SpaceFixtures.channel;
import static io.spacepanda.internal.space.SpaceFixtures.contact;
import static io.spacepanda.internal.space.SpaceFixtures.op;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.Role;
import io.spacepanda.internal.space.SpaceOp.CreateChannel;
import io.spacepanda.internal.space.SpaceOp.DeleteChannel;
import io.spacepanda.internal.space.SpaceOp.MemberJoined;
import io.spacepanda.internal.space.SpaceOp.MemberLeft;
import io.spacepanda.internal.space.SpaceOp.MemberRemoved;
import io.spacepanda.internal.space.SpaceOp.RenameChannel;
import io.spacepanda.internal.space.SpaceOp.RenameSpace;
import io.spacepanda.internal.space.SpaceOp.SetRole;
import io.spacepanda.internal.space.SpaceOp.UpdateContact;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpaceStateTest {

  private final SpaceState state = new SpaceState(SPACE, OWNER);

  /** Applies the owner's genesis: name, channel 1, Alice and Bob admitted. Lamport 1..4. */
  private SpaceOp aliceJoin;
  private SpaceOp bobJoin;

  private void genesis() {
    state.apply(op(OWNER, 1, new RenameSpace("Team")));
    state.apply(op(OWNER, 2, new CreateChannel(channel(1), "general", 0)));
    aliceJoin = op(OWNER, 3, new MemberJoined(contact(ALICE)));
    bobJoin = op(OWNER, 4, new MemberJoined(contact(BOB)));
    state.apply(aliceJoin);
    state.apply(bobJoin);
  }

  private SpaceOp applied(SpaceOp op) {
    state.apply(op);
    return op;
  }

  private String channelName(int n) {
    return state.view().channels().get(channel(n)).name();
  }

  @Test
  void newState_ownerIsOnlyMemberAndOwner() {
    assertEquals(java.util.Map.of(OWNER, Role.OWNER), state.view().members());
    assertEquals(Optional.empty(), state.view().name());
    assertEquals(1, state.nextLamport());
  }

  @Test
  void genesis_namesSpaceCreatesChannelAdmitsMembers() {
    genesis();
    assertEquals(Optional.of("Team"), state.view().name());
    assertEquals(List.of(channel(1)), List.copyOf(state.view().channels().keySet()));
    assertEquals(Role.MEMBER, state.view().members().get(ALICE));
    assertEquals(contact(BOB), state.view().contacts().get(BOB));
    assertEquals(0, state.view().rejectedCount());
    assertEquals(5, state.nextLamport());
  }

  @Test
  void apply_sameOpTwice_isDuplicateAndChangesNothing() {
    genesis();
    SpaceView before = state.view();
    assertEquals(SpaceState.Outcome.DUPLICATE, state.apply(aliceJoin));
    assertEquals(before, state.view());
  }

  @Test
  void apply_opOfOtherSpace_fails() {
    SpaceOp foreign = SpaceOp.of(SpaceId.of(SpaceFixtures.filled(1)), OWNER, 1, new RenameSpace("x"));
    assertThrows(IllegalArgumentException.class, () -> state.apply(foreign));
  }

  @Test
  void createChannel_byMember_isRejectedAndCounted() {
    genesis();
    SpaceOp op = applied(op(ALICE, 5, new CreateChannel(channel(2), "random", 0)));
    assertFalse(state.view().channels().containsKey(channel(2)));
    assertFalse(state.isEffective(op.id()));
    assertEquals(1, state.view().rejectedCount());
  }

  @Test
  void anyOp_byNonMember_isRejected() {
    genesis();
    applied(op(MALLORY, 5, new CreateChannel(channel(2), "spam", 0)));
    applied(op(MALLORY, 6, new MemberJoined(contact(CAROL))));
    applied(op(MALLORY, 7, new UpdateContact(contact(MALLORY))));
    assertEquals(3, state.view().rejectedCount());
    assertFalse(state.view().members().containsKey(CAROL));
    assertFalse(state.view().contacts().containsKey(MALLORY));
  }

  @Test
  void renameChannel_sameLamport_higherPeerIdWinsInEitherOrder() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    applied(op(OWNER, 6, new SetRole(BOB, Role.ADMIN)));
    SpaceOp byAlice = op(ALICE, 7, new RenameChannel(channel(1), "by-alice"));
    SpaceOp byBob = op(BOB, 7, new RenameChannel(channel(1), "by-bob"));
    String winner = ALICE.compareTo(BOB) > 0 ? "by-alice" : "by-bob";
    SpaceState other = SpaceState.of(SPACE, OWNER, state.log());
    state.apply(byAlice);
    state.apply(byBob);
    other.apply(byBob);
    other.apply(byAlice);
    assertEquals(winner, channelName(1));
    assertEquals(state.view(), other.view());
  }

  @Test
  void renameChannel_higherLamportWinsEvenWhenItArrivesFirst() {
    genesis();
    state.apply(op(OWNER, 6, new RenameChannel(channel(1), "later")));
    state.apply(op(OWNER, 5, new RenameChannel(channel(1), "earlier")));
    assertEquals("later", channelName(1));
  }

  @Test
  void admin_mayCreateRenameDeleteChannelsAndRenameSpace() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    applied(op(ALICE, 6, new CreateChannel(channel(2), "random", 0)));
    applied(op(ALICE, 7, new RenameChannel(channel(1), "main")));
    applied(op(ALICE, 8, new DeleteChannel(channel(2))));
    applied(op(ALICE, 9, new RenameSpace("Crew")));
    assertEquals(0, state.view().rejectedCount());
    assertEquals(List.of(channel(1)), List.copyOf(state.view().channels().keySet()));
    assertEquals("main", channelName(1));
    assertEquals(Optional.of("Crew"), state.view().name());
  }

  @Test
  void admin_mayPromoteMemberButNotDemoteOtherAdmin() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    applied(op(ALICE, 6, new SetRole(BOB, Role.ADMIN)));
    assertEquals(Role.ADMIN, state.view().members().get(BOB));
    SpaceOp demote = applied(op(ALICE, 7, new SetRole(BOB, Role.MEMBER)));
    assertFalse(state.isEffective(demote.id()));
    assertEquals(Role.ADMIN, state.view().members().get(BOB));
  }

  @Test
  void admin_mayStepDownItself() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    SpaceOp stepDown = applied(op(ALICE, 6, new SetRole(ALICE, Role.MEMBER)));
    assertTrue(state.isEffective(stepDown.id()));
    assertEquals(Role.MEMBER, state.view().members().get(ALICE));
  }

  @Test
  void member_mayNotSetRoles() {
    genesis();
    SpaceOp selfPromote = applied(op(ALICE, 5, new SetRole(ALICE, Role.ADMIN)));
    assertFalse(state.isEffective(selfPromote.id()));
    assertEquals(Role.MEMBER, state.view().members().get(ALICE));
  }

  @Test
  void owner_cannotBeDemotedOrRemoved_andNobodyBecomesOwnerBySetRole() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    SpaceOp makeOwner = applied(op(OWNER, 6, new SetRole(ALICE, Role.OWNER)));
    SpaceOp demoteOwner = applied(op(OWNER, 7, new SetRole(OWNER, Role.MEMBER)));
    SpaceOp removeOwner = applied(op(ALICE, 8, new MemberRemoved(OWNER,
        List.of(SpaceState.founderTag(SPACE)))));
    SpaceOp aliceTransfers = applied(op(ALICE, 9, new SpaceOp.TransferOwnership(ALICE)));
    for (SpaceOp op : List.of(makeOwner, demoteOwner, removeOwner, aliceTransfers)) {
      assertFalse(state.isEffective(op.id()), op.toString());
    }
    assertEquals(Role.OWNER, state.view().members().get(OWNER));
    assertEquals(Role.ADMIN, state.view().members().get(ALICE));
    assertEquals(Optional.empty(), state.removalOf(OWNER));
  }

  @Test
  void owner_transfersThenTheFormerOwnerIsAnAdmin_andTheNewOwnerCannotBeRemoved() {
    genesis();
    SpaceOp transfer = applied(op(OWNER, 5, new SpaceOp.TransferOwnership(ALICE)));
    assertTrue(state.isEffective(transfer.id()));
    assertEquals(Role.OWNER, state.view().members().get(ALICE));
    assertEquals(Role.ADMIN, state.view().members().get(OWNER));
    assertEquals(ALICE, state.view().owner());
    SpaceOp removeNew = applied(op(OWNER, 6, new MemberRemoved(ALICE, List.of(aliceJoin.id()))));
    assertFalse(state.isEffective(removeNew.id()));
    assertEquals(io.spacepanda.SpaceGovernance.OWNED, state.view().governance());
  }

  @Test
  void owner_leaves_theSpaceHasNoOwnerForGood_andAdminsKeepManaging() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    SpaceOp wrongTag = applied(op(OWNER, 6, new MemberLeft(List.of(aliceJoin.id()))));
    assertEquals(Role.OWNER, state.view().members().get(OWNER), "a leave of no own join");
    SpaceOp leaves = applied(op(OWNER, 7, state.departureOf(OWNER).orElseThrow()));
    assertTrue(state.isEffective(leaves.id()));
    assertFalse(state.view().members().containsKey(OWNER));
    assertEquals(null, state.view().owner());
    assertEquals(OWNER, state.lastOwner());
    assertEquals(io.spacepanda.SpaceGovernance.ADMINS_ONLY, state.view().governance());
    assertTrue(state.permits(ALICE, new CreateChannel(channel(5), "x", 0)));
    SpaceOp demoteSelf = applied(op(ALICE, 8, new SetRole(ALICE, Role.MEMBER)));
    assertTrue(state.isEffective(demoteSelf.id()));
    assertEquals(io.spacepanda.SpaceGovernance.UNMANAGED, state.view().governance());
    assertFalse(state.permits(ALICE, new CreateChannel(channel(6), "y", 0)));
    assertTrue(wrongTag != null);
  }

  @Test
  void admin_mayRemoveMemberButNotAdmin() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    applied(op(ALICE, 6, new MemberRemoved(BOB, List.of(bobJoin.id()))));
    assertFalse(state.view().members().containsKey(BOB));
    assertFalse(state.view().contacts().containsKey(BOB));
    applied(op(OWNER, 7, new SetRole(ALICE, Role.ADMIN)));
    SpaceOp carolJoin = applied(op(OWNER, 8, new MemberJoined(contact(CAROL))));
    applied(op(OWNER, 9, new SetRole(CAROL, Role.ADMIN)));
    SpaceOp removeAdmin = applied(op(ALICE, 10, new MemberRemoved(CAROL, List.of(carolJoin.id()))));
    assertFalse(state.isEffective(removeAdmin.id()));
    assertTrue(state.view().members().containsKey(CAROL));
  }

  @Test
  void member_mayLeaveButNotRemoveOthers() {
    genesis();
    SpaceOp removeBob = applied(op(ALICE, 5, new MemberRemoved(BOB, List.of(bobJoin.id()))));
    assertFalse(state.isEffective(removeBob.id()));
    applied(op(ALICE, 6, state.departureOf(ALICE).orElseThrow()));
    assertEquals(Set.of(OWNER, BOB), state.view().members().keySet());
  }

  @Test
  void removedMember_laterOpsAreRejected() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    applied(op(OWNER, 6, state.removalOf(ALICE).orElseThrow()));
    SpaceOp afterRemoval = applied(op(ALICE, 7, new RenameChannel(channel(1), "mine")));
    assertFalse(state.isEffective(afterRemoval.id()));
    assertEquals("general", channelName(1));
  }

  @Test
  void rejoin_concurrentWithRemoval_addWinsInEitherOrder() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    // Alice re-admits Bob (a second join tag) while the owner, not having seen it, removes the join
    // it knows. Whichever sorts first, Bob stays, as a MEMBER.
    SpaceOp readmit = op(ALICE, 6, new MemberJoined(contact(BOB)));
    SpaceOp remove = op(OWNER, 6, new MemberRemoved(BOB, List.of(bobJoin.id())));
    SpaceOp removeLater = op(OWNER, 7, new MemberRemoved(BOB, List.of(bobJoin.id())));
    for (SpaceOp removal : List.of(remove, removeLater)) {
      SpaceState s = SpaceState.of(SPACE, OWNER, state.log());
      s.apply(removal);
      s.apply(readmit);
      assertEquals(Role.MEMBER, s.view().members().get(BOB), removal.toString());
    }
  }

  @Test
  void removal_thatSawTheRejoin_removes() {
    genesis();
    SpaceOp readmit = applied(op(OWNER, 5, new MemberJoined(contact(BOB))));
    applied(op(OWNER, 6, state.removalOf(BOB).orElseThrow()));
    assertFalse(state.view().members().containsKey(BOB));
    assertEquals(List.of(bobJoin.id(), readmit.id()).stream().sorted().toList(),
        ((MemberRemoved) state.log().get(state.log().size() - 1).body()).observedJoins());
  }

  @Test
  void removal_resetsRoleOfMemberKeptByConcurrentJoin() {
    genesis();
    applied(op(OWNER, 5, new SetRole(BOB, Role.ADMIN)));
    applied(op(OWNER, 6, new MemberJoined(contact(BOB))));
    applied(op(OWNER, 7, new MemberRemoved(BOB, List.of(bobJoin.id()))));
    assertEquals(Role.MEMBER, state.view().members().get(BOB));
  }

  @Test
  void rejoinAfterRemoval_comesBackAsMember() {
    genesis();
    applied(op(OWNER, 5, new SetRole(BOB, Role.ADMIN)));
    applied(op(OWNER, 6, state.removalOf(BOB).orElseThrow()));
    applied(op(OWNER, 7, new MemberJoined(contact(BOB))));
    assertEquals(Role.MEMBER, state.view().members().get(BOB));
  }

  @Test
  void lateDemotion_cancelsLaterOpsOfDemotedAdmin() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    SpaceOp create = applied(op(ALICE, 6, new CreateChannel(channel(2), "random", 0)));
    assertTrue(state.isEffective(create.id()));
    // The owner's concurrent demotion has the same clock and the smaller PeerId, so it sorts
    // before Alice's op: it arrives late and still wins.
    assertTrue(OWNER.compareTo(ALICE) < 0);
    applied(op(OWNER, 6, new SetRole(ALICE, Role.MEMBER)));
    assertFalse(state.isEffective(create.id()));
    assertFalse(state.view().channels().containsKey(channel(2)));
  }

  @Test
  void deletedChannel_staysDeleted_renameAndRecreateRejected() {
    genesis();
    applied(op(OWNER, 5, new DeleteChannel(channel(1))));
    SpaceOp rename = applied(op(OWNER, 6, new RenameChannel(channel(1), "back")));
    SpaceOp recreate = applied(op(OWNER, 7, new CreateChannel(channel(1), "again", 0)));
    assertFalse(state.isEffective(rename.id()));
    assertFalse(state.isEffective(recreate.id()));
    assertTrue(state.view().channels().isEmpty());
  }

  @Test
  void concurrentRenameAndDelete_deleteWinsInEitherOrder() {
    genesis();
    SpaceOp rename = op(OWNER, 5, new RenameChannel(channel(1), "x"));
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    SpaceOp delete = op(ALICE, 6, new DeleteChannel(channel(1)));
    SpaceOp renameAfter = op(OWNER, 7, new RenameChannel(channel(1), "y"));
    for (List<SpaceOp> order : List.of(List.of(rename, delete, renameAfter),
        List.of(renameAfter, delete, rename))) {
      SpaceState s = SpaceState.of(SPACE, OWNER, state.log());
      order.forEach(s::apply);
      assertTrue(s.view().channels().isEmpty());
    }
  }

  @Test
  void lamportJump_isRejected_andDoesNotAdvanceClock() {
    genesis();
    SpaceOp jump = applied(op(OWNER, 1_000_000, new RenameSpace("far")));
    assertFalse(state.isEffective(jump.id()));
    assertEquals(Optional.of("Team"), state.view().name());
    assertEquals(5, state.nextLamport());
  }

  @Test
  void lateOperation_listsTheOnesThatWaitedForIt_asNewlyEffective() {
    genesis();
    // The owner admits Carol (Lamport 5), then creates a channel (6); a member gets the channel
    // first: it waits on the gap, and takes effect once the admission arrives.
    SpaceOp carolJoin = op(OWNER, 5, new MemberJoined(contact(CAROL)));
    SpaceOp create = applied(op(OWNER, 6, new CreateChannel(channel(2), "design", 0)));
    assertFalse(state.isEffective(create.id()));
    assertEquals(List.of(), state.lastNewlyEffective());

    state.apply(carolJoin);

    assertTrue(state.isEffective(create.id()));
    assertTrue(state.isEffective(carolJoin.id()));
    assertEquals(List.of(create), state.lastNewlyEffective());
    assertTrue(state.view().channels().containsKey(channel(2)));
    SpaceOp rename = applied(op(OWNER, 7, new RenameChannel(channel(2), "designs")));
    assertTrue(state.isEffective(rename.id()));
    assertEquals(List.of(), state.lastNewlyEffective(), "an in-order apply makes nothing late");
  }

  @Test
  void lateOperation_thatChangesNothingElse_listsNothing() {
    genesis();
    SpaceOp rename = op(OWNER, 5, new RenameSpace("Team 2"));
    applied(op(OWNER, 6, new RenameSpace("Team 3")));
    assertEquals(1, state.view().rejectedCount());
    state.apply(rename);
    // the refused later rename becomes effective: it is listed even though it was refused
    assertEquals(1, state.lastNewlyEffective().size());
    SpaceOp dup = op(OWNER, 4, new MemberJoined(contact(BOB)));
    state.apply(dup);
    assertEquals(List.of(), state.lastNewlyEffective(), "a duplicate changes nothing");
  }

  @Test
  void updateContact_replacesOwnContact() {
    genesis();
    Contact moved = new Contact(ALICE, contact(ALICE).inboxKey(), List.of("/ip4/10.0.0.9/tcp/1"));
    applied(op(ALICE, 5, new UpdateContact(moved)));
    assertEquals(moved, state.view().contacts().get(ALICE));
  }

  @Test
  void ownerContact_setOnlyByOwner() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    SpaceOp byAdmin = applied(op(ALICE, 6, new MemberJoined(contact(OWNER))));
    assertFalse(state.isEffective(byAdmin.id()));
    applied(op(OWNER, 7, new MemberJoined(contact(OWNER))));
    assertEquals(contact(OWNER), state.view().contacts().get(OWNER));
  }

  @Test
  void permits_tellsWhetherOpWouldTakeEffect() {
    genesis();
    CreateChannel create = new CreateChannel(channel(3), "x", 0);
    assertTrue(state.permits(OWNER, create));
    assertFalse(state.permits(ALICE, create));
    assertFalse(state.permits(MALLORY, create));
    assertEquals(Optional.empty(), state.removalOf(OWNER));
    assertEquals(Optional.empty(), state.departureOf(MALLORY));
  }

  @Test
  void newOp_usesNextLamportAndTakesEffect() {
    genesis();
    SpaceOp op = state.newOp(OWNER, new RenameSpace("Next"));
    assertEquals(5, op.lamport());
    state.apply(op);
    assertEquals(Optional.of("Next"), state.view().name());
  }

  @Test
  void of_anyArrivalOrder_sameView() {
    genesis();
    applied(op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)));
    applied(op(ALICE, 6, new CreateChannel(channel(2), "random", 0)));
    applied(op(BOB, 7, new RenameChannel(channel(2), "nope")));
    List<SpaceOp> ops = new ArrayList<>(state.log());
    Collections.reverse(ops);
    SpaceState reversed = new SpaceState(SPACE, OWNER);
    ops.forEach(reversed::apply);
    assertEquals(state.view(), reversed.view());
    assertEquals(1, reversed.view().rejectedCount());
  }

  @Test
  void applyAll_batchInAnyOrder_sameAsOneByOne() {
    genesis();
    List<SpaceOp> batch = List.of(
        op(OWNER, 7, new RenameChannel(channel(1), "seven")),
        op(OWNER, 5, new SetRole(ALICE, Role.ADMIN)),
        op(ALICE, 6, new CreateChannel(channel(2), "random", 0)),
        aliceJoin);
    SpaceState oneByOne = SpaceState.of(SPACE, OWNER, state.log());
    batch.forEach(oneByOne::apply);
    assertEquals(3, state.applyAll(batch));
    assertEquals(oneByOne.view(), state.view());
    assertEquals(0, state.applyAll(batch));
  }

  @Test
  void applyAll_withForeignOp_addsNothing() {
    genesis();
    SpaceOp foreign = SpaceOp.of(SpaceId.of(SpaceFixtures.filled(1)), OWNER, 5,
        new RenameSpace("x"));
    SpaceOp mine = op(OWNER, 5, new RenameSpace("y"));
    assertThrows(IllegalArgumentException.class, () -> state.applyAll(List.of(mine, foreign)));
    assertFalse(state.contains(mine.id()));
  }

  @Test
  void invites_issuedByManagers_redeemedOnce_forEveryone() {
    genesis();
    byte[] id = SpaceFixtures.filled(7);
    byte[] invite = java.util.Arrays.copyOf(id, 32);
    // A plain member cannot issue; the owner can, once per id.
    SpaceOp byMember = applied(op(ALICE, 5, new SpaceOp.IssueInvite(invite, 1000)));
    assertFalse(state.isEffective(byMember.id()));
    assertTrue(state.invite(invite).isEmpty());
    applied(op(OWNER, 6, new SpaceOp.IssueInvite(invite, 1000)));
    SpaceOp again = applied(op(OWNER, 7, new SpaceOp.IssueInvite(invite, 2000)));
    assertFalse(state.isEffective(again.id()));
    assertEquals(OWNER, state.invite(invite).orElseThrow().issuer());
    assertEquals(1000, state.invite(invite).orElseThrow().expiresAtSeconds());
    assertTrue(state.invite(invite).orElseThrow().isExpired(java.time.Instant.ofEpochSecond(1000)));
    assertFalse(state.invite(invite).orElseThrow().isExpired(java.time.Instant.ofEpochSecond(999)));

    // A plain member cannot redeem; an admin can, once; a second redemption has no effect.
    SpaceOp memberRedeem = applied(op(ALICE, 8, new SpaceOp.RedeemInvite(invite, CAROL)));
    assertFalse(state.isEffective(memberRedeem.id()));
    applied(op(OWNER, 9, new SetRole(BOB, Role.ADMIN)));
    SpaceOp redeem = applied(op(BOB, 10, new SpaceOp.RedeemInvite(invite, CAROL)));
    assertTrue(state.isEffective(redeem.id()));
    SpaceOp second = applied(op(OWNER, 11, new SpaceOp.RedeemInvite(invite, MALLORY)));
    assertFalse(state.isEffective(second.id()));
    assertEquals(CAROL, state.invite(invite).orElseThrow().redeemedBy());

    // Unknown invites cannot be redeemed; the same set in any order gives the same invites.
    byte[] unknown = java.util.Arrays.copyOf(SpaceFixtures.filled(8), 32);
    assertFalse(state.isEffective(applied(op(OWNER, 12, new SpaceOp.RedeemInvite(unknown, CAROL))).id()));
    List<SpaceOp> shuffled = new ArrayList<>(state.log());
    Collections.reverse(shuffled);
    SpaceState other = SpaceState.of(SPACE, OWNER, shuffled);
    assertEquals(state.invite(invite), other.invite(invite));
  }
}
