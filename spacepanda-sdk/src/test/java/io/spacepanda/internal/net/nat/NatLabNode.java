package io.spacepanda.internal.net.nat;

import io.spacepanda.Channel;
import io.spacepanda.Jitter;
import io.spacepanda.Message;
import io.spacepanda.Space;
import io.spacepanda.SpacePanda;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.internal.net.dcutr.Dcutr;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.relay.RelayClient;
import io.spacepanda.internal.net.relay.RelayConfig;
import io.spacepanda.internal.net.relay.RelayService;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One process of the NAT lab ({@link NatLabTest}), run inside a network namespace; commands on
 * stdin, one per line, answers on stdout as {@code OK …}, {@code ERR …} or {@code MSG …} lines.
 *
 * <p>Modes: {@code chat <dataDir> <listen> <bootstrap|-> <relay:true|false>} runs a node through
 * the public API ({@code addrs}, {@code create}, {@code invite}, {@code join <code>}, {@code send
 * <text>}); {@code relay <listen>} runs a bare relay host; {@code punch <relay addr>} runs host-level
 * hole-punch trials ({@code fresh} makes a new reserved host and prints its circuit address, {@code
 * dial <circuit>} dials one and waits for the DCUtR outcome, {@code stats} prints the last host's
 * DCUtR counters).
 */
public final class NatLabNode {

  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  private NatLabNode() {}

