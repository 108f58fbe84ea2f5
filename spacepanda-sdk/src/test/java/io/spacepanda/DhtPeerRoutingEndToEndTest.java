package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer routing through the DHT, as a user of the public API sees it: two members who both moved
 * to new ports while offline find each other again with nothing but a bootstrap node of the DHT
 * (a plain SpacePanda node that is in no space) — their stored addresses of each other are stale.
 */
class DhtPeerRoutingEndToEndTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
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
    Node boot = start("boot", LOOPBACK, null);
    String bootAddress = boot.node.listenAddresses().get(0);
    Node alice = start("alice", LOOPBACK, bootAddress);
    Node bob = start("bob", LOOPBACK, bootAddress);
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

    Node alice2 = start("alice", LOOPBACK, bootAddress);
    Node bob2 = start("bob", LOOPBACK, bootAddress);
    assertFalse(alice2.node.listenAddresses().contains(aliceBefore), "alice came back on the same port");
    assertFalse(bob2.node.listenAddresses().contains(bobBefore), "bob came back on the same port");
    Channel aliceGeneral = channel(alice2, team, "general");
    await(aliceGeneral.send("alice: we both moved"));
    bob2.expect("alice: we both moved");
    await(channel(bob2, team, "general").send("bob: and found each other"));
    alice2.expect("bob: and found each other");
  }

  private Node start(String name, String listen, String bootstrap) throws Exception {
    Node n = new Node(name);
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

  private static Channel channel(Node n, Space s, String name) throws Exception {
    waitFor(() -> n.node.space(s.id()).flatMap(sp -> sp.channel(name)).isPresent(),
        n.name + " has #" + name);
    return n.node.space(s.id()).orElseThrow().channel(name).orElseThrow();
  }

  private static String withoutPeerId(String multiaddr) {
    return multiaddr.substring(0, multiaddr.indexOf("/p2p/"));
  }

  private static List<String> texts(List<Message> ms) {
    return ms.stream().map(Message::text).toList();
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("operation failed: " + e.getCause(), e.getCause());
    }
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("not within " + TIMEOUT + ": " + what);
      }
      Thread.sleep(20);
    }
  }

  /** A node and the messages its listener received. */
  private static final class Node implements SpacePandaListener {
    final String name;
    SpacePanda node;
    private final List<String> received = new ArrayList<>();

    Node(String name) {
      this.name = name;
    }

    PeerId id() {
      return node.peerId();
    }

    @Override
    public synchronized void onMessage(Channel channel, Message message) {
      received.add(message.text());
      notifyAll();
    }

    synchronized List<String> received() {
      return List.copyOf(received);
    }

    synchronized void expect(String text) throws InterruptedException, TimeoutException {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!received.contains(text)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          fail(name + " did not receive \"" + text + "\" within " + TIMEOUT + "; got " + received);
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }
}
