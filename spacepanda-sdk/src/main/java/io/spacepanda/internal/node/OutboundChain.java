package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.internal.delivery.JitterScheduler;
import io.spacepanda.spi.Transport;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The outbound path of one copy of an envelope, as a chain of small interceptors in the style of
 * OkHttp's {@code Interceptor.Chain}: jitter, then a per-recipient window, then a fresh seal per
 * copy, then (later) mix and cover steps, then the transport.
 *
 * <p>Each interceptor sees the copy, may delay or transform it, and calls {@link Chain#proceed}
 * once to hand it on; the last one sends it. The future completes when the recipient acknowledged
 * the copy, or exceptionally when it could not be delivered. Interceptors are stateless or
 * thread-safe; they run on whatever thread calls them (a lane, the scheduler, a transport thread)
 * and never block.
 */
final class OutboundChain {

  /**
   * One copy on its way to one recipient.
   *
   * @param to the recipient
   * @param envelope the sealed bytes
   * @param attempt 0 for the first attempt, then 1, 2, … for retries
   */
  record Copy(PeerId to, byte[] envelope, int attempt) {
    Copy {
      Objects.requireNonNull(to, "to");
      Objects.requireNonNull(envelope, "envelope");
    }
  }

  /** One step of the chain. */
  @FunctionalInterface
  interface Interceptor {
    /**
     * @param chain the copy and the rest of the chain
     * @return completes when the copy was delivered, or exceptionally
     */
    CompletableFuture<Void> intercept(Chain chain);
  }

  /** The copy and the interceptors after the current one. */
  interface Chain {
    /** @return the copy as the previous interceptor handed it on */
    Copy copy();

    /**
     * Hands a copy to the next interceptor.
     *
     * @param copy the copy
     * @return the next interceptor's result
     */
    CompletableFuture<Void> proceed(Copy copy);
  }

  private final List<Interceptor> interceptors;

  OutboundChain(List<Interceptor> interceptors) {
    this.interceptors = List.copyOf(interceptors);
    if (this.interceptors.isEmpty()) {
      throw new IllegalArgumentException("the chain needs at least the transport step");
    }
  }

  /**
   * Sends a copy through the whole chain.
   *
   * @param copy the copy
   * @return completes when delivered, or exceptionally
   */
  CompletableFuture<Void> send(Copy copy) {
    return new RealChain(0, copy).proceed(copy);
  }

  private final class RealChain implements Chain {
    private final int index;
    private final Copy copy;

    RealChain(int index, Copy copy) {
      this.index = index;
      this.copy = copy;
    }

    @Override
    public Copy copy() {
      return copy;
    }

    @Override
    public CompletableFuture<Void> proceed(Copy next) {
      if (index >= interceptors.size()) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("the chain ended without sending"));
      }
      try {
        CompletableFuture<Void> f = interceptors.get(index).intercept(new RealChain(index + 1, next));
        return f == null ? CompletableFuture.failedFuture(
            new IllegalStateException("an interceptor returned null")) : f;
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  /**
   * Delays each first attempt by the node's jitter, so that copies of one message leave at
   * independent random times; retries are not delayed again (their backoff already spreads them).
   *
   * @param jitter the jitter scheduler
   * @return the interceptor
   */
  static Interceptor jitter(JitterScheduler jitter) {
    Objects.requireNonNull(jitter, "jitter");
    return chain -> {
      if (chain.copy().attempt() > 0) {
        return chain.proceed(chain.copy());
      }
      CompletableFuture<Void> done = new CompletableFuture<>();
      jitter.scheduleCopy(() -> chain.proceed(chain.copy()).whenComplete((v, e) -> {
        if (e == null) {
          done.complete(null);
        } else {
          done.completeExceptionally(e);
        }
      }));
      return done;
    };
  }

  /**
   * Keeps at most {@code maxInFlight} copies per recipient unacknowledged at once; further copies
   * wait, in the order they came, until one completes. Bounds the receiver's open streams (it
   * acknowledges only once a copy is durable, and resets streams beyond its own limit) and keeps
   * copies to one recipient close to their sending order.
   *
   * @param maxInFlight copies per recipient in flight at once, at least 1
   * @return the interceptor
   */
  static Interceptor window(int maxInFlight) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
    }
    java.util.Map<PeerId, Window> windows = new java.util.concurrent.ConcurrentHashMap<>();
    return chain -> {
      PeerId to = chain.copy().to();
      CompletableFuture<Void> done = new CompletableFuture<>();
      Runnable go = () -> chain.proceed(chain.copy()).whenComplete((v, e) -> {
        Runnable next;
        synchronized (windows) {
          Window w = windows.get(to);
          next = w.waiting.poll();
          if (next == null) {
            w.inFlight--;
            if (w.inFlight == 0) {
              windows.remove(to);
            }
          }
        }
        if (e == null) {
          done.complete(null);
        } else {
          done.completeExceptionally(e);
        }
        if (next != null) {
          next.run();
        }
      });
      boolean now;
      synchronized (windows) {
        Window w = windows.computeIfAbsent(to, k -> new Window());
        now = w.inFlight < maxInFlight;
        if (now) {
          w.inFlight++;
        } else {
          w.waiting.add(go);
        }
      }
      if (now) {
        go.run();
      }
      return done;
    };
  }

  /** Copies in flight to one recipient, and those waiting for a free slot. */
  private static final class Window {
    int inFlight;
    final java.util.ArrayDeque<Runnable> waiting = new java.util.ArrayDeque<>();
  }

  /**
   * Gives every copy bytes of its own: {@code reseal} re-encrypts a group envelope for its
   * recipient (issue 16: copies of one message to different members shared every byte). An
   * envelope it cannot reseal (a direct one, already sealed per recipient, or one whose epoch keys
   * are gone) goes on unchanged.
   *
   * @param reseal returns the recipient's copy of an envelope, or the envelope itself; never throws
   * @return the interceptor
   */
  static Interceptor reseal(java.util.function.BiFunction<PeerId, byte[], byte[]> reseal) {
    Objects.requireNonNull(reseal, "reseal");
    return chain -> {
      Copy c = chain.copy();
      return chain.proceed(new Copy(c.to(), reseal.apply(c.to(), c.envelope()), c.attempt()));
    };
  }

  /**
   * The last step: hands the copy to the transport, or fails when there is none (closed node).
   *
   * @param transport supplies the current transport, or null
   * @return the interceptor
   */
  static Interceptor transport(Supplier<Transport> transport) {
    Objects.requireNonNull(transport, "transport");
    return chain -> {
      Transport t = transport.get();
      if (t == null) {
        return CompletableFuture.failedFuture(new IllegalStateException("the node is closed"));
      }
      return t.send(chain.copy().to(), chain.copy().envelope());
    };
  }
}
