package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.NodeEventListener.ActorKind;
import io.spacepanda.NodeEventListener.DropReason;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The operational events and gauges of nodes on the simulated network: what a send and a receive
 * report, a listener that throws, the outbox backlog while a peer is offline, held and dropped
 * envelopes.
 */
class NodeEventListenerTest {

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp(TestInfo info) {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed).withoutSync();
    System.out.println(info.getDisplayName() + " seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  /** Records every event as a line of text. */
  static final class Recorder implements NodeEventListener {
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void envelopeReceived(int bytes) {
      log.add("received " + (bytes > 0));
    }

    @Override
    public void envelopeDropped(DropReason reason) {
      log.add("dropped " + reason);
    }

    @Override
    public void envelopeHeld() {
      log.add("held");
    }

    @Override
    public void messageSent(String channelId, int recipients) {
      log.add("sent " + channelId + " " + recipients);
    }

    @Override
    public void messageReceived(String channelId) {
      log.add("message " + channelId);
    }

    @Override
    public void copyDelivered(PeerId recipient) {
      log.add("delivered " + recipient);
    }

    @Override
    public void copyFailed(PeerId recipient, int attempts, boolean willRetry) {
      log.add("failed " + recipient + (willRetry ? " retry" : " gave up"));
    }

    @Override
    public void stepCommitted(ActorKind kind, long nanos) {
      if (nanos > 0) {
        log.add("step " + kind);
      }
    }

    long count(String line) {
      synchronized (log) {
        return log.stream().filter(line::equals).count();
      }
    }
  }

  /** Throws from every event. */
  static final class Thrower implements NodeEventListener {
    int calls;

    private RuntimeException boom() {
      calls++;
      return new IllegalStateException("listener bug");
    }

    @Override
    public void envelopeReceived(int bytes) {
      throw boom();
    }

    @Override
    public void messageReceived(String channelId) {
      throw boom();
    }

    @Override
    public void messageSent(String channelId, int recipients) {
      throw boom();
    }

    @Override
    public void copyDelivered(PeerId recipient) {
      throw boom();
    }

    @Override
    public void stepCommitted(ActorKind kind, long nanos) {
      throw boom();
    }
  }

  private SimCluster.Node node(String name, NodeEventListener l) {
    return node(name, l, UnaryOperator.identity());
  }

  private SimCluster.Node node(String name, NodeEventListener l,
      UnaryOperator<Transport.Factory> wrap) {
    return cluster.node(name, Storages.inMemory(), wrap, Jitter.none(),
        b -> b.eventListener(l));
  }

  private static Channel general(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow().channel("general").orElseThrow();
  }

  @Test
  void sendAndReceive_reportSentReceivedDeliveredAndSteps() {
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    SimCluster.Node alice = node("alice", a);
    SimCluster.Node bob = node("bob", b);
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.settle();
    Channel general = general(alice, space);
    a.log.clear();
    b.log.clear();

    cluster.await(general.send("hi bob"));
    cluster.settle();

    assertEquals(1, a.count("sent " + general.id() + " 1"), "seed " + seed + " " + a.log);
    assertEquals(1, a.count("delivered " + bob.id()), "seed " + seed + " " + a.log);
    assertTrue(a.count("step SPACE") >= 1, a.log::toString);
    assertTrue(a.count("step OUTBOX") >= 1, a.log::toString);
    assertEquals(1, b.count("message " + general.id()), "seed " + seed + " " + b.log);
    assertTrue(b.count("received true") >= 1, b.log::toString);
    assertEquals(1, alice.node().metrics().messagesSent());
    assertEquals(0, alice.node().metrics().messagesReceived());
    assertEquals(1, bob.node().metrics().messagesReceived());
    assertEquals(1, alice.node().metrics().spaces());
    assertEquals(1, bob.node().metrics().spaces());
    assertEquals(0, alice.node().metrics().outboxBacklog());
    assertEquals(0, bob.node().metrics().syncGaps());
  }

  @Test
  void throwingListener_nodeWorksOn() {
    Thrower t = new Thrower();
    SimCluster.Node alice = node("alice", t);
    SimCluster.Node bob = node("bob", new Thrower());
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.settle();

    cluster.await(general(alice, space).send("still here"));
    cluster.await(general(bob, space).send("me too"));
    cluster.settle();

    assertEquals(List.of("me too"), alice.events().texts(), "seed " + seed);
    assertEquals(List.of("still here"), bob.events().texts(), "seed " + seed);
    assertTrue(t.calls > 0, "the listener was called");
    assertEquals(1, alice.node().metrics().messagesReceived());
  }

  @Test
  void peerOffline_backlogGrowsThenReturnsToZeroAfterDelivery() {
    Recorder a = new Recorder();
    SimCluster.Node alice = node("alice", a);
    SimCluster.Node bob = node("bob", NodeEventListener.none());
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.settle();
    assertEquals(0, alice.node().metrics().outboxBacklog(), "seed " + seed);

    cluster.net.partition(Set.of(alice.id()), Set.of(bob.id()));
    cluster.await(general(alice, space).send("one"));
    cluster.await(general(alice, space).send("two"));
    cluster.run(Duration.ofSeconds(30));
    assertEquals(2, alice.node().metrics().outboxBacklog(), "seed " + seed);
    assertTrue(a.count("failed " + bob.id() + " retry") >= 2, a.log::toString);

    cluster.net.heal();
    cluster.run(Duration.ofMinutes(10));
    assertEquals(0, alice.node().metrics().outboxBacklog(), "seed " + seed);
    assertEquals(Set.of("one", "two"), Set.copyOf(bob.events().texts()), "seed " + seed);
  }

  @Test
  void peerGoneForGood_copyGivenUpOnceAndLeavesTheBacklog() {
    Recorder a = new Recorder();
    SimCluster.Node alice = cluster.node("alice", Storages.inMemory(), UnaryOperator.identity(),
        Jitter.none(), b -> b.eventListener(a).deliveryHorizon(Duration.ofHours(1)));
    SimCluster.Node bob = node("bob", NodeEventListener.none());
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.settle();

    cluster.net.partition(Set.of(alice.id()), Set.of(bob.id()));
    cluster.await(general(alice, space).send("never arrives"));
    cluster.run(Duration.ofHours(2));

    assertEquals(1, a.count("failed " + bob.id() + " gave up"), "seed " + seed);
    assertEquals(0, alice.node().metrics().outboxBacklog(), "seed " + seed);
  }

  @Test
  void storageFailureWhileReceiving_isReportedWithItsOperation() {
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    NodeEventListener l = new NodeEventListener() {
      @Override
      public void storageFailed(String operation, io.spacepanda.spi.StorageException cause) {
        failures.add(operation + ": " + cause.getMessage());
      }
    };
    StorageFailureTest.FailingStorage bobStore =
        new StorageFailureTest.FailingStorage(Storages.inMemory());
    SimCluster.Node alice = node("alice", NodeEventListener.none());
    SimCluster.Node bob = cluster.node("bob", bobStore, UnaryOperator.identity(), Jitter.none(),
        b -> b.eventListener(l));
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.settle();

    bobStore.failNextInsert.set(true);
    cluster.await(general(alice, space).send("two"));
    cluster.settle();

    assertEquals(List.of("a space step: injected storage failure"), failures, "seed " + seed);
    assertEquals(List.of("two"), bob.events().texts(), "the retried copy is stored");
    assertEquals(0, alice.node().metrics().outboxBacklog(), "seed " + seed);
  }

  @Test
  void envelopeOfUnknownGroup_isHeldAndCounted_garbageIsDroppedAsMalformed() {
    List<SimCluster.Sent> sent = Collections.synchronizedList(new ArrayList<>());
    SimCluster.Node alice = cluster.node("alice", Storages.inMemory(), cluster.tap(sent));
    SimCluster.Node bob = cluster.node("bob");
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.settle();
    sent.clear();
    cluster.await(general(alice, space).send("for members only"));
    cluster.settle();
    byte[] envelope = sent.stream().filter(s -> s.to().equals(bob.id())).findFirst()
        .orElseThrow().envelope();

    Recorder c = new Recorder();
    AtomicReference<TransportListener> carolInbound = new AtomicReference<>();
    SimCluster.Node carol = node("carol", c, f -> context -> {
      carolInbound.set(context.listener());
      return f.create(context);
    });
    cluster.await(carolInbound.get().onEnvelope(alice.id(), envelope));
    cluster.await(carolInbound.get().onEnvelope(alice.id(), new byte[] {1, 2, 3}));

    assertEquals(1, carol.node().metrics().heldEnvelopes(), c.log::toString);
    assertEquals(1, c.count("held"), c.log::toString);
    assertEquals(1, c.count("dropped " + DropReason.MALFORMED), c.log::toString);
    assertEquals(1, carol.node().metrics().droppedEnvelopes());
    assertEquals(1, carol.node().droppedEnvelopes());
    assertEquals(2, c.count("received true"), c.log::toString);
  }
}
