package io.spacepanda.internal.mls.group;

import static io.spacepanda.internal.mls.group.GroupFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsException;
import io.spacepanda.internal.mls.group.GroupFixtures.Client;
import io.spacepanda.internal.mls.message.MlsMessage;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random histories of adds, removes, self-updates, saves and messages: all members always share
 * the epoch authenticator, and every message decrypts for exactly the members of its epoch.
 */
class GroupConvergencePropertyTest {

  /** One step of a history; {@code pick} chooses a member where one is needed. */
  record Step(int kind, int pick) {}

  @Provide
  Arbitrary<List<Step>> histories() {
    return Arbitraries.integers().between(0, 6).flatMap(kind ->
        Arbitraries.integers().between(0, 1000).map(pick -> new Step(kind, pick)))
        .list().ofMinSize(1).ofMaxSize(20);
  }

  @Property(tries = 40)
  void randomHistory_membersConverge_andMessagesReachExactlyTheMembers(
      @ForAll("histories") List<Step> steps, @ForAll long seed) throws MlsException {
    MlsConfig config = GroupFixtures.config(seed);
    Group owner = Client.named("owner", config).create("prop");
    List<Group> members = new ArrayList<>(List.of(owner));
    List<String> names = new ArrayList<>(List.of("owner"));
    List<Group> removed = new ArrayList<>();
    List<Held> held = new ArrayList<>();
    int counter = 0;
    for (Step s : steps) {
      switch (s.kind()) {
        case 0: { // add one member in a commit
          String name = "m" + counter++;
          KeyPackageBundle kp = Client.named(name, config).keyPackage();
          CommitResult r = owner.commit(CommitOptions.builder().add(kp.keyPackage()).build());
          applyCommit(owner, members, r);
          members.add(Group.joinFromWelcome(config, r.welcomeOrNull(), kp, null,
              PskLookup.NONE));
          names.add(name);
          break;
        }
        case 1: { // remove a member other than the owner
          if (members.size() < 2) {
            break;
          }
          Group victim = members.get(1 + s.pick() % (members.size() - 1));
          CommitResult r = owner.commit(CommitOptions.builder()
              .remove(victim.ownLeafIndex()).build());
          names.remove(members.indexOf(victim));
          members.remove(victim);
          applyCommit(owner, members, r);
          ProcessedMessage.CommitApplied out = (ProcessedMessage.CommitApplied)
              victim.process(r.commit());
          assertTrue(out.selfRemoved());
          removed.add(victim);
          break;
        }
        case 2: { // a member proposes a self-update, the owner commits it
          Group who = members.get(s.pick() % members.size());
          if (who == owner) {
            CommitResult r = owner.commit(CommitOptions.builder().forcePath(true).build());
            applyCommit(owner, members, r);
            break;
          }
          MlsMessage p = who.proposeUpdate();
          for (Group m : members) {
            if (m != who) {
              m.process(p);
            }
          }
          applyCommit(owner, members, owner.commit(CommitOptions.defaults()));
          break;
        }
        case 3: { // save and restore a member
          int i = s.pick() % members.size();
          Group g = members.get(i);
          Group restored = Group.fromBytes(config, g.toBytes());
          if (g == owner) {
            owner = restored;
          }
          members.set(i, restored);
          break;
        }
        case 5: { // a message whose delivery is delayed
          int i = s.pick() % members.size();
          MlsMessage m = members.get(i).protect(utf8("held"), new byte[0]);
          List<String> receivers = new ArrayList<>(names);
          receivers.remove(i);
          held.add(new Held(m, owner.epoch(), receivers));
          break;
        }
        case 6: { // delayed messages arrive: exactly the members of their epoch read them
          for (Held h : held) {
            boolean retained = owner.epoch() - h.epoch() <= config.pastEpochsRetained();
            for (int i = 0; i < members.size(); i++) {
              Group g = members.get(i);
              if (retained && h.receivers().contains(names.get(i))) {
                assertInstanceOf(ProcessedMessage.ApplicationMessage.class, g.process(h.m()));
              } else {
                assertThrows(MlsException.class, () -> g.process(h.m()));
              }
            }
          }
          held.clear();
          break;
        }
        default: { // a message from one member to all
          Group from = members.get(s.pick() % members.size());
          MlsMessage m = from.protect(utf8("msg"), new byte[0]);
          for (Group g : members) {
            if (g != from) {
              assertInstanceOf(ProcessedMessage.ApplicationMessage.class, g.process(m));
            }
          }
          for (Group r : removed) {
            assertThrows(MlsException.class, () -> r.process(m));
          }
          break;
        }
      }
      for (Group g : members) {
        assertArrayEquals(owner.epochAuthenticator(), g.epochAuthenticator());
        assertEquals(owner.members(), g.members());
      }
    }
  }

  /** A message held back, with its epoch and the members who may read it. */
  record Held(MlsMessage m, long epoch, List<String> receivers) {}

  private static void applyCommit(Group owner, List<Group> members, CommitResult r)
      throws MlsException {
    owner.mergePendingCommit();
    for (Group m : members) {
      if (m != owner) {
        assertInstanceOf(ProcessedMessage.CommitApplied.class, m.process(r.commit()));
      }
    }
  }
}
