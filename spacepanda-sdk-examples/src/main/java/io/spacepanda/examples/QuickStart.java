package io.spacepanda.examples;

import io.spacepanda.Channel;
import io.spacepanda.Jitter;
import io.spacepanda.Message;
import io.spacepanda.MessageId;
import io.spacepanda.PeerId;
import io.spacepanda.Space;
import io.spacepanda.SpacePanda;
import io.spacepanda.SpacePandaListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The SpacePanda quick start: three nodes on this machine talking over libp2p on TCP, each with its
 * own SQLite store, printing every message as the receiving node's listener gets it.
 *
 * <p>Alice creates a space and invites Bob and Carol with invite codes; everyone chats in a new
 * channel; Alice removes Carol; Bob shuts down, misses a message, restarts from his data
 * directory, reads his history and chats on. Every line is printed from what the nodes actually
 * did; the example exits with status 0 when every expected event arrived, and 1 when one did not
 * arrive within {@value #TIMEOUT_SECONDS} seconds or an operation failed.
 *
 * <p>Run with {@code mvn -B -q -ntp -f spacepanda-sdk-examples/pom.xml exec:java} after installing
 * the SDK.
 */
public final class QuickStart {

  /** How long the example waits for any one expected event. */
  static final int TIMEOUT_SECONDS = 60;

  private static final Duration TIMEOUT = Duration.ofSeconds(TIMEOUT_SECONDS);
  private static final String LOOPBACK_ANY_PORT = "/ip4/127.0.0.1/tcp/0";

  private final Path root;
  private final Map<PeerId, String> names = new ConcurrentHashMap<>();
  private final List<SpacePanda> open = new ArrayList<>();

  private QuickStart(Path root) {
    this.root = root;
  }

  /**
   * Runs the quick start in a fresh temporary directory, deleted at the end.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    int status;
    Path root = null;
    try {
      root = Files.createTempDirectory("spacepanda-quickstart-");
      QuickStart q = new QuickStart(root);
      try {
        q.run();
        status = 0;
      } finally {
        q.closeAll();
      }
    } catch (Exception e) {
      System.out.flush();
      System.err.println("QuickStart FAILED: " + describe(e));
      status = 1;
    } finally {
      deleteQuietly(root);
    }
    if (status != 0) {
      System.exit(status);
    }
    System.out.println("QuickStart finished: every expected event arrived; all nodes closed.");
  }

  private void run() throws Exception {
    say("SpacePanda QuickStart: three nodes, libp2p over TCP on 127.0.0.1, SQLite under " + root);
    say("Jitter: none. The default delays each copy of a message by up to 30 s (uniform) so that"
        + " observers cannot link sender and receivers by timing;"
        + " here it would only make you wait.");
    say("");

    Node alice = start("alice", LOOPBACK_ANY_PORT);
    Node bob = start("bob", LOOPBACK_ANY_PORT);
    Node carol = start("carol", LOOPBACK_ANY_PORT);
    say("");

    Space team = await(alice.node.createSpace("Team"), "alice creates a space");
    say("alice created space \"" + team.name() + "\" with channel #general");

    String bobCode = await(team.createInvite(), "alice creates an invite");
    say("alice made an invite code for bob (" + bobCode.length() + " characters): " + bobCode);
    Space bobTeam = await(bob.node.join(bobCode), "bob joins with the invite code");
    say("bob joined \"" + bobTeam.name() + "\" by code; he now sees "
        + bobTeam.members().size() + " members");
    String carolCode = await(team.createInvite(), "alice creates a second invite");
    Space carolTeam = await(carol.node.join(carolCode), "carol joins with her invite code");
    say("carol joined \"" + carolTeam.name() + "\" by code; she now sees "
        + carolTeam.members().size() + " members");

    Channel design = await(team.createChannel("design"), "alice creates #design");
    say("alice created channel #design");
    Channel bobDesign = waitForChannel(bob, team.id(), "design");
    Channel carolDesign = waitForChannel(carol, team.id(), "design");
    waitFor(() -> design.members().size() == 3, "all three are members of #design");
    say("#design members: " + namesOf(design.members()));
    say("");

    await(design.send("hi both, welcome to #design"), "alice sends");
    bob.expect("hi both, welcome to #design");
    carol.expect("hi both, welcome to #design");
    await(bobDesign.send("thanks alice, glad to be here"), "bob sends");
    alice.expect("thanks alice, glad to be here");
    carol.expect("thanks alice, glad to be here");
    await(carolDesign.send("hello from carol"), "carol sends");
    alice.expect("hello from carol");
    bob.expect("hello from carol");
    say("");

    await(team.remove(carol.id()), "alice removes carol");
    waitFor(() -> !design.members().contains(carol.id())
        && !bobDesign.members().contains(carol.id()), "carol is gone from #design");
    say("alice removed carol; #design members now: " + namesOf(design.members()));
    int carolBefore = carol.receivedCount();
    await(design.send("just the two of us now"), "alice sends after the removal");
    bob.expect("just the two of us now");
    say("");

    bob.close();
    say("bob closed his node");
    await(design.send("bob, this one waits for you"), "alice sends while bob is away");
    say("alice sent a message while bob is away; it waits in her outbox");

    Node bob2 = start("bob", LOOPBACK_ANY_PORT);
    if (!bob2.id().equals(bob.id())) {
      throw new IllegalStateException("bob restarted with another peer id: " + bob2.id());
    }
    say("bob restarted from " + bob2.dir + ": same peer id, a new port, which his node announces"
        + " to the space");
    bob2.expect("bob, this one waits for you");
    Channel bobDesign2 = waitForChannel(bob2, team.id(), "design");
    List<Message> history = await(bobDesign2.history(50, null), "bob reads his history");
    say("bob's history of #design after the restart:");
    for (Message m : history) {
      say("    " + names.get(m.sender()) + ": " + m.text());
    }
    expectHistory(history, List.of("hi both, welcome to #design", "thanks alice, glad to be here",
        "hello from carol", "just the two of us now", "bob, this one waits for you"));
    await(bobDesign2.send("back again, did I miss anything?"), "bob sends after his restart");
    alice.expect("back again, did I miss anything?");
    await(design.send("only the message you just read"), "alice answers");
    bob2.expect("only the message you just read");
    say("");

    int carolAfter = carol.receivedCount() - carolBefore;
    if (carolAfter != 0) {
      throw new IllegalStateException(
          "carol received " + carolAfter + " messages after her removal");
    }
    say("carol, removed, received none of the 4 messages sent after her removal");
  }

  private Node start(String name, String listen) throws Exception {
    Path dir = root.resolve(name);
    Node n = new Node(name, dir);
    SpacePanda node = SpacePanda.builder()
        .dataDir(dir)
        .listen(listen)
        .jitter(Jitter.none())
        .listener(n)
        .build();
    n.node = node;
    open.add(node);
    await(node.start(), name + " starts");
    names.put(node.peerId(), name);
    say(String.format("%-5s %s listening on %s", name, shortId(node.peerId()),
        String.join(", ", node.listenAddresses())));
    return n;
  }

  private void closeAll() {
    for (SpacePanda n : open) {
      n.close();
    }
  }

  private static Channel waitForChannel(Node n, String spaceId, String name) throws Exception {
    waitFor(() -> n.node.space(spaceId).flatMap(s -> s.channel(name)).isPresent(),
        n.name + " has channel #" + name);
    return n.node.space(spaceId).orElseThrow().channel(name).orElseThrow();
  }

  private static void expectHistory(List<Message> history, List<String> expected) {
    List<String> texts = history.stream().map(Message::text).toList();
    if (!texts.equals(expected)) {
      throw new IllegalStateException("bob's history is " + texts + ", expected " + expected);
    }
  }

  private String namesOf(Set<PeerId> peers) {
    return String.join(", ", peers.stream().map(p -> names.getOrDefault(p, shortId(p)))
        .sorted().toList());
  }

  private static String shortId(PeerId p) {
    String s = p.toBase58();
    return s.substring(0, 12) + "…" + s.substring(s.length() - 4);
  }

  private static void say(String line) {
    System.out.println(line);
  }

  private static <T> T await(CompletableFuture<T> f, String what) throws Exception {
    try {
      return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new TimeoutException(what + ": no result within " + TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + describe(e.getCause()), e.getCause());
    }
  }

  private static void waitFor(Supplier<Boolean> condition, String what)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.get()) {
      if (System.nanoTime() - deadline > 0) {
        throw new TimeoutException(what + ": did not happen within " + TIMEOUT_SECONDS + " s");
      }
      Thread.sleep(20);
    }
  }

  private static String describe(Throwable t) {
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  private static void deleteQuietly(Path root) {
    if (root == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("could not delete " + root + ": " + e.getMessage());
    }
  }

  /** One node of the story: its listener prints what it receives and records it for waiting. */
  private final class Node implements SpacePandaListener {

    final String name;
    final Path dir;
    SpacePanda node;
    private final List<String> received = new ArrayList<>();

    Node(String name, Path dir) {
      this.name = name;
      this.dir = dir;
    }

    PeerId id() {
      return node.peerId();
    }

    void close() {
      node.close();
    }

    @Override
    public void onMessage(Channel channel, Message message) {
      say(String.format("  [%s receives] #%s  %s: %s", name, channel.name(),
          names.getOrDefault(message.sender(), shortId(message.sender())), message.text()));
      synchronized (this) {
        received.add(message.text());
        notifyAll();
      }
    }

    @Override
    public void onDeliveryFailed(MessageId message, PeerId recipient, Throwable cause) {
      say(String.format("  [%s] a copy for %s was not delivered (%s); the outbox retries it",
          name, names.getOrDefault(recipient, shortId(recipient)), cause.getMessage()));
    }

    @Override
    public void onMemberRemoved(Channel channel, PeerId member) {
      say(String.format("  [%s sees] %s removed from #%s", name,
          names.getOrDefault(member, shortId(member)), channel.name()));
    }

    synchronized void expect(String text) throws InterruptedException, TimeoutException {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!received.contains(text)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new TimeoutException(name + " did not receive \"" + text + "\" within "
              + TIMEOUT_SECONDS + " s");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    synchronized int receivedCount() {
      return received.size();
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
