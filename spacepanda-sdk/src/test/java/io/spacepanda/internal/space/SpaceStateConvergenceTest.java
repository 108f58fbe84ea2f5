package io.spacepanda.internal.space;

import static io.spacepanda.internal.space.SpaceFixtures.MALLORY;
import static io.spacepanda.internal.space.SpaceFixtures.OWNER;
import static io.spacepanda.internal.space.SpaceFixtures.SPACE;
import static io.spacepanda.internal.space.SpaceFixtures.channel;
import static io.spacepanda.internal.space.SpaceFixtures.contact;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.internal.space.SpaceOp.Body;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Properties of {@link SpaceState} over random concurrent histories: replicas that author
 * operations from their own partial views, with random, repeated and late delivery.
 */
class SpaceStateConvergenceTest {

  private static final List<PeerId> PEERS = List.of(OWNER, SpaceFixtures.ALICE,
      SpaceFixtures.BOB, SpaceFixtures.CAROL, SpaceFixtures.peer(6));
  private static final List<String> NAMES = List.of("general", "random", "ops", "日本");

  /** A random concurrent history: every op authored by a replica from its partial view. */
  private static List<SpaceOp> history(Random rnd, int steps) {
    Map<PeerId, SpaceState> replicas = new LinkedHashMap<>();
    for (PeerId p : PEERS) {
      replicas.put(p, new SpaceState(SPACE, OWNER));
    }
    List<SpaceOp> all = new ArrayList<>();
    for (int step = 0; step < steps; step++) {
      PeerId p = step < 4 || rnd.nextInt(100) < 35 ? OWNER : PEERS.get(rnd.nextInt(PEERS.size()));
      SpaceState replica = replicas.get(p);
      // Mostly, a peer writes only once its own view says it is a member, as a node would.
      boolean member = replica.view().members().containsKey(p) || rnd.nextInt(100) < 10;
      if (step < 4 || (member && rnd.nextInt(100) < 50)) {
        SpaceOp op = replica.newOp(p, body(rnd, replica, p, all, step));
        replica.apply(op);
        all.add(op);
      } else {
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n && !all.isEmpty(); i++) {
          replica.apply(all.get(rnd.nextInt(all.size())));
        }
      }
    }
    return all;
  }

  private static Body body(Random rnd, SpaceState s, PeerId author, List<SpaceOp> all, int step) {
    if (step < 4) {
      // Genesis: name, a channel, two members admitted.
      return switch (step) {
        case 0 -> new RenameSpace("Team");
        case 1 -> new CreateChannel(channel(1), "general", 0);
        case 2 -> new MemberJoined(contact(PEERS.get(1)));
        default -> new MemberJoined(contact(PEERS.get(2)));
      };
    }
    List<PeerId> members = List.copyOf(s.view().members().keySet());
    PeerId target = !members.isEmpty() && rnd.nextInt(100) < 70
        ? members.get(rnd.nextInt(members.size()))
        : PEERS.get(rnd.nextInt(PEERS.size()));
    List<ChannelId> live = List.copyOf(s.view().channels().keySet());
    ChannelId ch = !live.isEmpty() && rnd.nextInt(100) < 60
        ? live.get(rnd.nextInt(live.size()))
        : channel(1 + rnd.nextInt(4));
    String name = NAMES.get(rnd.nextInt(NAMES.size())) + rnd.nextInt(3);
    switch (rnd.nextInt(12)) {
      case 0:
        return new CreateChannel(ch, name, 0);
      case 1:
        return new RenameChannel(ch, name);
      case 2:
        return new DeleteChannel(ch);
      case 3: {
        Role[] roles = {Role.MEMBER, Role.ADMIN, Role.ADMIN, Role.OWNER};
        return new SetRole(target, roles[rnd.nextInt(roles.length)]);
      }
      case 4:
        return new MemberJoined(contact(target));
      case 5:
        return s.departureOf(author).map(b -> (Body) b)
            .orElseGet(() -> new MemberLeft(List.of(anyId(rnd, all))));
      case 6:
        return s.removalOf(target).map(b -> (Body) b)
            .orElseGet(() -> new MemberRemoved(target, List.of(anyId(rnd, all))));
      case 7:
        return new RenameSpace(name);
      case 8:
        return new SetRole(target, Role.ADMIN);
      case 10:
        return new SpaceOp.TransferOwnership(target);
      case 9:
        return new UpdateContact(new Contact(author, contact(author).inboxKey(),
            List.of("/ip4/10.0.0." + rnd.nextInt(9) + "/tcp/1")));
      default:
        return new MemberJoined(contact(target));
    }
  }

  private static OpId anyId(Random rnd, List<SpaceOp> all) {
    return all.get(rnd.nextInt(all.size())).id();
  }

  /** The ops in random order, about a fifth of them twice. */
  private static List<SpaceOp> shuffledWithDuplicates(List<SpaceOp> ops, Random rnd) {
    List<SpaceOp> out = new ArrayList<>(ops);
    for (SpaceOp op : ops) {
      if (rnd.nextInt(5) == 0) {
        out.add(op);
      }
    }
    Collections.shuffle(out, rnd);
    return out;
  }

  @Property(tries = 200)
  void anyPermutationWithDuplicates_sameViewOnEveryReplica(@ForAll long seed) {
    Random rnd = new Random(seed);
    List<SpaceOp> ops = history(rnd, 100);
    SpaceView reference = SpaceState.of(SPACE, OWNER, ops).view();
    for (int replica = 0; replica < 3; replica++) {
      SpaceState s = new SpaceState(SPACE, OWNER);
      for (SpaceOp op : shuffledWithDuplicates(ops, rnd)) {
        s.apply(op);
      }
      assertEquals(reference, s.view(), "seed " + seed);
    }
    SpaceState batched = new SpaceState(SPACE, OWNER);
    List<SpaceOp> shuffled = shuffledWithDuplicates(ops, rnd);
    for (int i = 0; i < shuffled.size(); ) {
      int n = 1 + rnd.nextInt(8);
      batched.applyAll(shuffled.subList(i, Math.min(shuffled.size(), i + n)));
      i += n;
    }
    assertEquals(reference, batched.view(), "seed " + seed);
    assertEquals(ops.size(), reference.operationCount());
  }

  @Property(tries = 100)
  void everyEffectiveOp_wasAllowedByRolesAtItsPosition(@ForAll long seed) {
    Random rnd = new Random(seed);
    List<SpaceOp> ops = history(rnd, 80);
    SpaceState full = SpaceState.of(SPACE, OWNER, ops);
    List<SpaceOp> log = full.log();
    for (int i = 0; i < log.size(); i++) {
      SpaceOp op = log.get(i);
      SpaceState before = SpaceState.of(SPACE, OWNER, log.subList(0, i));
      boolean effective = full.isEffective(op.id());
      assertEquals(before.permits(op.author(), op.body()), effective, op + " seed " + seed);
      if (effective) {
        assertAllowedByRoleTable(before.view(), op);
      }
    }
  }

  /** The rights of {@link Role}, restated independently of {@link SpaceState}'s code. */
  private static void assertAllowedByRoleTable(SpaceView before, SpaceOp op) {
    Role role = before.roleOf(op.author()).orElse(null);
    Body body = op.body();
    String what = op.toString();
    assertTrue(role != null, "non-member authored an effective op: " + what);
    if (role == Role.MEMBER) {
      // the founder announces its own contact (its implicit join) whatever its role now
      boolean foundersOwnContact = body instanceof MemberJoined mj
          && mj.contact().peer().equals(OWNER) && op.author().equals(OWNER);
      assertTrue(body instanceof MemberLeft || body instanceof UpdateContact
          || foundersOwnContact, what);
    }
    if (body instanceof SetRole b) {
      assertTrue(b.role() != Role.OWNER
          && before.roleOf(b.member()).orElse(null) != Role.OWNER, what);
      if (role == Role.ADMIN) {
        assertTrue(b.member().equals(op.author())
            || before.roleOf(b.member()).orElseThrow() == Role.MEMBER, what);
      }
    }
    if (body instanceof MemberRemoved b) {
      assertTrue(before.roleOf(b.member()).orElse(null) != Role.OWNER, what);
      if (role == Role.ADMIN) {
        assertEquals(Role.MEMBER, before.roleOf(b.member()).orElseThrow(), what);
      }
    }
    if (body instanceof SpaceOp.TransferOwnership b) {
      assertEquals(Role.OWNER, role, what);
    }
  }

  @Property(tries = 200)
  void opsOfNonMembers_neverTakeEffect(@ForAll long seed) {
    Random rnd = new Random(seed);
    List<SpaceOp> ops = history(rnd, 80);
    SpaceView honest = SpaceState.of(SPACE, OWNER, ops).view();
    List<SpaceOp> withOutsider = new ArrayList<>(ops);
    int added = 0;
    for (int i = 0; i < 10; i++) {
      long lamport = 1 + rnd.nextInt((int) honest.lamport());
      Body body = body(rnd, new SpaceState(SPACE, OWNER), MALLORY, ops, 4 + i);
      SpaceOp op = SpaceOp.of(SPACE, MALLORY, lamport, body);
      if (!withOutsider.contains(op)) {
        withOutsider.add(op);
        added++;
      }
    }
    Collections.shuffle(withOutsider, rnd);
    SpaceView attacked = SpaceState.of(SPACE, OWNER, withOutsider).view();
    assertEquals(honest.name(), attacked.name());
    assertEquals(List.copyOf(honest.channels().values()),
        List.copyOf(attacked.channels().values()));
    assertEquals(honest.members(), attacked.members());
    assertEquals(honest.contacts(), attacked.contacts());
    assertEquals(honest.lamport(), attacked.lamport());
    assertEquals(honest.rejectedCount() + added, attacked.rejectedCount());
  }

  @Property(tries = 100)
  void replicasOfTheHistory_convergeAfterFullDelivery(@ForAll long seed) {
    Random rnd = new Random(seed);
    List<SpaceOp> ops = history(rnd, 100);
    SpaceState a = new SpaceState(SPACE, OWNER);
    SpaceState b = new SpaceState(SPACE, OWNER);
    List<SpaceOp> first = new ArrayList<>(ops.subList(0, ops.size() / 2));
    Collections.shuffle(first, rnd);
    first.forEach(a::apply);
    shuffledWithDuplicates(ops, rnd).forEach(a::apply);
    List<SpaceOp> reversed = new ArrayList<>(ops);
    Collections.reverse(reversed);
    reversed.forEach(b::apply);
    assertEquals(a.view(), b.view(), "seed " + seed);
    assertEquals(a.log(), b.log());
  }
}
