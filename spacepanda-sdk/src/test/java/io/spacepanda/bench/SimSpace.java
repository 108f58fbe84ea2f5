package io.spacepanda.bench;

import io.spacepanda.Channel;
import io.spacepanda.Jitter;
import io.spacepanda.Space;
import io.spacepanda.SpacePanda;
import io.spacepanda.Storages;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A space on a simulated network (virtual time, in-memory stores, no jitter, seeded randomness)
 * whose default channel has a given number of members: the fixture of the simulated node
 * benchmarks ({@link PipelineBenchmark}, {@link SenderCostBenchmark}).
 */
final class SimSpace implements AutoCloseable {

  final SimulatedNetwork net = new SimulatedNetwork(1);
  final Channel channel;
  private final List<SpacePanda> nodes = new ArrayList<>();
  private final Duration syncInterval;

  /**
   * Builds the space: node 0 creates it, the others join by invite.
   *
   * @param members members of the default channel, the sender included
   */
  SimSpace(int members) throws Exception {
    this(members, null);
  }

  /**
   * Builds the space with a sync interval for every node.
   *
   * @param members members of the default channel, the sender included
   * @param syncInterval every node's sync interval, or null for the default (30 s)
   */
  SimSpace(int members, Duration syncInterval) throws Exception {
    this.syncInterval = syncInterval;
    SpacePanda owner = node(0);
    Space space = settle(owner.createSpace("bench"));
    for (int i = 1; i < members; i++) {
      SpacePanda n = node(i);
      settle(n.join(settle(space.createInvite())));
    }
    net.runFor(Duration.ofMinutes(1));
    channel = space.channel("general").orElseThrow();
    if (channel.members().size() != members) {
      throw new IllegalStateException("channel has " + channel.members().size() + " members");
    }
  }

  private SpacePanda node(int i) throws NoSuchAlgorithmException {
    SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
    r.setSeed(i);
    SpacePanda.Builder b = SpacePanda.builder().storage(Storages.inMemory())
        .transport(net.transportFactory()).jitter(Jitter.none()).clock(net.clock())
        .scheduler(net.scheduler()).random(r).listenerExecutor(Runnable::run);
    if (syncInterval != null) {
      b.syncInterval(syncInterval);
    }
    SpacePanda n = b.build();
    settle(n.start());
    nodes.add(n);
    return n;
  }

  private <T> T settle(CompletableFuture<T> f) {
    net.runFor(Duration.ofSeconds(5));
    return f.join();
  }

  /** Stops every node. */
  @Override
  public void close() {
    for (SpacePanda n : nodes) {
      n.close();
    }
  }
}
