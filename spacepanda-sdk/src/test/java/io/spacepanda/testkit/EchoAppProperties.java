package io.spacepanda.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportListener;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Shows how an app property-tests itself with the testkit: a trivial echo app with a retrying
 * outbox and deduplication by message id delivers every message, and every echo, exactly once,
 * whatever faults the network had before they healed.
 */
class EchoAppProperties {

  private static final int NODES = 3;
  private static final Duration HEAL_BY = Duration.ofSeconds(30);
  private static final Duration SETTLE = Duration.ofSeconds(60);
  private static final Duration RETRY_EVERY = Duration.ofMillis(250);

  /** Node {@code from} sends a new message to node {@code from + 1 + offset}, modulo the size. */
  record Send(int from, int offset) {}

  @Provide
  Arbitrary<FaultSchedule> faults() {
    return NetworkArbitraries.faultSchedules(NODES, HEAL_BY);
  }

  @Provide
  Arbitrary<List<ScheduledOp<Send>>> sends() {
    Arbitrary<Send> send = Combinators.combine(
        Arbitraries.integers().between(0, NODES - 1),
        Arbitraries.integers().between(0, NODES - 2)).as(Send::new);
    return NetworkArbitraries.schedules(send, 25, HEAL_BY);
  }

  @Property(tries = 200)
  void everyMessageAndEchoArrivesExactlyOnce(@ForAll long seed,
      @ForAll("faults") FaultSchedule faults, @ForAll("sends") List<ScheduledOp<Send>> sends) {
    SimulatedNetwork net = new SimulatedNetwork(seed);
    List<PeerId> peers = TestPeers.peers(NODES);
    List<EchoNode> nodes = new ArrayList<>();
    for (PeerId p : peers) {
      EchoNode n = new EchoNode(net, p);
      n.start();
      nodes.add(n);
    }
    faults.applyTo(net, peers, i -> nodes.get(i).start());
    Map<Long, Integer> recipientOf = new HashMap<>();
    Map<Long, Integer> senderOf = new HashMap<>();
    long[] nextId = {0};
    ScheduledOp.scheduleAll(net, sends, op -> {
      long id = nextId[0]++;
      int to = (op.from() + 1 + op.offset()) % NODES;
      senderOf.put(id, op.from());
      recipientOf.put(id, to);
      nodes.get(op.from()).send(peers.get(to), id);
    });

    net.runFor(HEAL_BY.plus(SETTLE));

    String why = net + " faults=" + faults;
    assertEquals(sends.size(), recipientOf.size(), why);
    for (int i = 0; i < NODES; i++) {
      Map<Long, Integer> expectedMessages = new HashMap<>();
      Map<Long, Integer> expectedEchoes = new HashMap<>();
      for (Map.Entry<Long, Integer> e : recipientOf.entrySet()) {
        if (e.getValue() == i) {
          expectedMessages.put(e.getKey(), 1);
        }
        if (senderOf.get(e.getKey()) == i) {
          expectedEchoes.put(e.getKey(), 1);
        }
      }
      assertEquals(expectedMessages, nodes.get(i).messagesReceived, "node " + i + ": " + why);
      assertEquals(expectedEchoes, nodes.get(i).echoesReceived, "node " + i + ": " + why);
    }
  }

  /**
   * The app: messages and echoes wait in a durable outbox until acknowledged and are sent again
   * every {@link #RETRY_EVERY}; receivers drop what they have seen. The outbox and the seen-sets
   * survive a crash, as they would in storage.
   */
  static final class EchoNode implements TransportListener {
    private static final byte MESSAGE = 1;
    private static final byte ECHO = 2;

    final SimulatedNetwork net;
    final PeerId self;
    final Map<Long, Integer> messagesReceived = new HashMap<>();
    final Map<Long, Integer> echoesReceived = new HashMap<>();
    private final Set<Long> seenMessages = new HashSet<>();
    private final Set<Long> seenEchoes = new HashSet<>();
    private final Map<String, Outgoing> outbox = new LinkedHashMap<>();
    private Transport transport;
    private boolean ticking;

    EchoNode(SimulatedNetwork net, PeerId self) {
      this.net = net;
      this.self = self;
    }

    void start() {
      transport = net.transportFactory().create(TestPeers.context(self, this));
      transport.start().join();
      if (!ticking) {
        ticking = true;
        tick();
      }
    }

    void send(PeerId to, long id) {
      enqueue(to, MESSAGE, id);
    }

    private void enqueue(PeerId to, byte kind, long id) {
      outbox.putIfAbsent(kind + ":" + id, new Outgoing(to, encode(kind, id)));
    }

    private void tick() {
      for (Map.Entry<String, Outgoing> e : List.copyOf(outbox.entrySet())) {
        Outgoing o = e.getValue();
        if (!o.inFlight) {
          o.inFlight = true;
          transport.send(o.to, o.bytes).whenComplete((ok, err) -> {
            o.inFlight = false;
            if (err == null) {
              outbox.remove(e.getKey());
            }
          });
        }
      }
      net.scheduler().schedule(RETRY_EVERY, this::tick);
    }

    @Override
    public CompletableFuture<Void> onEnvelope(PeerId connectionPeer, byte[] envelope) {
      ByteBuffer b = ByteBuffer.wrap(envelope);
      byte kind = b.get();
      long id = b.getLong();
      if (kind == MESSAGE && seenMessages.add(id)) {
        messagesReceived.merge(id, 1, Integer::sum);
        enqueue(connectionPeer, ECHO, id);
      } else if (kind == ECHO && seenEchoes.add(id)) {
        echoesReceived.merge(id, 1, Integer::sum);
      }
      return CompletableFuture.completedFuture(null);
    }

    private static byte[] encode(byte kind, long id) {
      return ByteBuffer.allocate(9).put(kind).putLong(id).array();
    }

    private static final class Outgoing {
      final PeerId to;
      final byte[] bytes;
      boolean inFlight;

      Outgoing(PeerId to, byte[] bytes) {
        this.to = to;
        this.bytes = bytes;
      }
    }
  }
}
