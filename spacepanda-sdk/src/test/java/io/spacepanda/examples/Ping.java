package io.spacepanda.examples;

import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.identify.IdentifyMessage;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.ping.PingInitiator;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * libp2p ping between two SpacePanda hosts, or between a host and any libp2p peer (js-libp2p,
 * go-libp2p, rust-libp2p) that speaks TCP, Noise and Yamux.
 *
 * <pre>
 *   Ping listen [multiaddr]        listens (default /ip4/127.0.0.1/tcp/0), prints the full
 *                                  multiaddr and answers identify and ping until stopped
 *   Ping dial &lt;multiaddr&gt; [count]  dials, identifies the peer and pings it count times (default 5)
 * </pre>
 *
 * <p>It drives the libp2p host under {@code io.spacepanda.internal.net}, so it lives in the SDK's
 * test sources, not in {@code spacepanda-sdk-examples}. Run it with
 *
 * <pre>
 *   mvn -B -q -ntp -pl spacepanda-sdk test-compile exec:java -Dexec.classpathScope=test \
 *       -Dexec.mainClass=io.spacepanda.examples.Ping -Dexec.args="listen"
 * </pre>
 *
 * <p>and, in another terminal, the same with {@code -Dexec.args="dial <multiaddr>"}. {@code
 * PingTest} listens and dials on 127.0.0.1 in one JVM.
 */
public final class Ping {

  private Ping() {}

  /**
   * Runs the example.
   *
   * @param args {@code listen [multiaddr]} or {@code dial <multiaddr> [count]}
   * @throws Exception when listening, dialing, identify or a ping fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals("listen") && args.length <= 2) {
      listen(args.length == 2 ? args[1] : "/ip4/127.0.0.1/tcp/0");
    } else if (args.length >= 2 && args[0].equals("dial") && args.length <= 3) {
      dial(args[1], args.length == 3 ? Integer.parseInt(args[2]) : 5, Duration.ofSeconds(1),
          System.out);
    } else {
      System.err.println("usage: Ping listen [multiaddr] | Ping dial <multiaddr> [count]");
      System.exit(2);
    }
  }

  /**
   * Starts a host listening on {@code address} that answers identify and ping until closed.
   *
   * @param address the listen multiaddr, for example {@code /ip4/127.0.0.1/tcp/0}
   * @return the listening host; the caller closes it
   * @throws Exception if the address is not supported or listening fails
   */
  static Host startListening(String address) throws Exception {
    Host host = newHost();
    try {
      host.listen(parse(address)).get(10, TimeUnit.SECONDS);
      return host;
    } catch (Exception | Error e) {
      host.close();
      throw e;
    }
  }

  private static Host newHost() {
    IdentityKey key = IdentityKey.generate(new SecureRandom());
    return Host.builder()
        .identity(IdentitySigner.of(key))
        .muxer(new YamuxMuxerFactory())
        .agentVersion("spacepanda-ping-example/0.1.0")
        .build();
  }

  private static void listen(String address) throws Exception {
    Host host = startListening(address);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      host.close();
      stopped.countDown();
    }));
    for (Multiaddr full : host.fullListenAddresses()) {
      System.out.println(full);
    }
    System.out.println("answering identify and ping; stop with Ctrl-C");
    stopped.await();
  }

  /**
   * Dials a peer, identifies it and pings it, printing each step to {@code out}.
   *
   * @param address the peer's full multiaddr, ending in {@code /p2p/<peer id>}
   * @param count how many pings
   * @param pause the pause between two pings
   * @param out where the steps are printed
   * @throws Exception if dialing, identify or a ping fails or times out
   */
  static void dial(String address, int count, Duration pause, PrintStream out) throws Exception {
    try (Host host = newHost()) {
      Connection c = host.dial(parse(address)).get(15, TimeUnit.SECONDS);
      out.println("connected to " + c.remotePeerId() + " via " + c.muxerProtocol()
          + (c.isEarlyMuxerNegotiated() ? " (chosen in the Noise handshake)" : ""));
      IdentifyMessage id = host.identify(c).get(15, TimeUnit.SECONDS);
      out.println("agent " + id.agentVersion() + ", protocols " + id.protocols());
      if (id.observedAddr().isPresent()) {
        out.println("it sees us at " + Multiaddr.fromBytes(id.observedAddr().get()));
      }
      PingInitiator pinger = host.openPing(c).get(15, TimeUnit.SECONDS);
      for (int i = 1; i <= count; i++) {
        Duration rtt = pinger.ping().get(15, TimeUnit.SECONDS);
        out.printf("ping %d: %.3f ms%n", i, rtt.toNanos() / 1e6);
        if (i < count) {
          Thread.sleep(pause.toMillis());
        }
      }
      pinger.close();
    }
  }

  private static Multiaddr parse(String text) {
    try {
      return Multiaddr.parse(text);
    } catch (MultiaddrException e) {
      throw new IllegalArgumentException("not a supported multiaddr: " + text, e);
    }
  }
}
