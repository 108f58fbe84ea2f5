package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.spacepanda.TcpTestNode.TIMEOUT;
import static io.spacepanda.TcpTestNode.await;
import static io.spacepanda.TcpTestNode.channel;
import static io.spacepanda.TcpTestNode.texts;
import static io.spacepanda.TcpTestNode.waitFor;
import static io.spacepanda.TcpTestNode.withoutPeerId;

import io.spacepanda.logs.DumpLogsOnFailure;
import io.spacepanda.logs.LogCapture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QuickStart story over real TCP on loopback: nodes built with the default libp2p transport
 * and SQLite data directories, joined by invite codes that carry the inviter's multiaddrs.
 *
 * <p>Waits are bounded: every expected event has {@link #TIMEOUT}; a missing one fails the test
 * naming it. After each test every node is closed and no node thread may outlive it.
 */
@ExtendWith(DumpLogsOnFailure.class)
class TcpEndToEndTest {

    private static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0";

  @TempDir
  Path dir;

  private final List<SpacePanda> nodes = new ArrayList<>();
  private Set<Thread> threadsBefore;

  @BeforeEach
  void rememberThreads() {
    threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
  }

  @AfterEach
  void closeAllAndCheckThreads() throws Exception {
    for (SpacePanda n : nodes) {
      n.close();
    }
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!nodeThreads().isEmpty() && System.nanoTime() - deadline < 0) {
      Thread.sleep(20);
    }
    assertEquals(List.of(), nodeThreads(), "node threads still alive after close()");
  }

  private static boolean isNodeThread(Thread t) {
    String n = t.getName();
    return n.startsWith("spacepanda-");
  }

  private List<String> nodeThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && isNodeThread(t) && !threadsBefore.contains(t))
        .map(Thread::getName).toList();
  }

  @Test
  void quickStart_overTcp_inviteMessagesRemovalRestart_allArrive() throws Exception {
    TcpTestNode alice = start("alice", LOOPBACK);
    TcpTestNode bob = start("bob", LOOPBACK);
    TcpTestNode carol = start("carol", LOOPBACK);

    Space team = await(alice.node.createSpace("Team"));
    String code = await(team.createInvite());
    Space bobTeam = await(bob.node.join(code));
    assertEquals("Team", bobTeam.name());
    await(carol.node.join(await(team.createInvite())));
    Channel design = await(team.createChannel("design"));
    Channel bobDesign = channel(bob, team, "design");
    Channel carolDesign = channel(carol, team, "design");
    waitFor(() -> design.members().equals(Set.of(alice.id(), bob.id(), carol.id())),
        "all three in #design");

    await(design.send("alice: first sketch"));
    bob.expect("alice: first sketch");
    carol.expect("alice: first sketch");
    await(bobDesign.send("bob: looks good"));
    alice.expect("bob: looks good");
    carol.expect("bob: looks good");
    await(carolDesign.send("carol: agreed"));
    alice.expect("carol: agreed");
    bob.expect("carol: agreed");

    await(team.remove(carol.id()));
    waitFor(() -> design.members().equals(Set.of(alice.id(), bob.id()))
        && bobDesign.members().equals(Set.of(alice.id(), bob.id())), "carol removed everywhere");
    int carolSaw = carol.received().size();
    await(design.send("alice: without carol"));
    bob.expect("alice: without carol");

    String bobAddress = withoutPeerId(bob.node.listenAddresses().get(0));
    PeerId bobId = bob.id();
    bob.node.close();
    await(design.send("alice: while bob is away"));
    TcpTestNode bob2 = start("bob", bobAddress);
    assertEquals(bobId, bob2.id());
    bob2.expect("alice: while bob is away");
    Channel bobDesign2 = channel(bob2, team, "design");
    assertEquals(List.of("alice: first sketch", "bob: looks good", "carol: agreed",
        "alice: without carol", "alice: while bob is away"),
        texts(await(bobDesign2.history(50, null))));

    await(bobDesign2.send("bob: back again"));
    alice.expect("bob: back again");
    await(design.send("alice: welcome back"));
    bob2.expect("alice: welcome back");
    List<String> aliceView = texts(await(design.history(50, null)));
    assertEquals("bob: back again", aliceView.get(aliceView.size() - 2));
    assertEquals(carolSaw, carol.received().size(), "carol received messages after her removal");
  }

  @Test
  void restartOnAnotherPort_announcesTheNewAddress_andTheWaitingMessageArrives() throws Exception {
    TcpTestNode alice = start("alice", LOOPBACK);
    TcpTestNode bob = start("bob", LOOPBACK);
    Space team = await(alice.node.createSpace("Team"));
    await(bob.node.join(await(team.createInvite())));
    Channel general = channel(alice, team, "general");
    waitFor(() -> general.members().size() == 2, "bob in #general");
    String before = bob.node.listenAddresses().get(0);
    bob.node.close();
    await(general.send("alice: sent while bob was away"));

    TcpTestNode bob2 = start("bob", LOOPBACK);
    assertFalse(bob2.node.listenAddresses().contains(before), "bob came back on the same port");
    bob2.expect("alice: sent while bob was away");
    await(channel(bob2, team, "general").send("bob: on a new port"));
    alice.expect("bob: on a new port");
  }

  @Test
  void inviteCode_carriesTheInvitersFullListenMultiaddr() throws Exception {
    TcpTestNode alice = start("alice", LOOPBACK);
    TcpTestNode bob = start("bob", LOOPBACK);
    Space team = await(alice.node.createSpace("Team"));
    String addr = alice.node.listenAddresses().get(0);
    assertTrue(addr.matches("/ip4/127\\.0\\.0\\.1/tcp/[1-9][0-9]*/p2p/" + alice.id().toBase58()),
        addr);
    await(bob.node.join(await(team.createInvite())));
    await(channel(bob, team, "general").send("bob: reached alice from the code alone"));
    alice.expect("bob: reached alice from the code alone");
  }

  @Test
  void listenOnAnyAddress_advertisesDialableAddresses_andAJoinerReachesTheInviter()
      throws Exception {
    TcpTestNode alice = start("alice", "/ip4/0.0.0.0/tcp/0");
    TcpTestNode bob = start("bob", LOOPBACK);
    List<String> addrs = alice.node.listenAddresses();
    assertTrue(addrs.stream().noneMatch(a -> a.startsWith("/ip4/0.0.0.0/")), addrs.toString());
    assertTrue(addrs.stream().anyMatch(a -> a.startsWith("/ip4/127.0.0.1/tcp/")), addrs.toString());
    Space team = await(alice.node.createSpace("Team"));
    await(bob.node.join(await(team.createInvite())));
    await(channel(bob, team, "general").send("bob: found you"));
    alice.expect("bob: found you");
  }

  @Test
  void metrics_overTcp_connectedPeersFollowTheConnection() throws Exception {
    TcpTestNode alice = start("alice", LOOPBACK);
    TcpTestNode bob = start("bob", LOOPBACK);
    assertEquals(0, alice.node.metrics().connectedPeers());
    Space team = await(alice.node.createSpace("Team"));
    await(bob.node.join(await(team.createInvite())));
    await(channel(bob, team, "general").send("bob: connected"));
    alice.expect("bob: connected");
    waitFor(() -> alice.node.metrics().connectedPeers() == 1, "alice counts bob as connected");
    waitFor(() -> bob.node.metrics().connectedPeers() == 1, "bob counts alice as connected");
    waitFor(() -> bob.node.metrics().outboxBacklog() == 0, "bob's outbox drains");
    assertEquals(1, alice.node.metrics().messagesReceived());
    assertEquals(1, bob.node.metrics().messagesSent());

    bob.node.close();
    waitFor(() -> alice.node.metrics().connectedPeers() == 0, "alice sees bob go");
    assertEquals(0, bob.node.metrics().connectedPeers());
  }

  private TcpTestNode start(String name, String listen) throws Exception {
    TcpTestNode n = new TcpTestNode(name);
    SpacePanda node = SpacePanda.builder()
        .dataDir(dir.resolve(name))
        .listen(listen)
        .jitter(Jitter.none())
        .listener(n)
        .build();
    n.node = node;
    nodes.add(node);
    LogCapture.describeOnFailure(n::describe);
    await(node.start());
    return n;
  }
}
