package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.crypto.SecretBytes;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.InviteCode;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Signed invite codes (version 4, issue 11): the owner makes an invite and goes away for good
 * before its announcement ({@code issue_invite}) reaches anyone; the fallback admin the code lists
 * checks the owner's signature, admits the newcomer at its turn, and publishes the invite's issue
 * and redemption itself, so the code is then used for everyone. Forged codes are refused with a
 * typed error that reaches the joiner.
 */
class SignedInviteTest {

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp(TestInfo info) {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed);
    System.out.println(info.getDisplayName() + " seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private Space spaceOf(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow();
  }

  private Channel general(SimCluster.Node n, Space s) {
    return spaceOf(n, s).channel("general").orElseThrow();
  }

  private static Set<PeerId> ids(SimCluster.Node... ns) {
    return java.util.Arrays.stream(ns).map(SimCluster.Node::id)
        .collect(java.util.stream.Collectors.toSet());
  }

  /** Alice owns the space, Bob is an admin, Carol a member. */
  private Space team(SimCluster.Node alice, SimCluster.Node bob, SimCluster.Node carol) {
    Space space = cluster.await(alice.node().createSpace("Team"));
    for (SimCluster.Node n : List.of(bob, carol)) {
      cluster.await(n.node().join(cluster.await(space.createInvite())));
    }
    cluster.await(space.setRole(bob.id(), Role.ADMIN));
    cluster.settle();
    return space;
  }

  /** Runs in 10-second steps until the future is done, at most {@code max}. */
  private void runUntilDone(CompletableFuture<?> f, Duration max) {
    for (long s = 0; s < max.toSeconds() && !f.isDone(); s += 10) {
      cluster.run(Duration.ofSeconds(10));
    }
  }

  private InviteRefusedException.Reason refusal(CompletableFuture<?> f, Duration within) {
    runUntilDone(f, within);
    try {
      f.get(0, TimeUnit.SECONDS);
      throw new AssertionError("expected a refusal (seed " + seed + ")");
    } catch (ExecutionException e) {
      assertInstanceOf(InviteRefusedException.class, e.getCause(), "seed " + seed);
      return ((InviteRefusedException) e.getCause()).reason();
    } catch (Exception e) {
      throw new AssertionError("no answer within " + within + " (seed " + seed + ")", e);
    }
  }

  @Test
  void ownerGoneBeforeAnnouncingTheInvite_theFallbackAdminAdmitsOnItsSignature() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    SimCluster.Node dave = cluster.node("dave");
    SimCluster.Node erin = cluster.node("erin");
    Space space = team(alice, bob, carol);

    // Alice is cut off before she makes the invite: its issue_invite reaches nobody, and she
    // never comes back.
    cluster.net.partition(Set.of(alice.id()), ids(bob, carol, dave, erin));
    String code = cluster.await(space.createInvite());
    InviteCode parsed = InviteCode.parse(code);
    assertTrue(parsed.grant().isPresent(), "nodes make signed codes (seed " + seed + ")");
    assertEquals(List.of(bob.id()), parsed.admins().stream().map(Contact::peer).toList(),
        "seed " + seed);

    // Bob admits Dave at his turn (one committer timeout, 30 s, after the request came: Alice,
    // the signer, is left out of the order). Without the signature he would refuse the code as
    // unknown only after his turn plus 6 sync rounds (4 minutes); 3 minutes is a generous bound
    // for delivery, retries and the turn.
    Duration asked = cluster.net.now();
    CompletableFuture<Space> joined = dave.node().join(code);
    runUntilDone(joined, Duration.ofMinutes(3));
    System.out.println("admitted on the signature within " + cluster.net.now().minus(asked)
        .toSeconds() + " s (10 s steps) of virtual time; code of " + code.length()
        + " characters (seed " + seed + ")");
    assertTrue(joined.isDone() && !joined.isCompletedExceptionally(),
        "seed " + seed + ": " + joined + "; bob: " + bob.events().log);
    Space daveSpace = joined.join();
    cluster.settle();
    assertEquals(ids(alice, bob, carol, dave), spaceOf(carol, space).members(), "seed " + seed);
    assertEquals(ids(alice, bob, carol, dave), spaceOf(bob, space).members(), "seed " + seed);
    assertEquals(spaceOf(bob, space).members(), daveSpace.members(), "seed " + seed);

    // Everyone on this side chats.
    cluster.await(daveSpace.channel("general").orElseThrow().send("hi from dave"));
    cluster.await(general(carol, space).send("hi dave"));
    cluster.await(general(bob, space).send("welcome dave"));
    cluster.settle();
    assertTrue(carol.events().texts().contains("hi from dave"), "seed " + seed);
    assertTrue(bob.events().texts().contains("hi from dave"), "seed " + seed);
    assertTrue(dave.events().texts().containsAll(List.of("hi dave", "welcome dave")),
        "seed " + seed + ": " + dave.events().texts());

