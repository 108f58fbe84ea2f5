package io.spacepanda.internal.node;

import io.spacepanda.Jitter;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.crypto.InboxKey;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.internal.envelope.Padding;
import io.spacepanda.internal.mls.group.MlsConfig;
import io.spacepanda.spi.Storage;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Builds the {@link NodeContext} of a node without networking, as {@code NodeRuntime.start()}
 * does, for tests of one service: fresh keys, default padding, every lane and listener on the
 * calling thread.
 */
final class TestContexts {

  private TestContexts() {}

  static NodeContext create(Storage storage, Clock clock, Scheduler scheduler,
      SpacePandaListener listener) {
    return create(storage, clock, scheduler, listener, NodeConfig.DEFAULT_DELIVERY_HORIZON);
  }

  static NodeContext create(Storage storage, Clock clock, Scheduler scheduler,
      SpacePandaListener listener, Duration deliveryHorizon) {
    SecureRandom random = new SecureRandom();
    NodeConfig config = new NodeConfig(null, storage, null, List.of(), List.of(), Jitter.none(),
        null, 2, clock, scheduler, random, Runnable::run, Runnable::run,
        java.time.Duration.ofDays(7), listener, null, io.spacepanda.NodeEventListener.none(),
        deliveryHorizon, java.time.Duration.ZERO);
    NodeStats stats = new NodeStats(io.spacepanda.NodeEventListener.none(), System::nanoTime);
    StepRunner steps = new StepRunner(storage, new SerialExecutor(Runnable::run), listener, stats);
    return new NodeContext(config, storage, IdentityKey.generate(random),
        InboxKey.generate(random), MlsConfig.builder().clock(clock).random(random).build(),
        Padding.defaults(), scheduler, Runnable::run, steps, stats);
  }
}
