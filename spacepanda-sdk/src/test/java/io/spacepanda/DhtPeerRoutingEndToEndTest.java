package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import static io.spacepanda.TcpTestNode.TIMEOUT;
import static io.spacepanda.TcpTestNode.await;
import static io.spacepanda.TcpTestNode.channel;
import static io.spacepanda.TcpTestNode.waitFor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer routing through the DHT, as a user of the public API sees it: two members who both moved
 * to new ports while offline find each other again with nothing but a bootstrap node of the DHT
 * (a plain SpacePanda node that is in no space) — their stored addresses of each other are stale.
 */
@org.junit.jupiter.api.extension.ExtendWith(io.spacepanda.logs.DumpLogsOnFailure.class)
class DhtPeerRoutingEndToEndTest {

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
  void bothMembersMovedWhileOffline_findEachOtherThroughTheDht() throws Exception {
    TcpTestNode boot = start("boot", LOOPBACK, null);
    String bootAddress = boot.node.listenAddresses().get(0);
    TcpTestNode alice = start("alice", LOOPBACK, bootAddress);
    TcpTestNode bob = start("bob", LOOPBACK, bootAddress);
    Space team = await(alice.node.createSpace("Team"));
    await(bob.node.join(await(team.createInvite())));
    Channel general = channel(alice, team, "general");
    waitFor(() -> general.members().size() == 2, "bob in #general");
    await(general.send("alice: before we moved"));
    bob.expect("alice: before we moved");
    String aliceBefore = alice.node.listenAddresses().get(0);
    String bobBefore = bob.node.listenAddresses().get(0);
    alice.node.close();
    bob.node.close();

    TcpTestNode alice2 = start("alice", LOOPBACK, bootAddress);
    TcpTestNode bob2 = start("bob", LOOPBACK, bootAddress);
    assertFalse(alice2.node.listenAddresses().contains(aliceBefore), "alice came back on the same port");
    assertFalse(bob2.node.listenAddresses().contains(bobBefore), "bob came back on the same port");
    Channel aliceGeneral = channel(alice2, team, "general");
    await(aliceGeneral.send("alice: we both moved"));
    bob2.expect("alice: we both moved");
    await(channel(bob2, team, "general").send("bob: and found each other"));
    alice2.expect("bob: and found each other");
  }

  private TcpTestNode start(String name, String listen, String bootstrap) throws Exception {
    TcpTestNode n = new TcpTestNode(name);
    SpacePanda.Builder b = SpacePanda.builder()
        .dataDir(dir.resolve(name))
        .listen(listen)
        .jitter(Jitter.none())
        .listener(n);
    if (bootstrap != null) {
      b.bootstrap(bootstrap);
    }
    SpacePanda node = b.build();
    n.node = node;
    nodes.add(node);
    await(node.start());
    return n;
  }
}
