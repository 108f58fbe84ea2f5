package io.spacepanda;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A node of the real-TCP end-to-end tests and the messages its listener received, with the waits
 * those tests share (each bounded by {@link #TIMEOUT}).
 */
final class TcpTestNode implements SpacePandaListener {
  /** How long any one wait of these tests may take. */
  static final Duration TIMEOUT = Duration.ofSeconds(90);

  final String name;
  SpacePanda node;
  private final List<String> received = new ArrayList<>();

  TcpTestNode(String name) {
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

  /**
   * @return what this node knows, for a failure report: its spaces with their members and
   *     channels, each channel with its members, the messages received and the drop count
   */
  String describe() {
    StringBuilder b = new StringBuilder("node ").append(name);
    SpacePanda n = node;
    if (n == null) {
      return b.append(": not started").toString();
    }
    try {
      b.append(' ').append(n.peerId()).append(" at ").append(n.listenAddresses())
          .append(", dropped ").append(n.droppedEnvelopes()).append(" envelope(s)");
      for (Space sp : n.spaces()) {
        b.append("\n  space ").append(sp.name()).append(" members ").append(short_(sp.members()));
        for (Channel c : sp.channels()) {
          b.append("\n    #").append(c.name()).append(" members ").append(short_(c.members()));
        }
      }
    } catch (RuntimeException e) {
      b.append(" (").append(e).append(')');
    }
    return b.append("\n  received ").append(received()).toString();
  }

  private static List<String> short_(java.util.Collection<PeerId> peers) {
    return peers.stream().map(p -> {
      String t = p.toBase58();
      return t.substring(t.length() - 6);
    }).sorted().toList();
  }

  synchronized List<String> received() {
    return List.copyOf(received);
  }

  synchronized void expect(String text) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!received.contains(text)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        fail(name + " did not receive \"" + text + "\" within " + TIMEOUT + "; got " + received);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  static Channel channel(TcpTestNode n, Space s, String name) throws Exception {
    waitFor(() -> n.node.space(s.id()).flatMap(sp -> sp.channel(name)).isPresent(),
        n.name + " has #" + name);
    return n.node.space(s.id()).orElseThrow().channel(name).orElseThrow();
  }

  static String withoutPeerId(String multiaddr) {
    return multiaddr.substring(0, multiaddr.indexOf("/p2p/"));
  }

  static List<String> texts(List<Message> ms) {
    return ms.stream().map(Message::text).toList();
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("operation failed: " + e.getCause(), e.getCause());
    }
  }

  static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("not within " + TIMEOUT + ": " + what);
      }
      Thread.sleep(20);
    }
  }
}
