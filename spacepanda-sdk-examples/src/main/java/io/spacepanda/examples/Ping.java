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
 * <p>Run with {@code mvn -q -pl spacepanda-sdk-examples exec:java -Dexample=io.spacepanda.examples.Ping
 * -Dexec.args="listen"}.
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
      dial(args[1], args.length == 3 ? Integer.parseInt(args[2]) : 5);
    } else {
      System.err.println("usage: Ping listen [multiaddr] | Ping dial <multiaddr> [count]");
      System.exit(2);
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
    Host host = newHost();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      host.close();
      stopped.countDown();
    }));
    host.listen(parse(address)).get(10, TimeUnit.SECONDS);
    for (Multiaddr full : host.fullListenAddresses()) {
      System.out.println(full);
    }
    System.out.println("answering identify and ping; stop with Ctrl-C");
    stopped.await();
  }

  private static void dial(String address, int count) throws Exception {
    try (Host host = newHost()) {
      Connection c = host.dial(parse(address)).get(15, TimeUnit.SECONDS);
      System.out.println("connected to " + c.remotePeerId() + " via " + c.muxerProtocol()
          + (c.isEarlyMuxerNegotiated() ? " (chosen in the Noise handshake)" : ""));
      IdentifyMessage id = host.identify(c).get(15, TimeUnit.SECONDS);
      System.out.println("agent " + id.agentVersion() + ", protocols " + id.protocols());
      if (id.observedAddr().isPresent()) {
        System.out.println("it sees us at " + Multiaddr.fromBytes(id.observedAddr().get()));
      }
      PingInitiator pinger = host.openPing(c).get(15, TimeUnit.SECONDS);
      for (int i = 1; i <= count; i++) {
        Duration rtt = pinger.ping().get(15, TimeUnit.SECONDS);
        System.out.printf("ping %d: %.3f ms%n", i, rtt.toNanos() / 1e6);
        if (i < count) {
          Thread.sleep(1000);
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