    // Bob published the invite's issue and redemption: the code is used for everyone.
    assertEquals(InviteRefusedException.Reason.ALREADY_USED,
        refusal(erin.node().join(code), Duration.ofMinutes(3)), "seed " + seed);
    assertEquals(ids(alice, bob, carol, dave), spaceOf(carol, space).members(), "seed " + seed);
    for (SimCluster.Node n : List.of(bob, carol, dave)) {
      assertEquals(0, n.events().log.stream().filter(l -> l.startsWith("fork")).count(),
          n + " saw a fork (seed " + seed + "): " + n.events().log);
    }
  }

  @Test
  void forgedCodes_areRefusedWithATypedError() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    SimCluster.Node mallory = cluster.node("mallory");
    Space space = team(alice, bob, carol);
    InviteCode real = InviteCode.parse(cluster.await(space.createInvite()));
    cluster.net.partition(Set.of(alice.id()), ids(bob, carol, mallory));

    // Altered codes never leave the joiner: the signature no longer verifies.
    InviteCode moreTime = InviteCode.of(real.spaceId(), real.inviter(), real.admins(),
        real.secret(), real.expiresAt().plus(Duration.ofDays(30)));
    String altered = resign(real, moreTime);
    InvalidInviteException bad = assertThrows(InvalidInviteException.class,
        () -> mallory.node().join(altered));
    assertTrue(bad.getMessage().contains("signature"), bad.getMessage());

    // A code signed by someone who is not a manager of the space, naming Bob as fallback: Bob
    // refuses it once his turn and the wait for an announcement (6 sync rounds) are over, about
    // 4 minutes; 8 minutes is a generous bound.
    IdentityKey forger = IdentityKey.generate(new SecureRandom());
    Contact forgerContact = new Contact(forger.peerId(), real.inviter().inboxKey(), List.of());
    InviteCode forged = InviteCode.signed(real.spaceId(), forgerContact, real.admins(),
        SecretBytes.copyOf(new byte[16]), Instant.parse("2030-01-01T00:00:00Z"), forger);
    assertEquals(InviteRefusedException.Reason.INVITER_NOT_MANAGER,
        refusal(mallory.node().join(forged.toText()), Duration.ofMinutes(8)), "seed " + seed);
    assertEquals(ids(alice, bob, carol), spaceOf(carol, space).members(), "seed " + seed);
  }

  @Test
  void demotingTheInviter_revokesItsUnusedInvite() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    SimCluster.Node dave = cluster.node("dave");
    Space space = team(alice, bob, carol);
    String bobsCode = cluster.await(spaceOf(bob, space).createInvite());
    assertEquals(List.of(alice.id()),
        InviteCode.parse(bobsCode).admins().stream().map(Contact::peer).toList(), "seed " + seed);
    cluster.await(space.setRole(bob.id(), Role.MEMBER));
    cluster.settle();
    // Bob, no longer a manager, stays silent; Alice, at her turn, refuses his invite: the role
    // that counts is the issuer's now, not when he issued it.
    assertEquals(InviteRefusedException.Reason.INVITER_NOT_MANAGER,
        refusal(dave.node().join(bobsCode), Duration.ofMinutes(3)), "seed " + seed);
    assertEquals(ids(alice, bob, carol), spaceOf(carol, space).members(), "seed " + seed);
    // An invite that has expired is refused before anything is sent.
    IdentityKey someone = IdentityKey.generate(new SecureRandom());
    InviteCode expired = InviteCode.signed(InviteCode.parse(bobsCode).spaceId(),
        new Contact(someone.peerId(), new byte[32], List.of()), List.of(),
        SecretBytes.copyOf(new byte[16]), Instant.ofEpochSecond(1), someone);
    assertEquals(InviteRefusedException.Reason.EXPIRED,
        refusal(dave.node().join(expired.toText()), Duration.ofSeconds(10)), "seed " + seed);
  }

  /** The signed code {@code real} with the fields of {@code changed} but its own signature. */
  private static String resign(InviteCode real, InviteCode changed) {
    byte[] sig = real.grant().orElseThrow().signature();
    byte[] bin = io.spacepanda.internal.crypto.Base32.decode(changed.toText().substring(4));
    byte[] body = java.util.Arrays.copyOf(bin, bin.length - 4);
    body[0] = 4; // version 4: the same layout as 3, then the signature
    byte[] signed = java.util.Arrays.copyOf(body, body.length + sig.length);
    System.arraycopy(sig, 0, signed, body.length, sig.length);
    byte[] sum;
    try {
      byte[] prefixed = ("sp1-").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      byte[] in = java.util.Arrays.copyOf(prefixed, prefixed.length + signed.length);
      System.arraycopy(signed, 0, in, prefixed.length, signed.length);
      sum = java.security.MessageDigest.getInstance("SHA-256").digest(in);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    byte[] out = java.util.Arrays.copyOf(signed, signed.length + 4);
    System.arraycopy(sum, 0, out, signed.length, 4);
    return "sp1-" + io.spacepanda.internal.crypto.Base32.encode(out);
  }
}
