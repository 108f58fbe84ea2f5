package io.spacepanda;

import io.spacepanda.internal.net.sim.SimulatedNetwork;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.Transport;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Nodes on one simulated network with virtual time and seeded randomness, for end-to-end tests.
 *
 * <p>Every node runs its listener callbacks inline, so a test that advanced the network sees every
 * event. {@link #seed()} is printed by the tests on failure.
 */
final class SimCluster implements AutoCloseable {

  final SimulatedNetwork net;
  private final long seed;
  private final List<SpacePanda> nodes = new ArrayList<>();
  private int counter;
  private boolean sync = true;
  private boolean mailboxes = true;

  SimCluster(long seed) {
    this.seed = seed;
    this.net = new SimulatedNetwork(seed);
  }

  /**
   * Turns sync off on every node made later, for tests that count envelopes or events of message
   * delivery, which sync summaries and fetches would add to.
   */
  SimCluster withoutSync() {
    sync = false;
    return this;
  }

  /**
   * Turns mailboxes off on every node made later, for tests that count drops: copies pushed from
   * a mailbox arrive as duplicates of the sender's own.
   */
  SimCluster withoutMailboxes() {
    mailboxes = false;
    return this;
  }

  long seed() {
    return seed;
  }

  /** A node with in-memory storage. */
  Node node(String name) {
    return node(name, Storages.inMemory(), UnaryOperator.identity());
  }

  /** A node with SQLite storage in a directory. */
  Node node(String name, Path dir) throws Exception {
    return node(name, Storages.sqlite(dir), UnaryOperator.identity());
  }

  Node node(String name, Storage storage, UnaryOperator<Transport.Factory> wrap) {
    return node(name, storage, wrap, Jitter.none());
  }

  Node node(String name, Storage storage, UnaryOperator<Transport.Factory> wrap, Jitter jitter) {
    return node(name, storage, wrap, jitter, UnaryOperator.identity());
  }

  /** A node with a delivery horizon. */
  Node node(String name, Storage storage, UnaryOperator<Transport.Factory> wrap, Jitter jitter,
      Duration horizon) {
    return node(name, storage, wrap, jitter, b -> b.deliveryHorizon(horizon));
  }

  /** A node whose builder gets more options (an event listener) before it is built. */
  Node node(String name, Storage storage, UnaryOperator<Transport.Factory> wrap, Jitter jitter,
      UnaryOperator<SpacePanda.Builder> options) {
    Events events = new Events(name);
    SpacePanda.Builder b = options.apply(SpacePanda.builder());
    if (!sync) {
      b.syncInterval(Duration.ZERO);
    }
    if (!mailboxes) {
      b.mailboxHolders(0);
    }
    SpacePanda n = b
        .storage(storage)
        .transport(wrap.apply(net.transportFactory()))
        .jitter(jitter)
        .clock(net.clock())
        .scheduler(net.scheduler())
        .random(seeded(seed * 31 + (counter++)))
        .listenerExecutor(Runnable::run)
        .listener(events)
        .build();
    CompletableFuture<Void> started = n.start();
    net.runFor(Duration.ofMillis(1));
    started.join();
    nodes.add(n);
    return new Node(n, events);
  }

  /**
   * Runs the network for one virtual minute: long enough for every copy, acknowledgement and
   * retry in flight with {@code Jitter.none()}; retries to an offline peer continue beyond it.
   */
  void settle() {
    net.runFor(Duration.ofMinutes(1));
  }

  /** Runs the network and returns the future's value. */
  <T> T await(CompletableFuture<T> f) {
    settle();
    try {
      return f.get(0, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future not complete after settling (seed " + seed + "): " + e, e);
    }
  }

  /**
   * Runs the network in one-second steps until the future completes, for at most {@code max} of
   * virtual time (for traffic paced by a Poisson stream, where one minute is not always enough).
   */
  <T> T awaitWithin(CompletableFuture<T> f, Duration max) {
    for (long s = 0; s < max.toSeconds() && !f.isDone(); s++) {
      net.runFor(Duration.ofSeconds(1));
    }
    try {
      return f.get(0, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future not complete after " + max + " (seed " + seed + "): " + e,
          e);
    }
  }

  void run(Duration d) {
    net.runFor(d);
  }

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (SpacePanda n : nodes) {
      n.close();
    }
  }

  /** One envelope a node handed to its transport. */
  record Sent(PeerId to, byte[] envelope, Duration at) {}

  /** Decides what becomes of one envelope a wrapped transport is asked to send. */
  @FunctionalInterface
  interface SendHook {
    /**
     * @param real the wrapped transport, to send through or not
     * @param to the recipient
     * @param envelope the bytes
     * @return what the node's send returns
     */
    CompletableFuture<Void> send(Transport real, PeerId to, byte[] envelope);
  }

  /** Wraps a transport factory so that every send goes through {@code hook}; the rest forwards. */
  static UnaryOperator<Transport.Factory> interceptSends(SendHook hook) {
    return factory -> context -> {
      Transport t = factory.create(context);
      return new Transport() {
        @Override
        public CompletableFuture<Void> start() {
          return t.start();
        }

        @Override
        public List<String> listenAddresses() {
          return t.listenAddresses();
        }

        @Override
        public void addPeerAddress(PeerId peer, String address) {
          t.addPeerAddress(peer, address);
        }

        @Override
        public CompletableFuture<Void> send(PeerId recipient, byte[] envelope) {
          return hook.send(t, recipient, envelope);
        }

        @Override
        public java.util.Set<PeerId> connectedPeers() {
          return t.connectedPeers();
        }

        @Override
        public void close() {
          t.close();
        }
      };
    };
  }

  /** Wraps a transport factory so that every envelope sent is recorded in {@code out}. */
  UnaryOperator<Transport.Factory> tap(List<Sent> out) {
    return interceptSends((t, recipient, envelope) -> {
      out.add(new Sent(recipient, envelope.clone(), net.now()));
      return t.send(recipient, envelope);
    });
  }

  /** A node and what its listener saw. */
  record Node(SpacePanda node, Events events) {
    PeerId id() {
      return node.peerId();
    }
  }

  /** Records listener events as text lines and messages. */
  static final class Events implements SpacePandaListener {
    final String name;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final List<Message> messages = Collections.synchronizedList(new ArrayList<>());
    /** Channel member events as "J|R|L channelId peer" (joined, removed, left), in order. */
    final List<String> members = Collections.synchronizedList(new ArrayList<>());
    /** Delivery progress and failure events, kept apart from {@link #log}. */
    final List<String> deliveries = Collections.synchronizedList(new ArrayList<>());

    Events(String name) {
      this.name = name;
    }

    @Override
    public void onMessage(Channel channel, Message message) {
      messages.add(message);
      log.add("message " + channel.name() + " " + message.text());
    }

    @Override
    public void onForkResolved(Space space, String groupId, long forkEpoch) {
      log.add("fork resolved " + groupId + " at " + forkEpoch);
    }

    @Override
    public void onForkUnresolved(Space space, String groupId, long forkEpoch) {
      log.add("fork unresolved " + groupId + " at " + forkEpoch);
    }

    @Override
    public void onMemberJoined(Channel channel, PeerId member) {
      log.add("joined " + channel.name() + " " + member);
      members.add("J " + channel.id() + " " + member);
    }

    @Override
    public void onMemberLeft(Channel channel, PeerId member) {
      log.add("left " + channel.name() + " " + member);
      members.add("L " + channel.id() + " " + member);
    }

    @Override
    public void onMemberRemoved(Channel channel, PeerId member) {
      log.add("removed " + member);
      members.add("R " + channel.id() + " " + member);
    }

    @Override
    public void onChannelCreated(Channel channel) {
      log.add("channel " + channel.name());
    }

    @Override
    public void onChannelRenamed(Channel channel, String oldName) {
      log.add("renamed " + oldName + " -> " + channel.name());
    }

    @Override
    public void onDeliveryProgress(MessageId message, int acknowledged, int recipients) {
      deliveries.add("progress " + message + " " + acknowledged + "/" + recipients);
    }

    @Override
    public void onDeliveryFailed(MessageId message, PeerId recipient, Throwable cause) {
      deliveries.add("failed " + message + " " + recipient);
    }

    @Override
    public void onPeerConnected(PeerId peer) {
      log.add("connected " + peer);
    }

    @Override
    public void onPeerLost(PeerId peer) {
      log.add("lost " + peer);
    }

    @Override
    public void onGovernanceChanged(Space space, SpaceGovernance governance) {
      log.add("governance " + governance);
    }

    @Override
    public void onSpaceJoined(Space space) {
      log.add("space " + space.name());
    }

    List<String> texts() {
      synchronized (messages) {
        return messages.stream().map(Message::text).toList();
      }
    }
  }
}
