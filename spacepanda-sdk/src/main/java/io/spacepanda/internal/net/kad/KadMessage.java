package io.spacepanda.internal.net.kad;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.spacepanda.InvalidPeerIdException;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One kad-dht RPC message (libp2p/specs kad-dht/README.md, "RPC messages"):
 *
 * <pre>
 * message Record { bytes key = 1; bytes value = 2; string timeReceived = 5; }
 * message Message {
 *   enum MessageType { PUT_VALUE = 0; GET_VALUE = 1; ADD_PROVIDER = 2; GET_PROVIDERS = 3;
 *                      FIND_NODE = 4; PING = 5; }
 *   message Peer { bytes id = 1; repeated bytes addrs = 2; ConnectionType connection = 3; }
 *   MessageType type = 1; int32 clusterLevelRaw = 10; bytes key = 2; Record record = 3;
 *   repeated Peer closerPeers = 8; repeated Peer providerPeers = 9;
 * }
 * </pre>
 *
 * <p>Messages travel varint-length-prefixed on the stream. Decoder rules (bounds of this
 * implementation; the spec sets none): a message of at most {@link #MAX_MESSAGE_BYTES}, a key of
 * at most {@link #MAX_KEY_BYTES}, a value of at most {@link #MAX_VALUE_BYTES}, at most {@link
 * #MAX_PEERS} peers per list with at most {@link #MAX_ADDRESSES_PER_PEER} addresses each; a peer
 * whose id or an address of which does not parse is dropped (counted in {@link #droppedPeers()})
 * rather than failing the whole message, as go and js do; unknown fields and the legacy record
 * fields (author, signature) are skipped; an unknown message type fails.
 *
 * @param type the RPC
 * @param key the key (a peer id multihash for FIND_NODE, a record key, a provider CID multihash)
 * @param record the record of PUT_VALUE / GET_VALUE, or null
 * @param closerPeers peers closer to the key
 * @param providerPeers providers (GET_PROVIDERS answers, ADD_PROVIDER requests)
 * @param droppedPeers how many peers the decoder dropped as malformed (0 for built messages)
 */
public record KadMessage(Type type, byte[] key, Record record, List<KadPeer> closerPeers,
    List<KadPeer> providerPeers, int droppedPeers) {

  /** Largest message accepted. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;
  /** Largest key accepted. */
  public static final int MAX_KEY_BYTES = 512;
  /** Largest record value accepted. */
  public static final int MAX_VALUE_BYTES = 16 * 1024;
  /** Most peers accepted in one list. */
  public static final int MAX_PEERS = 64;
  /** Most addresses accepted per peer. */
  public static final int MAX_ADDRESSES_PER_PEER = 16;
  /** Largest binary multiaddr accepted. */
  public static final int MAX_ADDRESS_BYTES = 256;

  /** The RPC types with their wire numbers. */
  public enum Type {
    /** Store a record. */
    PUT_VALUE(0),
    /** Fetch a record and closer peers. */
    GET_VALUE(1),
    /** Announce a provider. */
    ADD_PROVIDER(2),
    /** Fetch providers and closer peers. */
    GET_PROVIDERS(3),
    /** Fetch closer peers. */
    FIND_NODE(4),
    /** Liveness check (deprecated in the spec, still answered). */
    PING(5);

    private final int number;

    Type(int number) {
      this.number = number;
    }

    /**
     * Returns the wire number.
     *
     * @return the enum value on the wire
     */
    public int number() {
      return number;
    }

    static Type ofOrNull(long n) {
      for (Type t : values()) {
        if (t.number == n) {
          return t;
        }
      }
      return null;
    }
  }

  /**
   * A record (spec "Record").
   *
   * @param key the record key
   * @param value the value
   * @param timeReceived RFC 3339 time the sender received it, empty when absent
   */
  public record Record(byte[] key, byte[] value, String timeReceived) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException when a component is null
     */
    public Record {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      Objects.requireNonNull(timeReceived, "timeReceived");
    }
  }

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException when a list exceeds {@link #MAX_PEERS}
   */
  public KadMessage {
    Objects.requireNonNull(type, "type");
    key = key == null ? new byte[0] : key;
    closerPeers = List.copyOf(closerPeers);
    providerPeers = List.copyOf(providerPeers);
    if (closerPeers.size() > MAX_PEERS || providerPeers.size() > MAX_PEERS) {
      throw new IllegalArgumentException("more than " + MAX_PEERS + " peers");
    }
  }

  /**
   * Creates a request with a key only.
   *
   * @param type the RPC
   * @param key the key
   * @return the message
   */
  public static KadMessage request(Type type, byte[] key) {
    return new KadMessage(type, key, null, List.of(), List.of(), 0);
  }

  /**
   * Encodes the message body (without length prefix).
   *
   * @return protobuf bytes
   */
  public byte[] encode() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(buf);
    try {
      if (type.number != 0) {
        o.writeEnum(1, type.number);
      }
      if (key.length > 0) {
        o.writeByteArray(2, key);
      }
      if (record != null) {
        o.writeByteArray(3, encodeRecord(record));
      }
      for (KadPeer p : closerPeers) {
        o.writeByteArray(8, encodePeer(p));
      }
      for (KadPeer p : providerPeers) {
        o.writeByteArray(9, encodePeer(p));
      }
      o.flush();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory stream", e);
    }
    return buf.toByteArray();
  }

  private static byte[] encodeRecord(Record r) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(buf);
    o.writeByteArray(1, r.key());
    o.writeByteArray(2, r.value());
    if (!r.timeReceived().isEmpty()) {
      o.writeString(5, r.timeReceived());
    }
    o.flush();
    return buf.toByteArray();
  }

  private static byte[] encodePeer(KadPeer p) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(buf);
    o.writeByteArray(1, p.id().bytes());
    for (Multiaddr m : p.addresses()) {
      o.writeByteArray(2, m.toBytes());
    }
    o.flush();
    return buf.toByteArray();
  }

  /**
   * Decodes a message body.
   *
   * @param bytes the protobuf bytes (without length prefix)
   * @return the message
   * @throws KadException when malformed or beyond a limit
   */
  public static KadMessage decode(byte[] bytes) throws KadException {
    if (bytes.length > MAX_MESSAGE_BYTES) {
      throw new KadException("kad message exceeds " + MAX_MESSAGE_BYTES + " bytes");
    }
    long type = 0;
    byte[] key = new byte[0];
    Record record = null;
    List<KadPeer> closer = new ArrayList<>();
    List<KadPeer> providers = new ArrayList<>();
    int[] dropped = {0};
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        int field = WireFormat.getTagFieldNumber(tag);
        int wire = WireFormat.getTagWireType(tag);
        switch (field) {
          case 1 -> {
            expect(wire, WireFormat.WIRETYPE_VARINT);
            type = in.readUInt64();
          }
          case 2 -> {
            expect(wire, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            key = in.readByteArray();
            if (key.length > MAX_KEY_BYTES) {
              throw new KadException("kad key too long");
            }
          }
          case 3 -> {
            expect(wire, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            record = decodeRecord(in.readByteArray());
          }
          case 8, 9 -> {
            expect(wire, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            List<KadPeer> list = field == 8 ? closer : providers;
            byte[] body = in.readByteArray();
            if (list.size() == MAX_PEERS) {
              throw new KadException("more than " + MAX_PEERS + " peers in a kad message");
            }
            KadPeer p = decodePeer(body, dropped);
            if (p != null) {
              list.add(p);
            }
          }
          default -> {
            if (field == 0 || !in.skipField(tag)) {
              throw new KadException("malformed kad message field");
            }
          }
        }
      }
    } catch (IOException e) {
      throw new KadException("malformed kad message", e);
    }
    Type t = Type.ofOrNull(type);
    if (t == null) {
      throw new KadException("unknown kad message type");
    }
    return new KadMessage(t, key, record, closer, providers, dropped[0]);
  }

  private static void expect(int wire, int wanted) throws KadException {
    if (wire != wanted) {
      throw new KadException("kad field has the wrong wire type");
    }
  }

  private static Record decodeRecord(byte[] bytes) throws IOException, KadException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    byte[] key = new byte[0];
    byte[] value = new byte[0];
    String time = "";
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == 1 || field == 2 || field == 5) {
        expect(WireFormat.getTagWireType(tag), WireFormat.WIRETYPE_LENGTH_DELIMITED);
        byte[] v = in.readByteArray();
        if (field == 1) {
          if (v.length > MAX_KEY_BYTES) {
            throw new KadException("record key too long");
          }
          key = v;
        } else if (field == 2) {
          if (v.length > MAX_VALUE_BYTES) {
            throw new KadException("record value too long");
          }
          value = v;
        } else {
          if (v.length > 64) {
            throw new KadException("record time too long");
          }
          time = new String(v, StandardCharsets.UTF_8);
        }
      } else if (field == 0 || !in.skipField(tag)) {
        throw new KadException("malformed record field");
      }
    }
    return new Record(key, value, time);
  }

  /** Decodes a peer; returns null (and counts it) when its id or an address is malformed. */
  private static KadPeer decodePeer(byte[] bytes, int[] dropped) throws IOException, KadException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    byte[] id = null;
    List<byte[]> addrs = new ArrayList<>();
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      int field = WireFormat.getTagFieldNumber(tag);
      if (field == 1 || field == 2) {
        expect(WireFormat.getTagWireType(tag), WireFormat.WIRETYPE_LENGTH_DELIMITED);
        byte[] v = in.readByteArray();
        if (field == 1) {
          id = v;
        } else if (addrs.size() < MAX_ADDRESSES_PER_PEER && v.length <= MAX_ADDRESS_BYTES) {
          addrs.add(v); // extra or oversized addresses are ignored, not fatal
        }
      } else if (field == 0 || !in.skipField(tag)) {
        throw new KadException("malformed peer field");
      }
    }
    if (id == null) {
      dropped[0]++;
      return null;
    }
    PeerId peer;
    try {
      peer = PeerId.fromBytes(id);
    } catch (InvalidPeerIdException e) {
      dropped[0]++;
      return null;
    }
    List<Multiaddr> parsed = new ArrayList<>();
    for (byte[] a : addrs) {
      try {
        parsed.add(Multiaddr.fromBytes(a).withoutPeerId());
      } catch (MultiaddrException e) {
        // an address we cannot parse (a transport we do not know) is skipped
      }
    }
    return new KadPeer(peer, parsed);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KadMessage m && type == m.type && java.util.Arrays.equals(key, m.key)
        && recordEquals(record, m.record) && closerPeers.equals(m.closerPeers)
        && providerPeers.equals(m.providerPeers) && droppedPeers == m.droppedPeers;
  }

  private static boolean recordEquals(Record a, Record b) {
    if (a == null || b == null) {
      return a == b;
    }
    return java.util.Arrays.equals(a.key, b.key) && java.util.Arrays.equals(a.value, b.value)
        && a.timeReceived.equals(b.timeReceived);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, java.util.Arrays.hashCode(key), closerPeers, providerPeers);
  }

  @Override
  public String toString() {
    return "KadMessage[" + type + ", key " + key.length + " bytes, record " + (record != null)
        + ", closer " + closerPeers.size() + ", providers " + providerPeers.size() + "]";
  }
}
