package io.spacepanda.internal.net.multiaddr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MultiaddrTest {

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  @Test
  void parse_ip4Tcp_matchesKnownBinary() throws Exception {
    Multiaddr m = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001");
    assertArrayEquals(hex("047f000001060fa1"), m.toBytes());
    assertEquals("127.0.0.1", m.tcpHostOrNull());
    assertEquals(4001, m.tcpPort());
  }

  @Test
  void parse_p2p_matchesKnownBinary() throws Exception {
    Multiaddr m = Multiaddr.parse("/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC");
    assertArrayEquals(
        hex("a503221220d52ebb89d85b02a284948203a62ff28389c57c9f42beec4ec20db76a68911c0b"),
        m.toBytes());
    assertEquals(m, Multiaddr.parse("/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"));
  }

  @Test
  void parse_ip6_printsCompressedForm() throws Exception {
    Multiaddr m = Multiaddr.parse("/ip6/0:0:0:0:0:0:0:1/tcp/0");
    assertEquals("/ip6/::1/tcp/0", m.toString());
    assertArrayEquals(hex("29" + "00000000000000000000000000000001" + "060000"), m.toBytes());
    assertEquals("/ip6/2001:db8::1:0:0:1/tcp/1", Multiaddr.parse("/ip6/2001:db8:0:0:1:0:0:1/tcp/1").toString());
  }

  @Test
  void parse_dns4_isLengthPrefixed() throws Exception {
    Multiaddr m = Multiaddr.parse("/dns4/example.com/tcp/443");
    assertArrayEquals(hex("360b6578616d706c652e636f6d0601bb"), m.toBytes());
    assertEquals("/dns4/example.com/tcp/443", m.toString());
    assertEquals("example.com", m.tcpHostOrNull());
  }

  @Test
  void withPeerId_appendsAndReplaces() throws Exception {
    Multiaddr base = Multiaddr.tcp(InetAddress.getLoopbackAddress(), 1234);
    byte[] id = hex("002408011220" + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
    Multiaddr full = base.withPeerId(id);
    assertArrayEquals(id, full.peerIdOrNull());
    assertEquals(base, full.withoutPeerId());
    assertEquals(full, full.withPeerId(id));
    assertNull(base.peerIdOrNull());
    assertEquals(full, Multiaddr.parse(full.toString()));
  }

  @Test
  void parse_badText_failsTyped() {
    for (String bad :
        List.of(
            "",
            "ip4/1.2.3.4",
            "/",
            "/ip4",
            "/ip4/256.0.0.1",
            "/ip4/01.0.0.1",
            "/ip4/1.2.3",
            "/tcp/65536",
            "/tcp/-1",
            "/udp/53",
            "/ip6/localhost",
            "/ip6/1:2:3:4:5:6:7:8:9",
            "/p2p/0OIl",
            "/p2p/11111",
            "/dns4/")) {
      assertThrows(MultiaddrException.class, () -> Multiaddr.parse(bad), bad);
    }
  }

  @Test
  void fromBytes_badBytes_failTyped() {
    for (String bad : List.of("", "04", "047f0000", "ff", "8001", "a503", "a50300", "36", "3600", "0680")) {
      assertThrows(MultiaddrException.class, () -> Multiaddr.fromBytes(hex(bad)), bad);
    }
  }

  @Provide
  Arbitrary<Multiaddr> multiaddrs() {
    Arbitrary<String> ip4 =
        Arbitraries.integers().between(0, 255).list().ofSize(4)
            .map(l -> "/ip4/" + l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
    Arbitrary<String> ip6 =
        Arbitraries.bytes().array(byte[].class).ofSize(16)
            .map(b -> {
              try {
                return "/ip6/" + InetAddress.getByAddress(b).getHostAddress();
              } catch (Exception e) {
                throw new AssertionError(e);
              }
            });
    Arbitrary<String> dns =
        Arbitraries.strings().withCharRange('a', 'z').withChars('.', '-', 'é').ofMinLength(1).ofMaxLength(40)
            .flatMap(s -> Arbitraries.of("/dns4/", "/dns6/").map(p -> p + s));
    Arbitrary<String> tcp = Arbitraries.integers().between(0, 65535).map(p -> "/tcp/" + p);
    Arbitrary<String> p2p =
        Arbitraries.bytes().array(byte[].class).ofSize(32)
            .map(b -> {
              byte[] mh = new byte[34];
              mh[0] = 0x12;
              mh[1] = 32;
              System.arraycopy(b, 0, mh, 2, 32);
              return "/p2p/" + Base58Btc.encode(mh);
            });
    Arbitrary<String> component = Arbitraries.oneOf(ip4, ip6, dns, tcp, p2p);
    return component.list().ofMinSize(1).ofMaxSize(6)
        .map(l -> {
          try {
            return Multiaddr.parse(String.join("", l));
          } catch (MultiaddrException e) {
            throw new AssertionError(e);
          }
        });
  }

  @Property(tries = 300)
  void textAndBinary_roundTrip(@ForAll("multiaddrs") Multiaddr m) throws Exception {
    assertEquals(m, Multiaddr.fromBytes(m.toBytes()));
    assertEquals(m, Multiaddr.parse(m.toString()));
    assertEquals(m.toString(), Multiaddr.fromBytes(m.toBytes()).toString());
  }

  @Property(tries = 1000)
  void randomBytes_decodeOrFailTyped(@ForAll @Size(max = 80) byte[] bytes) {
    try {
      Multiaddr m = Multiaddr.fromBytes(bytes);
      assertArrayEquals(bytes, m.toBytes());
    } catch (MultiaddrException expected) {
      // a typed failure is the only acceptable failure
    }
  }

  @Property(tries = 500)
  void mutatedBytes_decodeOrFailTyped(
      @ForAll("multiaddrs") Multiaddr m, @ForAll int position, @ForAll byte value) {
    byte[] b = m.toBytes();
    b[Math.floorMod(position, b.length)] = value;
    try {
      assertArrayEquals(b, Multiaddr.fromBytes(b).toBytes());
    } catch (MultiaddrException expected) {
      // a typed failure is the only acceptable failure
    }
  }

  @Property(tries = 500)
  void randomText_parsesOrFailsTyped(@ForAll @Size(max = 60) String text) {
    try {
      Multiaddr.parse("/" + text);
    } catch (MultiaddrException expected) {
      // a typed failure is the only acceptable failure
    }
  }

  @Property(tries = 300)
  void base58_roundTrip(@ForAll @Size(max = 64) byte[] bytes) throws Exception {
    String text = Base58Btc.encode(bytes);
    if (bytes.length > 0) {
      assertArrayEquals(bytes, Base58Btc.decode(text, 64));
    }
  }

  @Property(tries = 300)
  void varint_roundTrip(@ForAll long raw) throws Exception {
    long v = raw & Long.MAX_VALUE;
    byte[] enc = UnsignedVarint.encode(v);
    int[] pos = {0};
    if (enc.length <= UnsignedVarint.MAX_BYTES) {
      assertEquals(v, UnsignedVarint.read(enc, pos, enc.length, Long.MAX_VALUE));
      assertEquals(enc.length, pos[0]);
    }
  }

  @org.junit.jupiter.api.Test
  void circuitAddress_roundTripsInTextAndBytes() throws Exception {
    String relay = "/ip4/1.2.3.4/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
    String text = relay + "/p2p-circuit/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
    Multiaddr m = Multiaddr.parse(text);
    assertEquals(text, m.toString());
    assertEquals(m, Multiaddr.fromBytes(m.toBytes()));
    org.junit.jupiter.api.Assertions.assertTrue(m.isCircuit());
    org.junit.jupiter.api.Assertions.assertFalse(Multiaddr.parse(relay).isCircuit());
    // p2p-circuit is code 290 (0xa2 0x02) with no value
    assertEquals("a202", HexFormat.of().formatHex(Multiaddr.parse("/p2p-circuit").toBytes()));
  }
}
