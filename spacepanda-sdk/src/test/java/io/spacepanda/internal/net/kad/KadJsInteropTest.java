package io.spacepanda.internal.net.kad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.identify.IdentifyMessage;
import io.spacepanda.internal.net.interop.JsPeer;
import io.spacepanda.internal.net.kad.KadMessage.Type;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.record.PeerRecord;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import io.spacepanda.spi.Scheduler;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Java DHT against {@code @libp2p/kad-dht} 16.4.5 on {@code libp2p} 3.3.11 over 127.0.0.1,
 * on SpacePanda's protocol id: every RPC type in both directions, js finding a peer through a
 * Java node, Java finding a peer through a js node, and js's signed peer record (RFC 0003, sent in
 * identify) verifying with {@link PeerRecord#verify}.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KadJsInteropTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();
  private static final String PROTOCOL = KadConfig.DEFAULT_PROTOCOL_ID;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @BeforeAll
  static void nodeIsInstalled() {
    assumeTrue(JsPeer.isAvailable(), "node >= 20 and npm are needed");
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    timer.shutdownNow();
  }

  private record JavaNode(Host host, KadDht dht, IdentitySigner identity) {
    KadPeer peer() {
      return new KadPeer(host.peerId(), host.listenAddresses());
    }
  }

  private JavaNode javaNode() throws Exception {
    IdentitySigner id = IdentitySigner.generateEd25519(RANDOM);
    Host h = Host.builder().identity(id).muxer(new YamuxMuxerFactory()).build();
    closing.add(h);
    h.listen(Multiaddr.tcp(InetAddress.getLoopbackAddress(), 0)).get(10, TimeUnit.SECONDS);
    KadDht dht = HostKadNetwork.attach(h, KadConfig.defaults(), Scheduler.of(timer),
        System::currentTimeMillis, new Random(RANDOM.nextLong()));
    closing.add(dht);
    return new JavaNode(h, dht, id);
  }

  private KadJsPeer jsNode() throws Exception {
    KadJsPeer p = KadJsPeer.start(PROTOCOL);
    closing.add(p);
    return p;
  }

  private static KadPeer kadPeer(KadJsPeer js) throws Exception {
    Multiaddr full = Multiaddr.parse(js.multiaddr());
    return new KadPeer(PeerId.parse(js.peerId()), List.of(full.withoutPeerId()));
  }

  private static void await(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
    for (int i = 0; i < 100 && !cond.getAsBoolean(); i++) {
      Thread.sleep(100);
    }
    assertTrue(cond.getAsBoolean(), what);
  }

  @Test
  void everyRpc_bothDirections_andPeerRoutingThroughTheOtherImplementation() throws Exception {
    JavaNode j1 = javaNode();
    KadJsPeer a = jsNode();
    KadJsPeer b = jsNode();
    String j1Addr = j1.host().fullListenAddresses().get(0).toString();
    a.call(KadJsPeer.cmd("dial", "addr", j1Addr));
    b.call(KadJsPeer.cmd("dial", "addr", j1Addr));
    PeerId aId = PeerId.parse(a.peerId());
    PeerId bId = PeerId.parse(b.peerId());
    await(() -> j1.dht().tableEntry(aId) != null && j1.dht().tableEntry(bId) != null,
        "identify put both js peers into the Java routing table");

    // js's signed peer record from identify verifies here (RFC 0002/0003 interop).
    Connection toA = j1.host().connectionOrNull(aId);
    IdentifyMessage ident = j1.host().identify(toA).get(10, TimeUnit.SECONDS);
    PeerRecord jsRecord = PeerRecord.verify(ident.signedPeerRecord());
    assertEquals(aId, jsRecord.peerId());
    assertTrue(jsRecord.addresses().contains(kadPeer(a).addresses().get(0)), jsRecord.toString());

    // js finds a peer through a Java node: a and b know only j1.
    JsonNode found = a.call(KadJsPeer.cmd("findPeer", "peer", b.peerId()));
    assertTrue(found.path("found").asBoolean(), found.toString());
    assertTrue(found.path("addrs").toString().contains("/tcp/" + Multiaddr.parse(b.multiaddr()).tcpPort()),
        found.toString());

    // Java finds a peer through a js node: j2 knows only a, which knows j1.
    JavaNode j2 = javaNode();
    j2.dht().addPeers(List.of(kadPeer(a)));
    KadDht.LookupResult viaJs = j2.dht().findPeer(j1.host().peerId()).get(30, TimeUnit.SECONDS);
    assertNotNull(viaJs.target(), "Java found j1 through js");
    assertEquals(j1.host().listenAddresses(), viaJs.target().addresses());

    // Java client -> js server, each RPC type.
    HostKadNetwork net = new HostKadNetwork(j2.host(), PROTOCOL);
    KadPeer aPeer = kadPeer(a);
    assertEquals(Type.PING, net.send(aPeer, KadMessage.request(Type.PING, new byte[0])).get(10, TimeUnit.SECONDS).type());
    KadMessage closer = net.send(aPeer, KadMessage.request(Type.FIND_NODE, bId.bytes())).get(10, TimeUnit.SECONDS);
    assertTrue(closer.closerPeers().stream().anyMatch(p -> p.id().equals(j1.host().peerId())), closer.toString());
    IdentitySigner someone = IdentitySigner.generateEd25519(RANDOM);
    byte[] pkValue = someone.publicKey().encoded();
    byte[] pkKey = Validators.publicKeyKey(pkValue);
    KadMessage put = new KadMessage(Type.PUT_VALUE, pkKey, new KadMessage.Record(pkKey, pkValue, ""), List.of(), List.of(), 0);
    assertEquals(Type.PUT_VALUE, net.send(aPeer, put).get(10, TimeUnit.SECONDS).type());
    KadMessage got = net.send(aPeer, KadMessage.request(Type.GET_VALUE, pkKey)).get(10, TimeUnit.SECONDS);
    assertNotNull(got.record(), "js returned the record Java put");
    assertArrayEquals(pkValue, got.record().value());
    byte[] mh = Validators.sha256Multihash("java-provides".getBytes());
    KadMessage add = new KadMessage(Type.ADD_PROVIDER, mh, null, List.of(), List.of(j2.peer()), 0);
    net.send(aPeer, add).get(10, TimeUnit.SECONDS);
    await(() -> {
      try {
        KadMessage provs = net.send(aPeer, KadMessage.request(Type.GET_PROVIDERS, mh)).get(10, TimeUnit.SECONDS);
        return provs.providerPeers().stream().anyMatch(p -> p.id().equals(j2.host().peerId()));
      } catch (Exception e) {
        return false;
      }
    }, "js lists the Java provider");

    // js client -> Java server, each RPC type (j1 serves; b's requests reach it).
    assertTrue(b.call(KadJsPeer.cmd("ping", "peer", j1.host().peerId().toBase58())).path("ok").asBoolean());
    JsonNode closest = b.call(KadJsPeer.cmd("closest", "key", HEX.formatHex(aId.bytes())));
    assertTrue(closest.path("peers").toString().contains(a.peerId()), closest.toString());
    IdentitySigner other = IdentitySigner.generateEd25519(RANDOM);
    byte[] v2 = other.publicKey().encoded();
    byte[] k2 = Validators.publicKeyKey(v2);
    b.call(KadJsPeer.cmd("put", "key", HEX.formatHex(k2), "value", HEX.formatHex(v2)));
    await(() -> j1.dht().localValue(k2) != null, "js PUT_VALUE stored on the Java node");
    assertArrayEquals(v2, j1.dht().localValue(k2));
    // A record only the Java node holds, fetched by js with GET_VALUE.
    IdentitySigner third = IdentitySigner.generateEd25519(RANDOM);
    byte[] v3 = third.publicKey().encoded();
    byte[] k3 = Validators.publicKeyKey(v3);
    j1.dht().handle(j1.host().peerId(),
        new KadMessage(Type.PUT_VALUE, k3, new KadMessage.Record(k3, v3, ""), List.of(), List.of(), 0));
    JsonNode fetched = b.call(KadJsPeer.cmd("get", "key", HEX.formatHex(k3)));
    assertEquals(HEX.formatHex(v3), fetched.path("value").asText(), fetched.toString());
    assertEquals(j1.host().peerId().toBase58(), fetched.path("from").asText());
    // js ADD_PROVIDER lands on the Java node; js GET_PROVIDERS finds a provider only Java holds.
    byte[] jsMh = Validators.sha256Multihash("js-provides".getBytes());
    b.call(KadJsPeer.cmd("provide", "mh", HEX.formatHex(jsMh)));
    await(() -> j1.dht().localProviders(jsMh).stream().anyMatch(p -> p.id().equals(bId)),
        "js ADD_PROVIDER stored on the Java node");
    byte[] onlyJava = Validators.sha256Multihash("only-java".getBytes());
    j1.dht().handle(j2.host().peerId(),
        new KadMessage(Type.ADD_PROVIDER, onlyJava, null, List.of(), List.of(j2.peer()), 0));
    JsonNode provs = b.call(KadJsPeer.cmd("providers", "mh", HEX.formatHex(onlyJava)));
    assertTrue(provs.path("providers").toString().contains(j2.host().peerId().toBase58()), provs.toString());
  }
}
