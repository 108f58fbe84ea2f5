package io.spacepanda.internal.net.transport;

import io.netty.buffer.Unpooled;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.IdleSocketAttacker;
import io.spacepanda.internal.net.host.StreamCollector;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The attackers of {@link MixedAttackSoakTest}, run in a JVM of their own so that their CPU and
 * garbage are not the measured node's: 200 idle sockets from 8 /24 prefixes (re-opened when
 * closed), two connections keeping 64 streams that announce 1 MiB and stall (re-opened when reset,
 * the connections re-dialed when closed), and one connection opening 20 junk streams every 50 ms.
 *
 * <p>Protocol with the parent: argument 1 is the target's multiaddr; the child starts paused and
 * prints {@code ready}; a {@code resume} line starts the attack, {@code pause} stops it and closes
 * its sockets and connections (each answered {@code ok}), so quiet and attack windows can
 * alternate and slow changes of the machine's load fall on both alike; a {@code stop} line (or
 * end of input) prints {@code stats <idle sockets opened> <stalled streams> <junk streams>} and
 * exits.
 */
public final class SoakAttacker {

  private SoakAttacker() {}

  /**
   * Runs the attack until told to stop.
   *
   * @param args the target's multiaddr (with {@code /p2p/})
   * @throws Exception if the attack cannot start
   */
  public static void main(String[] args) throws Exception {
    Multiaddr target = Multiaddr.parse(args[0]);
    InetSocketAddress tcp = new InetSocketAddress(InetAddress.getLoopbackAddress(), target.tcpPort());
    Host host = Host.builder().identity(IdentitySigner.generateEd25519(new SecureRandom()))
        .muxer(new YamuxMuxerFactory()).threads(1).build();
    byte[] head = Arrays.copyOf(EnvelopeCodec.encodeEnvelope(new byte[1 << 20]), 8);
    AtomicLong stallStreams = new AtomicLong();
    AtomicLong junkStreams = new AtomicLong();
    AtomicLong idleOpened = new AtomicLong();
    Object lock = new Object();
    IdleSocketAttacker[] idle = {null};
    Connection[] stallers = new Connection[2];
    Connection[] junk = new Connection[1];
    boolean[] paused = {true};
    Thread attacker = new Thread(() -> {
      Random rnd = new Random(1);
      List<StreamCollector> stalled = new ArrayList<>();
      while (!Thread.currentThread().isInterrupted()) {
        synchronized (lock) {
          if (!paused[0]) {
            stalled.removeIf(s -> s.done().isDone());
            for (int c = 0; c < stallers.length; c++) {
              stallers[c] = reopen(host, target, stallers[c]);
              while (stallers[c] != null && stallers[c].isOpen() && stalled.size() < 64) {
                stalled.add(rawStream(stallers[c], head));
                stallStreams.incrementAndGet();
              }
            }
            junk[0] = reopen(host, target, junk[0]);
            for (int i = 0; i < 20 && junk[0] != null && junk[0].isOpen(); i++) {
              byte[] bytes = new byte[1 + rnd.nextInt(64)];
              rnd.nextBytes(bytes);
              rawStream(junk[0], bytes);
              junkStreams.incrementAndGet();
            }
          } else {
            stalled.clear();
          }
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "soak-attacker");
    attacker.setDaemon(true);
    attacker.start();
    System.out.println("ready");
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.equals("stop")) {
      synchronized (lock) {
        if (line.equals("resume") && paused[0]) {
          paused[0] = false;
          idle[0] = new IdleSocketAttacker(tcp, IdleSocketAttacker.loopbackSources(8), 200);
        } else if (line.equals("pause") && !paused[0]) {
          paused[0] = true;
          idleOpened.addAndGet(idle[0].opened());
          idle[0].close();
          idle[0] = null;
          closeAll(stallers);
          closeAll(junk);
        }
      }
      System.out.println("ok");
      System.out.flush();
    }
    attacker.interrupt();
    attacker.join(5000);
    synchronized (lock) {
      if (idle[0] != null) {
        idleOpened.addAndGet(idle[0].opened());
        idle[0].close();
      }
    }
    System.out.println("stats " + idleOpened.get() + " " + stallStreams.get() + " "
        + junkStreams.get());
    System.out.flush();
    host.close();
    System.exit(0);
  }

  private static void closeAll(Connection[] connections) {
    for (int i = 0; i < connections.length; i++) {
      if (connections[i] != null) {
        connections[i].close();
        connections[i] = null;
      }
    }
  }

  private static Connection dial(Host host, Multiaddr target) {
    try {
      return host.dial(target).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return null; // refused under the node's limits: dialed again next round
    }
  }

  private static Connection reopen(Host host, Multiaddr target, Connection c) {
    return c != null && c.isOpen() ? c : dial(host, target);
  }

  private static StreamCollector rawStream(Connection c, byte[] bytes) {
    StreamCollector collector = new StreamCollector();
    c.openStream(List.of(EnvelopeProtocolConstants.PROTOCOL_ID), collector)
        .thenAccept(s -> s.write(Unpooled.wrappedBuffer(bytes)));
    return collector;
  }

  /**
   * Starts the attacker in a child JVM against a target and waits until it attacks.
   *
   * @param target the node's full multiaddr
   * @return the running child
   * @throws IOException if it cannot start
   */
  static Process start(String target) throws IOException {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-cp", classpath(), SoakAttacker.class.getName(), target);
    Path log = Path.of("target", "soak-attacker.log");
    Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
    String line = readLine(p.getInputStream());
    if (!"ready".equals(line)) {
      p.destroyForcibly();
      throw new IOException("attacker did not start (" + line + "), see " + log.toAbsolutePath());
    }
    return p;
  }

  /**
   * Sends a command ({@code resume} or {@code pause}) to a child started with {@link #start} and
   * waits for its {@code ok}.
   *
   * @param p the child
   * @param out its output, as returned by {@link #output}
   * @param command the command
   * @throws IOException if it does not answer
   */
  static void command(Process p, BufferedReader out, String command) throws IOException {
    p.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().flush();
    String line = out.readLine();
    if (!"ok".equals(line)) {
      throw new IOException("attacker answered " + line + " to " + command);
    }
  }

  /**
   * Returns a reader of a child's output (one per child: it buffers).
   *
   * @param p the child
   * @return the reader
   */
  static BufferedReader output(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * Stops a child started with {@link #start} and returns its counters.
   *
   * @param p the child
   * @param out its output, as returned by {@link #output}
   * @return idle sockets opened, stalled streams and junk streams
   * @throws Exception if it does not report
   */
  static long[] stop(Process p, BufferedReader out) throws Exception {
    p.getOutputStream().write("stop\n".getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().flush();
    String line = out.readLine();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    if (line == null || !line.startsWith("stats ")) {
      throw new IOException("attacker reported " + line);
    }
    String[] f = line.split(" ");
    return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])};
  }

  /** Reads one line byte by byte, so that nothing after it is buffered away. */
  private static String readLine(java.io.InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      b.append((char) c);
    }
    return c < 0 && b.length() == 0 ? null : b.toString();
  }

  private static String classpath() throws IOException {
    List<String> entries = new ArrayList<>();
    try {
      entries.add(Path.of(SoakAttacker.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI()).toString());
      entries.add(Path.of(io.spacepanda.SpacePanda.class.getProtectionDomain().getCodeSource()
          .getLocation().toURI()).toString());
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    String file = System.getProperty("spacepanda.runtimeClasspathFile");
    if (file != null) {
      for (String e : Files.readString(Path.of(file)).strip().split(File.pathSeparator)) {
        if (!e.isBlank()) {
          entries.add(e);
        }
      }
    } else {
      entries.add(System.getProperty("java.class.path"));
    }
    return String.join(File.pathSeparator, entries);
  }
}
