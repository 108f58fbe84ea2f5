package io.spacepanda.internal.delivery;

import io.spacepanda.Jitter;
import io.spacepanda.spi.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Schedules the copies of a broadcast, one per recipient, each after its own random delay drawn
 * from the node's {@link Jitter} (README, "How it works": jittered broadcast).
 *
 * <p>Design: delays are drawn independently per copy, so no two copies of a message are linked by
 * their send times; nothing here orders messages (display order is by Lamport clock upstream). The
 * scheduler and random source are injected, so a test on virtual time replays a schedule from its
 * seed.
 *
 * <p>Thread-safe: delays are drawn under this object's lock because a {@link RandomGenerator} need
 * not be; sending tasks run on the injected scheduler's threads.
 */
public final class JitterScheduler {

  private final Jitter jitter;
  private final Scheduler scheduler;
  private final RandomGenerator random;

  /**
   * Creates a jitter scheduler.
   *
   * @param jitter the delay distribution
   * @param scheduler where the delayed copies run
   * @param random the source of the delays; used only under this object's lock
   */
  public JitterScheduler(Jitter jitter, Scheduler scheduler, RandomGenerator random) {
    this.jitter = Objects.requireNonNull(jitter, "jitter");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Returns the delay distribution.
   *
   * @return the jitter
   */
  public Jitter jitter() {
    return jitter;
  }

  /**
   * Schedules one copy after a freshly drawn delay.
   *
   * @param send the task that sends the copy
   * @return a handle that cancels the copy if it has not been sent
   */
  public Scheduler.Cancellable scheduleCopy(Runnable send) {
    Objects.requireNonNull(send, "send");
    return scheduler.schedule(nextDelay(), send);
  }

  private Duration nextDelay() {
    synchronized (this) {
      return jitter.delay(random);
    }
  }
}
