package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpacePandaBuilderTest {

  private static final String PEER = "12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv";

  @TempDir
  Path dir;

  @Test
  void build_withoutTransport_usesLibp2pOverTcpOnLoopback() throws Exception {
    SpacePanda node = SpacePanda.builder().storage(Storages.inMemory()).build();
    try {
      node.start().get(30, TimeUnit.SECONDS);
      List<String> addrs = node.listenAddresses();
      assertEquals(1, addrs.size(), addrs.toString());
      String a = addrs.get(0);
      assertTrue(a.startsWith("/ip4/127.0.0.1/tcp/"), a);
      assertTrue(a.endsWith("/p2p/" + node.peerId().toBase58()), a);
      assertFalse(a.startsWith("/ip4/127.0.0.1/tcp/0/"), "the bound port is shown: " + a);
    } finally {
      node.close();
    }
    assertEquals(List.of(), node.listenAddresses());
  }

  @Test
  void build_listenGiven_listenAddressesCarryTheBoundPortAndPeerId() throws Exception {
    SpacePanda node = SpacePanda.builder().storage(Storages.inMemory())
        .listen("/ip4/127.0.0.1/tcp/0").build();
    try {
      node.start().get(30, TimeUnit.SECONDS);
      String a = node.listenAddresses().get(0);
      assertTrue(a.matches("/ip4/127\\.0\\.0\\.1/tcp/[1-9][0-9]*/p2p/12D3KooW.*"), a);
    } finally {
      node.close();
    }
  }

  @Test
  void build_listenNotAMultiaddr_failsNamingTheValue() {
    SpacePanda.Builder b = SpacePanda.builder().storage(Storages.inMemory()).listen("127.0.0.1:4001");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains("127.0.0.1:4001"), e.getMessage());
  }

  @Test
  void build_listenNotTcp_withDefaultTransport_failsNamingTheValue() {
    SpacePanda.Builder b = SpacePanda.builder().storage(Storages.inMemory()).listen("/ip4/127.0.0.1");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains("/ip4/127.0.0.1"), e.getMessage());
  }

  @Test
  void build_bootstrapWithoutPeerId_failsNamingTheValue() {
    SpacePanda.Builder b = SpacePanda.builder().storage(Storages.inMemory())
        .bootstrap("/ip4/203.0.113.5/tcp/4001");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains("/ip4/203.0.113.5/tcp/4001"), e.getMessage());
    assertTrue(e.getMessage().contains("/p2p/"), e.getMessage());
  }

  @Test
  void build_bootstrapWithBadPeerId_failsNamingTheValue() {
    String bad = "/ip4/203.0.113.5/tcp/4001/p2p/notAPeerId";
    SpacePanda.Builder b = SpacePanda.builder().storage(Storages.inMemory()).bootstrap(bad);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains(bad), e.getMessage());
  }

  @Test
  void build_bootstrapFullMultiaddr_builds() {
    SpacePanda node = SpacePanda.builder().storage(Storages.inMemory())
        .bootstrap("/ip4/203.0.113.5/tcp/4001/p2p/" + PEER).build();
    node.close();
  }

  @Test
  void build_customTransport_takesNonTcpMultiaddrs() {
    SpacePanda node = SpacePanda.builder().storage(Storages.inMemory()).transport(ctx -> null)
        .listen("/ip4/127.0.0.1").build();
    node.close();
  }

  @Test
  void dataDir_twice_failsNamingTheEarlierValue() {
    SpacePanda.Builder b = SpacePanda.builder().dataDir(dir);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.dataDir(dir));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
  }

  @Test
  void storage_afterDataDir_fails() {
    SpacePanda.Builder b = SpacePanda.builder().dataDir(dir);
    assertThrows(IllegalStateException.class, () -> b.storage(Storages.inMemory()));
  }

  @Test
  void transport_afterP2pFalse_fails() {
    SpacePanda.Builder b = SpacePanda.builder().p2p(false);
    assertThrows(IllegalStateException.class, () -> b.transport(ctx -> null));
  }

  @Test
  void listen_withP2pFalse_failsAtBuild() {
    SpacePanda.Builder b = SpacePanda.builder().p2p(false).listen("/ip4/0.0.0.0/tcp/0");
    assertThrows(IllegalStateException.class, b::build);
  }

  @Test
  void passphrase_withoutDataDir_failsAtBuild() {
    SpacePanda.Builder b = SpacePanda.builder().p2p(false).passphrase("secret".toCharArray());
    assertThrows(IllegalStateException.class, b::build);
  }

  @Test
  void deliveryHorizon_badOrTwice_failsNamingTheValue() {
    SpacePanda.Builder b = SpacePanda.builder();
    assertThrows(NullPointerException.class, () -> b.deliveryHorizon(null));
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> b.deliveryHorizon(Duration.ZERO));
    assertTrue(zero.getMessage().contains("PT0S"), zero.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.deliveryHorizon(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> b.deliveryHorizon(Duration.ofDays(366)));
    b.deliveryHorizon(Duration.ofDays(2));
    IllegalStateException twice =
        assertThrows(IllegalStateException.class, () -> b.deliveryHorizon(Duration.ofDays(3)));
    assertTrue(twice.getMessage().contains("PT48H"), twice.getMessage());
    assertTrue(b.toString().contains("deliveryHorizon=PT48H"), b.toString());
  }

  @Test
  void mailboxLimits_badOrTwice_failsNamingTheValue() {
    SpacePanda.Builder b = SpacePanda.builder();
    assertThrows(NullPointerException.class, () -> b.mailboxLimits(10, null));
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> b.mailboxLimits(0, Duration.ofDays(1)));
    assertTrue(none.getMessage().contains(": 0"), none.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.mailboxLimits(1_000_001,
        Duration.ofDays(1)));
    assertThrows(IllegalArgumentException.class, () -> b.mailboxLimits(10, Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> b.mailboxLimits(10, Duration.ofDays(366)));
    b.mailboxLimits(500, Duration.ofDays(2));
    IllegalStateException twice = assertThrows(IllegalStateException.class,
        () -> b.mailboxLimits(600, Duration.ofDays(2)));
    assertTrue(twice.getMessage().contains("500/PT48H"), twice.getMessage());
    assertTrue(b.toString().contains("mailboxLimits=500/PT48H"), b.toString());
  }

  @Test
  void syncInterval_badOrTwice_failsNamingTheValue() {
    SpacePanda.Builder b = SpacePanda.builder();
    assertThrows(NullPointerException.class, () -> b.syncInterval(null));
    IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
        () -> b.syncInterval(Duration.ofMillis(500)));
    assertTrue(tooShort.getMessage().contains("PT0.5S"), tooShort.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.syncInterval(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> b.syncInterval(Duration.ofDays(2)));
    b.syncInterval(Duration.ZERO);
    IllegalStateException twice =
        assertThrows(IllegalStateException.class, () -> b.syncInterval(Duration.ofSeconds(10)));
    assertTrue(twice.getMessage().contains("PT0S"), twice.getMessage());
    assertTrue(b.toString().contains("syncInterval=PT0S"), b.toString());
  }

  @Test
  void badValues_failWithIllegalArgument() {
    SpacePanda.Builder b = SpacePanda.builder();
    assertThrows(IllegalArgumentException.class, () -> b.pastEpochRetention(-1));
    assertThrows(IllegalArgumentException.class, () -> b.pastEpochRetention(65));
    assertThrows(IllegalArgumentException.class, () -> b.paddingBuckets(List.of()));
    assertThrows(IllegalArgumentException.class, () -> b.paddingBuckets(List.of(1024, 256, 65536)));
    assertThrows(IllegalArgumentException.class, () -> b.paddingBuckets(List.of(256, 1024)));
    assertThrows(IllegalArgumentException.class, () -> b.listen(" "));
    assertThrows(IllegalArgumentException.class, () -> b.passphrase(new char[0]));
    assertThrows(NullPointerException.class, () -> b.jitter(null));
    b.bootstrap("/ip4/203.0.113.5/tcp/4001");
    assertThrows(IllegalArgumentException.class, () -> b.bootstrap("/ip4/203.0.113.5/tcp/4001"));
  }

  @Test
  void toString_showsOnlySetOptions_neverThePassphrase() {
    SpacePanda.Builder b = SpacePanda.builder().dataDir(dir).passphrase("hunter2".toCharArray())
        .jitter(Jitter.uniform(Duration.ofSeconds(5)));
    String s = b.toString();
    assertTrue(s.contains("dataDir") && s.contains("jitter"), s);
    assertFalse(s.contains("hunter2"), s);
    assertFalse(s.contains("listener"), s);
  }

  @Test
  void build_touchesNothing_startCreatesTheStore_closeStopsThreads() throws Exception {
    Path data = dir.resolve("node");
    java.util.Set<Thread> before = java.util.Set.copyOf(Thread.getAllStackTraces().keySet());
    SpacePanda node = SpacePanda.builder().dataDir(data).p2p(false).build();
    assertFalse(Files.exists(data));
    assertThrows(IllegalStateException.class, node::peerId);
    node.start().join();
    assertTrue(Files.exists(data));
    PeerId id = node.peerId();
    assertTrue(id.toBase58().startsWith("12D3KooW"));
    Space s = node.createSpace("Solo").join();
    s.channel("general").orElseThrow().send("note to self").join();
    node.close();
    List<String> alive = nodeThreadsStillAlive(before);
    assertTrue(alive.isEmpty(), "a node thread outlived close(): " + alive);

    SpacePanda again = SpacePanda.builder().dataDir(data).p2p(false).build();
    again.start().join();
    assertEquals(id, again.peerId());
    Space solo = again.spaces().get(0);
    assertEquals("Solo", solo.name());
    assertEquals(List.of("note to self"), solo.channel("general").orElseThrow().history(10, null)
        .join().stream().map(Message::text).toList());
    again.close();
    assertThrows(IllegalStateException.class, again::start);
  }

  @Test
  void passphrase_keepsMessageBodiesOutOfTheFiles() throws Exception {
    Path data = dir.resolve("secret-node");
    SpacePanda node = SpacePanda.builder().dataDir(data).p2p(false)
        .passphrase("correct horse".toCharArray()).build();
    node.start().join();
    String marker = "the-plaintext-marker-0123456789";
    node.createSpace("S").join().channel("general").orElseThrow().send(marker).join();
    node.close();
    try (var files = Files.walk(data)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(content.contains(marker), p.toString());
      }
    }
  }

  @Test
  void eventListener_null_throwsNpe() {
    assertThrows(NullPointerException.class, () -> SpacePanda.builder().eventListener(null));
  }

  @Test
  void eventListener_setTwice_failsNamingTheEarlierValue() {
    NodeEventListener first = new NodeEventListener() {
      @Override
      public String toString() {
        return "first-listener";
      }
    };
    SpacePanda.Builder b = SpacePanda.builder().eventListener(first);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> b.eventListener(NodeEventListener.none()));
    assertTrue(e.getMessage().contains("first-listener"), e.getMessage());
    assertTrue(b.toString().contains("eventListener=first-listener"), b.toString());
  }

  @Test
  void metrics_beforeStart_allZero() {
    SpacePanda node = SpacePanda.builder().p2p(false).storage(Storages.inMemory()).build();
    NodeMetrics m = node.metrics();
    assertEquals(0, m.connectedPeers());
    assertEquals(0, m.outboxBacklog());
    assertEquals(0, m.heldEnvelopes());
    assertEquals(0, m.spaces());
    assertEquals(0, m.messagesSent());
    node.close();
  }

  /**
   * Threads named {@code spacepanda-*} started since {@code before} that are still alive. A pool's
   * worker can outlive its executor's termination by a moment, so this waits for them to end (up
   * to 10 s) before reporting them; other tests' threads are not counted.
   */
  private static List<String> nodeThreadsStillAlive(java.util.Set<Thread> before)
      throws InterruptedException {
    List<Thread> started = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.getName().startsWith("spacepanda-")).toList();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    for (Thread t : started) {
      t.join(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(
          deadline - System.nanoTime())));
    }
    return started.stream().filter(Thread::isAlive).map(Thread::getName).toList();
  }
}
