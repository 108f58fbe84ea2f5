package io.spacepanda.internal.net.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NAT lab: network namespaces joined by veth pairs, two NAT routers doing nftables masquerade
 * (port-preserving: endpoint-independent mapping; or {@code random}: a symmetric NAT), a public
 * relay, and members behind the NATs as separate JVMs ({@link NatLabNode}).
 *
 * <pre>
 *   relay 198.18.0.1 ──┐ bridge "inet" ┌── 198.18.0.2 natA 10.0.1.1 ── 10.0.1.2 memberA
 *                      └────────────────┴── 198.18.0.3 natB 10.0.2.1 ── 10.0.2.2 memberB
 * </pre>
 *
 * <p>The NAT routers drop unsolicited inbound connections, as home routers do. Needs root, {@code
 * ip} and {@code nft} (Debian: {@code apt-get install -y nftables}; {@code .ci/run} installs it);
 * skipped with a message otherwise. Hole-punch trials: {@code -Dspacepanda.natlab.trials=200}
 * (default 10). The lab processes' stderr goes to {@code target/natlab/}; with {@code
 * -Dspacepanda.natlab.logJar=<slf4j-simple jar> -Dspacepanda.natlab.logLevel=debug} it holds their logs.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class NatLabTest {

  private static final int TRIALS = Integer.getInteger("spacepanda.natlab.trials", 10);

  @TempDir
  Path dir;

  private final String tag = Long.toString(ProcessHandle.current().pid() % 10000, 36) + Long.toString(
      System.nanoTime() % 1296, 36);
  private final List<String> namespaces = new ArrayList<>();
  private final List<Proc> procs = new ArrayList<>();

  private String ns(String name) {
    return "sp" + tag + name;
  }

  @BeforeEach
  void checkLab() {
    boolean root = "0".equals(run(false, "id", "-u").strip());
    boolean tools = new File("/usr/sbin/ip").canExecute() || new File("/sbin/ip").canExecute();
    boolean nft = new File("/usr/sbin/nft").canExecute() || new File("/sbin/nft").canExecute();
    Assumptions.assumeTrue(root && tools && nft,
        "NAT lab skipped: needs root, ip and nft (apt-get install -y nftables); root=" + root + " ip=" + tools
            + " nft=" + nft);
  }

  @AfterEach
  void teardown() {
    for (Proc p : procs) {
      p.kill();
    }
    for (String n : namespaces) {
      run(false, "ip", "netns", "del", n);
    }
  }

  /** Builds the topology; {@code symmetric} makes both NATs pick a random port per connection. */
  private void topology(boolean symmetric) {
    for (String n : List.of("inet", "relay", "natA", "natB", "memA", "memB")) {
      run(true, "ip", "netns", "add", ns(n));
      namespaces.add(ns(n));
      exec(n, "ip", "link", "set", "lo", "up");
    }
    exec("inet", "ip", "link", "add", "br0", "type", "bridge");
    exec("inet", "ip", "link", "set", "br0", "up");
    link("relay", "inet", "198.18.0.1/24", null);
    link("natA", "inet", "198.18.0.2/24", null);
    link("natB", "inet", "198.18.0.3/24", null);
    link("memA", "natA", "10.0.1.2/24", "10.0.1.1/24");
    link("memB", "natB", "10.0.2.2/24", "10.0.2.1/24");
    exec("memA", "ip", "route", "add", "default", "via", "10.0.1.1");
    exec("memB", "ip", "route", "add", "default", "via", "10.0.2.1");
    for (String nat : List.of("natA", "natB")) {
      exec(nat, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
      String pub = "v" + nat.charAt(3) + "pub";
      String rules = "table ip nat {\n chain post {\n  type nat hook postrouting priority 100;\n  oifname \"" + pub
          + "\" masquerade" + (symmetric ? " random" : "") + "\n }\n}\n"
          + "table inet filter {\n"
          + " chain input {\n  type filter hook input priority 0;\n  iifname \"" + pub + "\" ct state new drop\n }\n"
          + " chain forward {\n  type filter hook forward priority 0;\n  iifname \"" + pub + "\" ct state new drop\n }\n"
          + "}\n";
      Path f = dir.resolve(nat + ".nft");
      try {
        Files.writeString(f, rules);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      exec(nat, "nft", "-f", f.toString());
    }
  }

  /** A veth pair from {@code a} (address {@code addrA}) to {@code b} (bridge port, or {@code addrB}). */
  private void link(String a, String b, String addrA, String addrB) {
    String ifA = "v" + (a.startsWith("nat") ? a.charAt(3) + "pub" : a.substring(0, Math.min(4, a.length())));
    String ifB = "w" + a.substring(0, Math.min(4, a.length()));
    if (a.startsWith("mem")) {
      ifA = "eth0";
      ifB = "lan";
    }
    String tmpA = "t" + tag + a.substring(0, 2) + a.charAt(a.length() - 1);
    String tmpB = "u" + tag + a.substring(0, 2) + a.charAt(a.length() - 1);
    run(true, "ip", "link", "add", tmpA, "type", "veth", "peer", "name", tmpB);
    run(true, "ip", "link", "set", tmpA, "netns", ns(a));
    run(true, "ip", "link", "set", tmpB, "netns", ns(b));
    exec(a, "ip", "link", "set", tmpA, "name", ifA);
    exec(b, "ip", "link", "set", tmpB, "name", ifB);
    exec(a, "ip", "addr", "add", addrA, "dev", ifA);
    exec(a, "ip", "link", "set", ifA, "up");
    if (addrB == null) {
      exec(b, "ip", "link", "set", ifB, "master", "br0");
    } else {
      exec(b, "ip", "addr", "add", addrB, "dev", ifB);
    }
    exec(b, "ip", "link", "set", ifB, "up");
  }

  private void exec(String name, String... cmd) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(name)));
    full.addAll(List.of(cmd));
    run(true, full.toArray(new String[0]));
  }

  private static String run(boolean check, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      if (check && rc != 0) {
        throw new AssertionError(String.join(" ", cmd) + " failed (" + rc + "): " + out);
      }
      return out;
    } catch (IOException e) {
      if (check) {
        throw new AssertionError(e);
      }
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A lab JVM in a namespace, driven line by line. */
  private final class Proc {
    final Process process;
    final Writer in;
    final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

    Proc(String name, String... args) throws IOException {
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(name),
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=" + System.getProperty("spacepanda.natlab.logLevel", "info"),
          "-Dorg.slf4j.simpleLogger.showDateTime=true",
          "-cp", classpath(), NatLabNode.class.getName()));
      cmd.addAll(List.of(args));
      Path logs = Path.of("target", "natlab");
      Files.createDirectories(logs);
      process = new ProcessBuilder(cmd).redirectError(logs.resolve(name + "-" + procs.size() + ".log").toFile()).start();
      procs.add(this);
      in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            (line.startsWith("MSG ") ? messages : answers).add(line);
          }
        } catch (IOException e) {
          // process ended
        }
      }, "natlab-reader");
      t.setDaemon(true);
      t.start();
    }

    String await() throws InterruptedException {
      String a = answers.poll(180, TimeUnit.SECONDS);
      if (a == null) {
        fail("no answer from lab process within 180 s");
      }
      if (!a.startsWith("OK")) {
        fail("lab process answered: " + a);
      }
      return a.length() > 3 ? a.substring(3) : "";
    }

    String ask(String command) throws Exception {
      in.write(command + "\n");
      in.flush();
      return await();
    }

    void expectMessage(String text) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (System.nanoTime() < deadline) {
        String m = messages.poll(1, TimeUnit.SECONDS);
        if (m != null && m.equals("MSG " + text)) {
          return;
        }
      }
      fail("message not delivered within 180 s: " + text);
    }

    void kill() {
      process.destroyForcibly();
    }
  }

  private static String classpath() throws IOException {
    List<String> entries = new ArrayList<>();
    try {
      entries.add(Path.of(NatLabNode.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
      entries.add(Path.of(io.spacepanda.SpacePanda.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString());
    } catch (java.net.URISyntaxException e) {
      throw new AssertionError(e);
    }
    String file = System.getProperty("spacepanda.runtimeClasspathFile");
    Assumptions.assumeTrue(file != null, "run through Maven: spacepanda.runtimeClasspathFile is not set");
    for (String e : Files.readString(Path.of(file)).strip().split(File.pathSeparator)) {
      if (!e.isBlank()) {
        entries.add(e);
      }
    }
    String logJar = System.getProperty("spacepanda.natlab.logJar"); // for example slf4j-simple, to see the nodes' logs
    if (logJar != null) {
      entries.add(logJar);
    }
    return String.join(File.pathSeparator, entries);
  }

  @Test
  void membersBehindTwoNats_chatThroughThePublicApi_withOnlyAPublicRelayingBootstrapNode() throws Exception {
    topology(false);
    Proc relay = new Proc("relay", "chat", dir.resolve("relay").toString(), "/ip4/198.18.0.1/tcp/4001", "-", "true");
    String relayId = relay.await().split(" ")[1];
    String boot = "/ip4/198.18.0.1/tcp/4001/p2p/" + relayId;
    Proc alice = new Proc("memA", "chat", dir.resolve("alice").toString(), "/ip4/10.0.1.2/tcp/4001", boot, "false");
    alice.await();
    Proc bob = new Proc("memB", "chat", dir.resolve("bob").toString(), "/ip4/10.0.2.2/tcp/4001", boot, "false");
    bob.await();
    waitForCircuit(alice);
    waitForCircuit(bob);
    alice.ask("create Lab");
    String code = alice.ask("invite");
    bob.ask("join " + code);
    for (int i = 0; i < 5; i++) {
      alice.ask("send alice " + i);
      bob.expectMessage("alice " + i);
      bob.ask("send bob " + i);
      alice.expectMessage("bob " + i);
    }
  }

  @Test
  void symmetricNats_fallBackToTheRelay_andEveryMessageArrives() throws Exception {
    topology(true);
    Proc relay = new Proc("relay", "chat", dir.resolve("relay").toString(), "/ip4/198.18.0.1/tcp/4001", "-", "true");
    String relayId = relay.await().split(" ")[1];
    String boot = "/ip4/198.18.0.1/tcp/4001/p2p/" + relayId;
    Proc alice = new Proc("memA", "chat", dir.resolve("alice").toString(), "/ip4/10.0.1.2/tcp/4001", boot, "false");
    alice.await();
    Proc bob = new Proc("memB", "chat", dir.resolve("bob").toString(), "/ip4/10.0.2.2/tcp/4001", boot, "false");
    bob.await();
    waitForCircuit(alice);
    waitForCircuit(bob);
    alice.ask("create Lab");
    bob.ask("join " + alice.ask("invite"));
    for (int i = 0; i < 10; i++) {
      alice.ask("send alice " + i);
      bob.ask("send bob " + i);
    }
    for (int i = 0; i < 10; i++) {
      bob.expectMessage("alice " + i);
      alice.expectMessage("bob " + i);
    }
  }

  private static void waitForCircuit(Proc p) throws Exception {
    for (int i = 0; i < 300; i++) {
      if (p.ask("addrs").contains("/p2p-circuit/")) {
        return;
      }
      Thread.sleep(100);
    }
    fail("no relay reservation within 30 s");
  }

  @Test
  void holePunching_throughEndpointIndependentNats_succeeds() throws Exception {
    topology(false);
    Proc relay = new Proc("relay", "relay", "/ip4/198.18.0.1/tcp/4001");
    String relayAddr = relay.await();
    Proc b = new Proc("memB", "punch", relayAddr, "/ip4/0.0.0.0/tcp/0");
    Proc a = new Proc("memA", "punch", relayAddr, "/ip4/0.0.0.0/tcp/0");
    int direct = 0;
    int firstAttempt = 0;
    for (int i = 0; i < TRIALS; i++) {
      String circuit = b.ask("fresh");
      String outcome = a.ask("dial " + circuit);
      String[] stats = b.ask("stats").split(" ");
      if (outcome.equals("direct")) {
        direct++;
        if (stats[2].equals("1")) {
          firstAttempt++;
        }
      }
    }
    System.out.printf("NAT lab: %d of %d hole punches direct, %d of them on the first attempt%n",
        direct, TRIALS, firstAttempt);
    assertTrue(direct * 100 >= TRIALS * 90, direct + " of " + TRIALS + " direct");
    assertTrue(firstAttempt * 100 >= direct * 97, firstAttempt + " of " + direct + " on the first attempt");
    // the relay keeps no reservation of hosts that went away
    b.in.write("quit\n");
    b.in.flush();
    a.in.write("quit\n");
    a.in.flush();
    for (int i = 0; i < 100 && !relay.ask("reservations").equals("0"); i++) {
      Thread.sleep(100);
    }
    assertEquals("0", relay.ask("reservations"));
  }
}
