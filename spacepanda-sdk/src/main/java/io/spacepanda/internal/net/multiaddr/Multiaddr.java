package io.spacepanda.internal.net.multiaddr;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An immutable multiaddr over the protocols of {@link Protocol}: text such as
 * {@code /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…} and its binary form (varint code, then value).
 *
 * <p>Design: the binary form is canonical; parsing text builds the binary form and decoding
 * bytes rebuilds the components, so both paths check the same limits ({@link #MAX_BYTES},
 * {@link #MAX_COMPONENTS}, per-protocol value sizes). A multiaddr never resolves DNS names and
 * never touches the network. Instances are value objects and thread-safe.
 */
public final class Multiaddr {

  /** Largest binary multiaddr accepted. */
  public static final int MAX_BYTES = 1024;

  /** Largest number of components accepted. */
  public static final int MAX_COMPONENTS = 32;

  /** Largest DNS name accepted, in UTF-8 bytes (RFC 1035 §2.3.4). */
  public static final int MAX_DNS_NAME_BYTES = 255;

  /** Largest peer id multihash accepted in a /p2p component. */
  public static final int MAX_PEER_ID_BYTES = 128;

  /** One protocol and its binary value. */
  public static final class Component {
    private final Protocol protocol;
    private final byte[] value;

    private Component(Protocol protocol, byte[] value) {
      this.protocol = protocol;
      this.value = value;
    }

    /**
     * Returns the protocol.
     *
     * @return the protocol
     */
    public Protocol protocol() {
      return protocol;
    }

    /**
     * Returns a copy of the binary value (without any length prefix).
     *
     * @return the value bytes
     */
    public byte[] value() {
      return value.clone();
    }

    /**
     * Returns the value in multiaddr text form.
     *
     * @return the text value, such as {@code 127.0.0.1}
     */
    public String valueText() {
      return valueToText(protocol, value);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Component
          && ((Component) o).protocol == protocol
          && Arrays.equals(((Component) o).value, value);
    }

    @Override
    public int hashCode() {
      return protocol.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return protocol.fixedSize() == 0 ? "/" + protocol.text() : "/" + protocol.text() + "/" + valueText();
    }
  }

  private final List<Component> components;
  private final byte[] bytes;

  private Multiaddr(List<Component> components, byte[] bytes) {
    this.components = Collections.unmodifiableList(components);
    this.bytes = bytes;
  }

  /**
   * Parses the text form.
   *
   * @param text a multiaddr such as {@code /ip4/127.0.0.1/tcp/0}
   * @return the multiaddr
   * @throws MultiaddrException if the text is malformed, names an unsupported protocol or is too long
   */
  public static Multiaddr parse(String text) throws MultiaddrException {
    Objects.requireNonNull(text, "text");
    if (text.length() > MAX_BYTES * 4) {
      throw new MultiaddrException("multiaddr text too long");
    }
    if (!text.startsWith("/")) {
      throw new MultiaddrException("multiaddr text must start with '/'");
    }
    String[] parts = text.substring(1).split("/", -1);
    if (parts.length == 1 && parts[0].isEmpty()) {
      throw new MultiaddrException("empty multiaddr");
    }
    int n = parts.length;
    if (n > 0 && parts[n - 1].isEmpty()) {
      n--; // one trailing slash is tolerated, as go-multiaddr does
    }
    List<Component> out = new ArrayList<>();
    int i = 0;
    while (i < n) {
      Protocol p = Protocol.forTextOrNull(parts[i]);
      if (p == null) {
        throw new MultiaddrException("unsupported multiaddr protocol");
      }
      if (p.fixedSize() == 0) {
        out.add(new Component(p, new byte[0]));
        i += 1;
        continue;
      }
      if (i + 1 >= n) {
        throw new MultiaddrException("missing multiaddr value");
      }
      out.add(new Component(p, valueFromText(p, parts[i + 1])));
      i += 2;
    }
    return of(out);
  }

  /**
   * Decodes the binary form.
   *
   * @param bytes the binary multiaddr, not modified
   * @return the multiaddr
   * @throws MultiaddrException if the bytes are truncated, oversized or name an unsupported protocol
   */
  public static Multiaddr fromBytes(byte[] bytes) throws MultiaddrException {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length == 0) {
      throw new MultiaddrException("empty multiaddr");
    }
    if (bytes.length > MAX_BYTES) {
      throw new MultiaddrException("multiaddr too long");
    }
    int[] pos = {0};
    List<Component> out = new ArrayList<>();
    while (pos[0] < bytes.length) {
      if (out.size() >= MAX_COMPONENTS) {
        throw new MultiaddrException("too many multiaddr components");
      }
      long code = UnsignedVarint.read(bytes, pos, bytes.length, Integer.MAX_VALUE);
      Protocol p = Protocol.forCodeOrNull(code);
      if (p == null) {
        throw new MultiaddrException("unsupported multiaddr protocol");
      }
      int size = p.fixedSize();
      if (size < 0) {
        size = (int) UnsignedVarint.read(bytes, pos, bytes.length, MAX_BYTES);
      }
      if (bytes.length - pos[0] < size) {
        throw new MultiaddrException("truncated multiaddr value");
      }
      byte[] value = Arrays.copyOfRange(bytes, pos[0], pos[0] + size);
      pos[0] += size;
      checkValue(p, value);
      out.add(new Component(p, value));
    }
    return new Multiaddr(out, bytes.clone());
  }

  private static Multiaddr of(List<Component> components) throws MultiaddrException {
    if (components.size() > MAX_COMPONENTS) {
      throw new MultiaddrException("too many multiaddr components");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Component c : components) {
      UnsignedVarint.write(c.protocol.code(), out);
      if (c.protocol.fixedSize() < 0) {
        UnsignedVarint.write(c.value.length, out);
      }
      out.writeBytes(c.value);
    }
    if (out.size() > MAX_BYTES) {
      throw new MultiaddrException("multiaddr too long");
    }
    return new Multiaddr(new ArrayList<>(components), out.toByteArray());
  }

  /**
   * Returns a multiaddr for a TCP endpoint.
   *
   * @param address an IPv4 or IPv6 address
   * @param port the TCP port, 0 to 65535
   * @return {@code /ip4/…/tcp/…} or {@code /ip6/…/tcp/…}
   */
  public static Multiaddr tcp(InetAddress address, int port) {
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    Protocol ip = address instanceof Inet4Address ? Protocol.IP4 : Protocol.IP6;
    List<Component> list = new ArrayList<>();
    list.add(new Component(ip, address.getAddress()));
    list.add(new Component(Protocol.TCP, new byte[] {(byte) (port >>> 8), (byte) port}));
    try {
      return of(list);
    } catch (MultiaddrException e) {
      throw new IllegalStateException("a TCP multiaddr is always within limits", e);
    }
  }

  /**
   * Returns this multiaddr followed by {@code /p2p/<peerId>}, replacing an existing trailing /p2p.
   *
   * @param peerIdMultihash the peer id multihash bytes
   * @return the new multiaddr
   * @throws MultiaddrException if the bytes are not a valid peer id multihash or the result is too long
   */
  public Multiaddr withPeerId(byte[] peerIdMultihash) throws MultiaddrException {
    byte[] value = peerIdMultihash.clone();
    checkValue(Protocol.P2P, value);
    List<Component> list = new ArrayList<>(withoutPeerId().components);
    list.add(new Component(Protocol.P2P, value));
    return of(list);
  }

  /**
   * Returns this multiaddr without a trailing {@code /p2p} component.
   *
   * @return the transport part of this multiaddr (this instance when there is no /p2p)
   */
  public Multiaddr withoutPeerId() {
    if (components.isEmpty() || components.get(components.size() - 1).protocol != Protocol.P2P) {
      return this;
    }
    try {
      return of(new ArrayList<>(components.subList(0, components.size() - 1)));
    } catch (MultiaddrException e) {
      throw new IllegalStateException("a prefix of a valid multiaddr is valid", e);
    }
  }

  /**
   * Returns the peer id multihash of the trailing {@code /p2p} component, or null.
   *
   * @return a copy of the multihash bytes, or null when the last component is not /p2p
   */
  public byte[] peerIdOrNull() {
    if (components.isEmpty()) {
      return null;
    }
    Component last = components.get(components.size() - 1);
    return last.protocol == Protocol.P2P ? last.value() : null;
  }

  /**
   * Returns whether this is a relayed address: it holds a {@code /p2p-circuit} component.
   *
   * @return {@code true} for {@code …/p2p/<relay>/p2p-circuit/…}
   */
  public boolean isCircuit() {
    for (Component c : components) {
      if (c.protocol == Protocol.P2P_CIRCUIT) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the components in order.
   *
   * @return an unmodifiable list
   */
  public List<Component> components() {
    return components;
  }

  /**
   * Returns the host part of a {@code /ip4|ip6|dns4|dns6/…/tcp/…} prefix, or null.
   *
   * @return the address literal or DNS name, or null when this is not a TCP multiaddr
   */
  public String tcpHostOrNull() {
    if (components.size() < 2 || components.get(1).protocol != Protocol.TCP) {
      return null;
    }
    Component first = components.get(0);
    if (first.protocol == Protocol.P2P || first.protocol == Protocol.TCP) {
      return null;
    }
    return first.valueText();
  }

  /**
   * Returns the TCP port of a {@code /ip4|ip6|dns4|dns6/…/tcp/…} prefix, or -1.
   *
   * @return the port, or -1 when this is not a TCP multiaddr
   */
  public int tcpPort() {
    if (tcpHostOrNull() == null) {
      return -1;
    }
    byte[] v = components.get(1).value;
    return ((v[0] & 0xFF) << 8) | (v[1] & 0xFF);
  }

  /**
   * Returns a copy of the binary form.
   *
   * @return the binary multiaddr
   */
  public byte[] toBytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multiaddr && Arrays.equals(((Multiaddr) o).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /**
   * Returns the text form.
   *
   * @return text such as {@code /ip4/127.0.0.1/tcp/4001}
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Component c : components) {
      sb.append(c);
    }
    return sb.toString();
  }

  private static byte[] valueFromText(Protocol p, String text) throws MultiaddrException {
    byte[] value;
    switch (p) {
      case IP4:
        value = parseIp4(text);
        break;
      case IP6:
        value = parseIp6(text);
        break;
      case TCP:
        value = parsePort(text);
        break;
      case DNS4:
      case DNS6:
        value = text.getBytes(StandardCharsets.UTF_8);
        break;
      case P2P:
        value = Base58Btc.decode(text, MAX_PEER_ID_BYTES);
        break;
      default:
        throw new MultiaddrException("unsupported multiaddr protocol");
    }
    checkValue(p, value);
    return value;
  }

  private static void checkValue(Protocol p, byte[] value) throws MultiaddrException {
    switch (p) {
      case DNS4:
      case DNS6:
        if (value.length == 0 || value.length > MAX_DNS_NAME_BYTES) {
          throw new MultiaddrException("invalid DNS name length");
        }
        String name = strictUtf8(value);
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
          throw new MultiaddrException("invalid DNS name");
        }
        break;
      case P2P:
        checkPeerIdMultihash(value);
        break;
      default:
        if (value.length != p.fixedSize()) {
          throw new MultiaddrException("invalid multiaddr value size");
        }
    }
  }

  /**
   * Checks that {@code value} is an identity or sha2-256 multihash, as libp2p peer ids are.
   *
   * @param value the multihash bytes
   * @throws MultiaddrException if it is not
   */
  public static void checkPeerIdMultihash(byte[] value) throws MultiaddrException {
    if (value.length > MAX_PEER_ID_BYTES) {
      throw new MultiaddrException("peer id too long");
    }
    int[] pos = {0};
    long code = UnsignedVarint.read(value, pos, value.length, Integer.MAX_VALUE);
    long len = UnsignedVarint.read(value, pos, value.length, MAX_PEER_ID_BYTES);
    if (len != value.length - pos[0]) {
      throw new MultiaddrException("peer id multihash length mismatch");
    }
    if (code == 0x00) {
      if (len == 0) {
        throw new MultiaddrException("empty identity multihash");
      }
    } else if (code == 0x12) {
      if (len != 32) {
        throw new MultiaddrException("sha2-256 multihash must hold 32 bytes");
      }
    } else {
      throw new MultiaddrException("unsupported peer id multihash");
    }
  }

  private static String strictUtf8(byte[] value) throws MultiaddrException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MultiaddrException("DNS name is not UTF-8", e);
    }
  }

  private static String valueToText(Protocol p, byte[] v) {
    switch (p) {
      case IP4:
        return (v[0] & 0xFF) + "." + (v[1] & 0xFF) + "." + (v[2] & 0xFF) + "." + (v[3] & 0xFF);
      case IP6:
        return formatIp6(v);
      case TCP:
        return Integer.toString(((v[0] & 0xFF) << 8) | (v[1] & 0xFF));
      case DNS4:
      case DNS6:
        return new String(v, StandardCharsets.UTF_8);
      case P2P:
        return Base58Btc.encode(v);
      case P2P_CIRCUIT:
        return "";
      default:
        throw new IllegalStateException("unknown protocol " + p);
    }
  }

  private static byte[] parseIp4(String text) throws MultiaddrException {
    String[] octets = text.split("\\.", -1);
    if (octets.length != 4) {
      throw new MultiaddrException("invalid IPv4 address");
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      out[i] = (byte) parseDecimal(octets[i], 255, "invalid IPv4 address");
    }
    return out;
  }

  private static byte[] parsePort(String text) throws MultiaddrException {
    int port = parseDecimal(text, 0xFFFF, "invalid TCP port");
    return new byte[] {(byte) (port >>> 8), (byte) port};
  }

  private static int parseDecimal(String s, int max, String error) throws MultiaddrException {
    if (s.isEmpty() || s.length() > 5 || (s.length() > 1 && s.charAt(0) == '0')) {
      throw new MultiaddrException(error);
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new MultiaddrException(error);
      }
      v = v * 10 + (c - '0');
    }
    if (v > max) {
      throw new MultiaddrException(error);
    }
    return v;
  }

  private static byte[] parseIp6(String text) throws MultiaddrException {
    // Only hex digits, ':' and '.' reach InetAddress, and a ':' is required, so it parses a
    // literal and never performs a name lookup.
    if (text.isEmpty() || text.length() > 45 || text.indexOf(':') < 0) {
      throw new MultiaddrException("invalid IPv6 address");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'
              || c == '.';
      if (!ok) {
        throw new MultiaddrException("invalid IPv6 address");
      }
    }
    InetAddress a;
    try {
      a = InetAddress.getByName(text);
    } catch (UnknownHostException | RuntimeException e) {
      throw new MultiaddrException("invalid IPv6 address", e);
    }
    if (a instanceof Inet6Address) {
      return a.getAddress();
    }
    byte[] v4 = a.getAddress(); // ::ffff:a.b.c.d comes back as an Inet4Address
    byte[] out = new byte[16];
    out[10] = (byte) 0xFF;
    out[11] = (byte) 0xFF;
    System.arraycopy(v4, 0, out, 12, 4);
    return out;
  }

  private static String formatIp6(byte[] v) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((v[2 * i] & 0xFF) << 8) | (v[2 * i + 1] & 0xFF);
    }
    // RFC 5952 §4.2: compress the longest run (length >= 2) of zero groups, the first on ties.
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }
}
