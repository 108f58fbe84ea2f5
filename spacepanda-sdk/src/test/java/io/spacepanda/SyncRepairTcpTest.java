package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sync repairs what a member missed, over real TCP on loopback with SQLite stores: carol is
 * offline while alice sends 1,000 messages, alice's copies to her are given up (a 5 s delivery
 * horizon, mailboxes off), and when carol starts again sync alone brings her all 1,000, exactly
 * once and in send order.
 *
 * <p>The test asserts the outcome only; it prints the repair time (from carol's restart until her
 * 1,000th message) as {@code repair of 1,000 over loopback TCP: N ms}. The aim is 10 s.
 * Run it alone: {@code mvn -B -ntp -o -pl spacepanda-sdk verify -Dtest=SyncRepairTcpTest
 * -Dsurefire.failIfNoSpecifiedTests=false}; {@code -Dspacepanda.repair.messages=N} changes the
 * count.
 */
class SyncRepairTcpTest {

  private static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0";
  private static final Duration TIMEOUT = Duration.ofSeconds(180);
  private static final int MESSAGES = Integer.getInteger("spacepanda.repair.messages", 1000);

  @TempDir
  Path dir;

  private final List<SpacePanda> nodes = new ArrayList<>();

  @AfterEach
  void closeAll() {
    for (SpacePanda n : nodes) {
      n.close();
    }
  }

  /** The texts one node's listener received, in order. */
  private static final class Received implements SpacePandaListener {
    private final List<String> texts = new ArrayList<>();

    @Override
    public synchronized void onMessage(Channel channel, Message message) {
      texts.add(message.text());
    }

    synchronized List<String> texts() {
      return List.copyOf(texts);
    }

    synchronized int size() {
      return texts.size();
    }
  }

  @Test
  void memberMissedAThousandMessages_syncBringsThemAllOnceInOrder() throws Exception {
    SpacePanda alice = start("alice", LOOPBACK, new Received());
    Received carolSaw = new Received();
    SpacePanda carol = start("carol", LOOPBACK, carolSaw);
    Space team = await(alice.createSpace("Team"));
    await(carol.join(await(team.createInvite())));
    Channel general = team.channel("general").orElseThrow();
    waitFor(() -> general.members().size() == 2, "carol in #general");
    await(general.send("hello"));
    waitFor(() -> carolSaw.size() == 1, "carol got hello");

    String carolAddress = withoutPeerId(carol.listenAddresses().get(0));
    carol.close();
    List<String> sent = new ArrayList<>();
    List<CompletableFuture<Message>> sends = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      sent.add("m" + i);
      sends.add(general.send("m" + i));
    }
    for (CompletableFuture<Message> f : sends) {
      await(f);
    }
    // every copy to carol given up: only sync can bring them
    waitFor(() -> alice.metrics().outboxBacklog() == 0, "alice's copies to carol given up");

    Received carolBack = new Received();
    long t0 = System.nanoTime();
    start("carol", carolAddress, carolBack);
    waitFor(() -> carolBack.size() >= MESSAGES, "carol repaired " + MESSAGES + " messages");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    System.out.println("repair of " + MESSAGES + " over loopback TCP: " + ms + " ms");
    Thread.sleep(500); // a duplicate arriving late would show here
    assertEquals(sent, carolBack.texts(), "every missed message once, in send order");
  }

  private SpacePanda start(String name, String listen, Received listener) throws Exception {
    SpacePanda node = SpacePanda.builder()
        .dataDir(dir.resolve(name))
        .listen(listen)
        .jitter(Jitter.none())
        .deliveryHorizon(Duration.ofSeconds(5))
        .mailboxHolders(0)
        .listener(listener)
        .build();
    nodes.add(node);
    await(node.start());
    return node;
  }

  private static String withoutPeerId(String multiaddr) {
    return multiaddr.substring(0, multiaddr.indexOf("/p2p/"));
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
      Thread.sleep(10);
    }
  }
}