  /**
   * Runs one lab process.
   *
   * @param args the mode and its arguments
   * @throws Exception on any failure (the test reads the exit)
   */
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    switch (args[0]) {
      case "chat" -> chat(args, in);
      case "relay" -> relay(args, in);
      case "punch" -> punch(args, in);
      default -> throw new IllegalArgumentException(args[0]);
    }
    System.exit(0);
  }

  private static void chat(String[] args, BufferedReader in) throws Exception {
    boolean relay = Boolean.parseBoolean(args[4]);
    SpacePanda.Builder b = SpacePanda.builder().dataDir(Path.of(args[1])).listen(args[2]).jitter(Jitter.none())
        .listener(new SpacePandaListener() {
          @Override
          public void onMessage(Channel channel, Message message) {
            OUT.println("MSG " + message.text());
          }
        });
    if (!"-".equals(args[3])) {
      b.bootstrap(args[3]);
    }
    if (relay) {
      b.relay(true);
    } else {
      b.natTraversal(true);
    }
    SpacePanda node = b.build();
    node.start().get(30, TimeUnit.SECONDS);
    OUT.println("OK started " + node.peerId().toBase58());
    Space space = null;
    String line;
    while ((line = in.readLine()) != null) {
      try {
        String[] w = line.split(" ", 2);
        switch (w[0]) {
          case "addrs" -> OUT.println("OK " + String.join(" ", node.listenAddresses()));
          case "create" -> {
            space = node.createSpace(w[1]).get(60, TimeUnit.SECONDS);
            OUT.println("OK created");
          }
          case "invite" -> OUT.println("OK " + space.createInvite().get(60, TimeUnit.SECONDS));
          case "join" -> {
            space = node.join(w[1]).get(120, TimeUnit.SECONDS);
            OUT.println("OK joined");
          }
          case "members" -> OUT.println("OK " + space.channel("general").orElseThrow().members().size());
          case "send" -> {
            space.channel("general").orElseThrow().send(w[1]).get(120, TimeUnit.SECONDS);
            OUT.println("OK sent");
          }
          case "quit" -> {
            node.close();
            return;
          }
          default -> OUT.println("ERR unknown " + w[0]);
        }
      } catch (Exception e) {
        OUT.println("ERR " + e.toString().replace('\n', ' '));
      }
    }
    node.close();
  }

  private static Host host(IdentitySigner id, String listen) throws Exception {
    Host h = Host.builder().identity(id).muxer(new YamuxMuxerFactory()).reusePort(true)
        .handshakeTimeout(Duration.ofSeconds(5)).build();
    h.listen(Multiaddr.parse(listen)).get(10, TimeUnit.SECONDS);
    return h;
  }

  private static void relay(String[] args, BufferedReader in) throws Exception {
    IdentitySigner id = IdentitySigner.generateEd25519(new SecureRandom());
    Host h = host(id, args[1]);
    RelayService s = new RelayService(h, id, RelayConfig.defaults()
        .withReservations(Duration.ofHours(1), 4096, 4096), Clock.systemUTC());
    OUT.println("OK " + h.fullListenAddresses().get(0));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("reservations")) {
        OUT.println("OK " + s.reservationCount());
      } else if (line.equals("quit")) {
        break;
      }
    }
    s.close();
    h.close();
  }

  /** A fresh host with its relay client and DCUtR service. */
  private record Punch(Host host, RelayClient client, Dcutr dcutr) implements AutoCloseable {
    @Override
    public void close() {
      OBSERVED.remove(host);
      dcutr.close();
      client.close();
      host.close();
    }
  }

  private static Punch fresh(String listen) throws Exception {
    Host h = host(IdentitySigner.generateEd25519(new SecureRandom()), listen);
    RelayClient c = new RelayClient(h, Clock.systemUTC(), Duration.ofSeconds(10));
    Dcutr d = new Dcutr(h, () -> OBSERVED.getOrDefault(h, List.of()), Duration.ofSeconds(5), true);
    return new Punch(h, c, d);
  }

  private static void punch(String[] args, BufferedReader in) throws Exception {
    Multiaddr relay = Multiaddr.parse(args[1]);
    String listen = args[2];
    Punch current = null;
    String line;
    while ((line = in.readLine()) != null) {
      try {
        String[] w = line.split(" ", 2);
        switch (w[0]) {
          case "fresh" -> {
            if (current != null) {
              current.close();
            }
            current = fresh(listen);
            Punch p = current;
            Connection rc = p.host.dial(relay).get(10, TimeUnit.SECONDS);
            // the address the relay observes is the NAT's mapping of the listen port
            io.spacepanda.internal.net.identify.IdentifyMessage idm = p.host.identify(rc).get(10, TimeUnit.SECONDS);
            Multiaddr obs = Multiaddr.fromBytes(idm.observedAddr().orElseThrow());
            setObserved(p, obs);
            RelayClient.Held held = p.client.reserve(rc).get(10, TimeUnit.SECONDS);
            OUT.println("OK " + held.circuitAddress() + "/p2p/" + p.host.peerId().toBase58());
          }
          case "dial" -> {
            if (current != null) {
              current.close();
            }
            current = fresh(listen);
            Punch p = current;
            Connection rc = p.host.dial(relay).get(10, TimeUnit.SECONDS);
            io.spacepanda.internal.net.identify.IdentifyMessage idm = p.host.identify(rc).get(10, TimeUnit.SECONDS);
            setObserved(p, Multiaddr.fromBytes(idm.observedAddr().orElseThrow()));
            Multiaddr target = Multiaddr.parse(w[1]);
            Connection c = p.host.dial(target).get(20, TimeUnit.SECONDS);
            io.spacepanda.PeerId peer = c.remotePeerId();
            boolean direct = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
              Connection now = p.host.connectionOrNull(peer);
              if (now != null && !now.isRelayed()) {
                direct = true;
                break;
              }
              Thread.sleep(20);
            }
            OUT.println("OK " + (direct ? "direct" : "relayed"));
          }
          case "stats" -> {
            for (int i = 0; i < 1500 && (current.dcutr.upgrades() == 0
                || current.dcutr.finished() < current.dcutr.upgrades()); i++) {
              Thread.sleep(20); // the upgrade's outcome, which may come after the peer saw the direct connection
            }
            OUT.println("OK " + current.dcutr.upgrades() + " " + current.dcutr.successes() + " "
                + current.dcutr.firstAttemptSuccesses());
          }
          case "quit" -> {
            if (current != null) {
              current.close();
            }
            return;
          }
          default -> OUT.println("ERR unknown " + w[0]);
        }
      } catch (Exception e) {
        OUT.println("ERR " + e.toString().replace('\n', ' '));
      }
    }
  }

  private static final java.util.Map<Host, List<Multiaddr>> OBSERVED = new java.util.concurrent.ConcurrentHashMap<>();

  private static void setObserved(Punch p, Multiaddr obs) {
    OBSERVED.put(p.host, List.of(obs));
  }
}
