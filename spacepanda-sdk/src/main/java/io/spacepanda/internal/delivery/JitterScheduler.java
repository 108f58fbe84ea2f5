package io.spacepanda.internal.delivery;

import io.spacepanda.Jitter;
import io.spacepanda.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Schedules the copies of a broadcast, one per recipient, each after its own random delay drawn
 * from the node's {@link Jitter} (DESIGN.md, "Jittered broadcast").
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

  /**
   * Schedules one copy per recipient, each after its own freshly drawn delay.
   *
   * @param recipients the recipients; duplicates get one copy
   * @param send sends the copy for one recipient; runs on the scheduler's thread
   * @param <R> the recipient type
   * @return the scheduled copies, by recipient, in the order given
   */
  public <R> Broadcast<R> schedule(Collection<R> recipients, Consumer<? super R> send) {
    Objects.requireNonNull(recipients, "recipients");
    Objects.requireNonNull(send, "send");
    Map<R, Scheduler.Cancellable> copies = new LinkedHashMap<>();
    for (R r : recipients) {
      Objects.requireNonNull(r, "recipient");
      if (!copies.containsKey(r)) {
        copies.put(r, scheduler.schedule(nextDelay(), () -> send.accept(r)));
      }
    }
    return new Broadcast<>(copies);
  }

  private Duration nextDelay() {
    synchronized (this) {
      return jitter.delay(random);
    }
  }

  /**
   * The scheduled copies of one broadcast.
   *
   * @param <R> the recipient type
   */
  public static final class Broadcast<R> {

    private final Map<R, Scheduler.Cancellable> copies;

    Broadcast(Map<R, Scheduler.Cancellable> copies) {
      this.copies = Collections.unmodifiableMap(copies);
    }

    /**
     * Returns the recipients that got a copy, in the order given.
     *
     * @return an unmodifiable list
     */
    public List<R> recipients() {
      return List.copyOf(new ArrayList<>(copies.keySet()));
    }

    /**
     * Cancels the copy for one recipient if it has not been sent.
     *
     * @param recipient the recipient
     * @return true if this call prevented the copy from being sent
     */
    public boolean cancel(R recipient) {
      Scheduler.Cancellable c = copies.get(recipient);
      return c != null && c.cancel();
    }

    /**
     * Cancels every copy that has not been sent.
     *
     * @return how many copies this call prevented from being sent
     */
    public int cancelAll() {
      int n = 0;
      for (Scheduler.Cancellable c : copies.values()) {
        if (c.cancel()) {
          n++;
        }
      }
      return n;
    }
  }
}
