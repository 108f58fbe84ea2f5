package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.spacepanda.internal.net.transport.Libp2pTransport;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.spi.TransactionWork;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.spi.TransportListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Over real libp2p TCP on loopback, no storage transaction (and so no MLS or HPKE step, which
 * always ends in one) runs on a transport thread: the inbound router classifies envelopes on the
 * transport's threads and hands them to the node's workers.
 */
class TransportThreadTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0";

  /** Set while a transport thread is inside the node's {@code onEnvelope}. */
  private static final ThreadLocal<Boolean> IN_ON_ENVELOPE = ThreadLocal.withInitial(() -> false);

  private final List<SpacePanda> nodes = new ArrayList<>();
  /** Names of the threads that ran storage transactions, per node. */
  private final Set<String> transactionThreads = Collections.synchronizedSet(new LinkedHashSet<>());
  /** Where each thread ran its first transaction, to name the culprit on failure. */
  private final Map<String, Throwable> firstTransaction = new ConcurrentHashMap<>();
  /** Names of the threads that delivered envelopes to a node. */
  private final Set<String> callbackThreads = Collections.synchronizedSet(new LinkedHashSet<>());
  /** Stack traces of transactions that ran inside {@code onEnvelope}. */
  private final List<Throwable> violations = Collections.synchronizedList(new ArrayList<>());
  private final String testThread = Thread.currentThread().getName();

  @AfterEach
  void closeAll() {
    for (SpacePanda n : nodes) {
      n.close();
    }
  }

  /** Records which thread runs each transaction. */
  private final class ThreadRecordingStorage implements Storage {
    private final Storage delegate = Storages.inMemory();

    @Override
    public <T, X extends Exception> T inTransaction(TransactionWork<T, X> work)
        throws StorageException, X {
      String name = Thread.currentThread().getName();
      transactionThreads.add(name);
      firstTransaction.computeIfAbsent(name, n -> new Throwable("first transaction on " + n));
      if (IN_ON_ENVELOPE.get()) {
        violations.add(new AssertionError("storage transaction inside onEnvelope on "
            + Thread.currentThread().getName()));
      }
      return delegate.inTransaction(work);
    }

    @Override
    public void close() throws StorageException {
      delegate.close();
    }
  }

  /** Wraps the transport's listener to mark the threads inside its {@code onEnvelope}. */
  private Transport.Factory marking(Transport.Factory factory) {
    return context -> {
      TransportListener node = context.listener();
      TransportListener marked = new TransportListener() {
        @Override
        public CompletableFuture<Void> onEnvelope(PeerId connectionPeer, byte[] envelope) {
          callbackThreads.add(Thread.currentThread().getName());
          boolean outer = IN_ON_ENVELOPE.get();
          IN_ON_ENVELOPE.set(true);
          try {
            return node.onEnvelope(connectionPeer, envelope);
          } finally {
            IN_ON_ENVELOPE.set(outer);
          }
        }

        @Override
        public void onPeerConnected(PeerId peer) {
          node.onPeerConnected(peer);
        }

        @Override
        public void onPeerLost(PeerId peer) {
          node.onPeerLost(peer);
        }
      };
      return factory.create(new TransportContext(context.localPeer(), context.identity(),
          context.listenAddresses(), context.bootstrapPeers(), marked));
    };
  }

  @Test
  void inviteJoinAndMessagesOverTcp_noStorageTransactionOnATransportThread() throws Exception {
    Received aliceGot = new Received();
    Received bobGot = new Received();
    SpacePanda alice = start(aliceGot);
    SpacePanda bob = start(bobGot);

    Space team = await(alice.createSpace("Team"));
    await(bob.join(await(team.createInvite())));
    Channel design = await(team.createChannel("design"));
    waitFor(() -> bob.space(team.id()).flatMap(s -> s.channel("design")).isPresent()
        && design.members().size() == 2, "bob in #design");
    Channel bobDesign = bob.space(team.id()).orElseThrow().channel("design").orElseThrow();
    Channel general = team.channel("general").orElseThrow();

    await(design.send("alice: one"));
    await(bobDesign.send("bob: two"));
    await(general.send("alice: three"));
    waitFor(() -> bobGot.has("alice: one") && bobGot.has("alice: three"), "bob got alice's");
    waitFor(() -> aliceGot.has("bob: two"), "alice got bob's");

    assertFalse(callbackThreads.isEmpty(), "envelopes arrived over the transport");
    if (!violations.isEmpty()) {
      AssertionError e = new AssertionError(violations.size()
          + " storage transactions ran inside onEnvelope; the first is the cause");
      e.initCause(violations.get(0));
      throw e;
    }
    Set<String> foreign = new LinkedHashSet<>();
    synchronized (transactionThreads) {
      for (String name : transactionThreads) {
        if (!name.matches("spacepanda-worker-\\d+") && !name.equals(testThread)) {
          foreign.add(name);
        }
      }
    }
    if (!foreign.isEmpty()) {
      AssertionError e = new AssertionError("storage transactions on threads other than the "
          + "node's workers: " + foreign + " (transport callbacks ran on " + callbackThreads
          + "); the cause shows where the first one ran");
      e.initCause(firstTransaction.get(foreign.iterator().next()));
      throw e;
    }
    synchronized (callbackThreads) {
      for (String cb : callbackThreads) {
        assertFalse(transactionThreads.contains(cb), "a transport thread ran a transaction: " + cb);
      }
    }
    assertTrue(transactionThreads.stream().anyMatch(n -> n.startsWith("spacepanda-worker-")));
  }

  private SpacePanda start(Received listener) throws Exception {
    SpacePanda n = SpacePanda.builder()
        .storage(new ThreadRecordingStorage())
        .transport(marking(Libp2pTransport.factory()))
        .listen(LOOPBACK)
        .jitter(Jitter.none())
        .listener(listener)
        .build();
    nodes.add(n);
    await(n.start());
    return n;
  }

  /** Texts a node's listener received. */
  private static final class Received implements SpacePandaListener {
    private final Set<String> texts = Collections.synchronizedSet(new LinkedHashSet<>());

    @Override
    public void onMessage(Channel channel, Message message) {
      texts.add(message.text());
    }

    boolean has(String text) {
      return texts.contains(text);
    }
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("operation failed: " + e.getCause(), e.getCause());
    }
  }

  private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("not within " + TIMEOUT + ": " + what);
      }
      Thread.sleep(20);
    }
  }
}
