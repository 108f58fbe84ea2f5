package io.spacepanda.internal.net.autonat;

import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.relay.FramedStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The AutoNAT v1 client: asks servers to dial this host back and judges its reachability from the
 * last {@link #WINDOW} definite answers ({@code OK} or {@code E_DIAL_ERROR}; refusals say
 * nothing): {@link Reachability#PUBLIC} or {@link Reachability#PRIVATE} by majority, {@link
 * Reachability#UNKNOWN} before any. A private node should reserve a relay slot. Thread-safe.
 */
public final class AutonatClient {

  /** How many recent answers decide. */
  public static final int WINDOW = 3;

  /** What the probes say about this host. */
  public enum Reachability {
    /** No definite answer yet. */
    UNKNOWN,
    /** Servers could dial this host back. */
    PUBLIC,
    /** Servers could not: behind a NAT or firewall. */
    PRIVATE
  }

  private final Host host;
  private final Duration timeout;
  private final Deque<Boolean> answers = new ArrayDeque<>(); // guarded by this

  /**
   * Creates a client.
   *
   * @param host the host to probe for
   * @param timeout how long a server may take to answer (its dial-backs included)
   */
  public AutonatClient(Host host, Duration timeout) {
    this.host = Objects.requireNonNull(host, "host");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Asks the server at the other end of {@code server} to dial {@code addrs} back.
   *
   * @param server a connection to an AutoNAT server
   * @param addrs the addresses to try: listen addresses and those identify observed
   * @return completes with the response status ({@link AutonatMessage#OK}, {@link
   *     AutonatMessage#E_DIAL_ERROR} …), or fails with {@link AutonatException} or a stream failure
   */
  public CompletableFuture<Integer> probe(Connection server, List<Multiaddr> addrs) {
    List<byte[]> bytes = new ArrayList<>();
    for (Multiaddr m : addrs) {
      if (!m.isCircuit() && bytes.size() < AutonatMessage.MAX_ADDRS) {
        bytes.add(m.withoutPeerId().toBytes());
      }
    }
    byte[] request = AutonatMessage.dial(host.peerId().bytes(), bytes).encode();
    FramedStream[] fs = new FramedStream[1];
    return server.openStream(List.of(AutonatMessage.PROTOCOL_ID),
            (c, s, p) -> fs[0] = new FramedStream(s, AutonatMessage.MAX_MESSAGE_BYTES))
        .thenCompose(s -> {
          CompletableFuture<byte[]> answer = new CompletableFuture<>();
          s.executor().execute(() -> {
            fs[0].write(request);
            fs[0].read().whenComplete((b, e) -> {
              if (e != null) {
                answer.completeExceptionally(e);
              } else {
                answer.complete(b);
              }
            });
          });
          return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        })
        .thenApply(b -> {
          AutonatMessage m;
          try {
            m = AutonatMessage.decode(b);
          } catch (AutonatException e) {
            throw new CompletionException(e);
          }
          if (m.type() != AutonatMessage.DIAL_RESPONSE || m.status() < 0) {
            throw new CompletionException(new AutonatException("not a dial response"));
          }
          record(m.status());
          return m.status();
        });
  }

  private synchronized void record(int status) {
    if (status != AutonatMessage.OK && status != AutonatMessage.E_DIAL_ERROR) {
      return;
    }
    answers.addLast(status == AutonatMessage.OK);
    while (answers.size() > WINDOW) {
      answers.removeFirst();
    }
  }

  /**
   * Returns the reachability the recent answers show.
   *
   * @return the majority of the last {@link #WINDOW} definite answers, or {@link Reachability#UNKNOWN}
   */
  public synchronized Reachability reachability() {
    if (answers.isEmpty()) {
      return Reachability.UNKNOWN;
    }
    long ok = answers.stream().filter(b -> b).count();
    return ok * 2 >= answers.size() ? Reachability.PUBLIC : Reachability.PRIVATE;
  }
}
