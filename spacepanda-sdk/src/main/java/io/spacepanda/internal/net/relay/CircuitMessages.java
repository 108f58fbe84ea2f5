package io.spacepanda.internal.net.relay;

import com.google.protobuf.CodedOutputStream;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.relay.RelayException.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The circuit relay v2 protobuf messages (libp2p/specs relay/circuit-v2.md, section "Protobuf"):
 * {@code HopMessage}, {@code StopMessage} and their {@code Peer}, {@code Reservation} and {@code
 * Limit}.
 *
 * <p>Decoding is bounded: at most {@link RelayConstants#MAX_MESSAGE_BYTES} per message, {@link
 * RelayConstants#MAX_ADDRS} addresses per list, {@link Multiaddr#MAX_BYTES} per address and {@link
 * Multiaddr#MAX_PEER_ID_BYTES} per peer id; unknown fields are skipped; a missing required {@code
 * type} or an unknown type is refused. A repeated singular field keeps its last value. Every
 * failure is a {@link RelayException} with status {@link Status#MALFORMED_MESSAGE}. Stateless.
 */
public final class CircuitMessages {

  /** {@code HopMessage.Type.RESERVE}. */
  public static final int HOP_RESERVE = 0;
  /** {@code HopMessage.Type.CONNECT}. */
  public static final int HOP_CONNECT = 1;
  /** {@code HopMessage.Type.STATUS}. */
  public static final int HOP_STATUS = 2;
  /** {@code StopMessage.Type.CONNECT}. */
  public static final int STOP_CONNECT = 0;
  /** {@code StopMessage.Type.STATUS}. */
  public static final int STOP_STATUS = 1;

  private CircuitMessages() {}

  /**
   * {@code Peer { required bytes id = 1; repeated bytes addrs = 2; }}.
   *
   * @param id the peer id multihash
   * @param addrs binary multiaddrs
   */
  public record Peer(byte[] id, List<byte[]> addrs) {
    /** Copies the arguments. */
    public Peer {
      id = id.clone();
      addrs = addrs.stream().map(byte[]::clone).toList();
    }

    @Override
    public byte[] id() {
      return id.clone();
    }
  }

  /**
   * {@code Reservation { uint64 expire = 1; repeated bytes addrs = 2; bytes voucher = 3; }}.
   *
   * @param expire UNIX seconds (UTC) when the reservation ends
   * @param addrs the relay's addresses, each ending in its /p2p id
   * @param voucher the signed voucher envelope, empty when absent
   */
  public record Reservation(long expire, List<byte[]> addrs, byte[] voucher) {
    /** Copies the arguments. */
    public Reservation {
      addrs = addrs.stream().map(byte[]::clone).toList();
      voucher = voucher.clone();
    }

    @Override
    public byte[] voucher() {
      return voucher.clone();
    }
  }

  /**
   * {@code Limit { uint32 duration = 1; uint64 data = 2; }}; zero means no limit.
   *
   * @param durationSeconds longest relayed connection in seconds, 0 to 2^32-1
   * @param dataBytes most bytes per direction
   */
  public record Limit(long durationSeconds, long dataBytes) {
    /** Checks the range of the duration. */
    public Limit {
      if (durationSeconds < 0 || durationSeconds > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("duration out of uint32 range: " + durationSeconds);
      }
    }
  }

  /**
   * A {@code HopMessage}.
   *
   * @param type {@link #HOP_RESERVE}, {@link #HOP_CONNECT} or {@link #HOP_STATUS}
   * @param peer the peer, or null
   * @param reservation the reservation, or null
   * @param limit the limit, or null when absent (no limits)
   * @param status a status code, 0 when absent
   */
  public record Hop(int type, Peer peer, Reservation reservation, Limit limit, int status) {
    /** Checks the type. */
    public Hop {
      if (type < HOP_RESERVE || type > HOP_STATUS) {
        throw new IllegalArgumentException("hop type " + type);
      }
    }

    /**
     * Encodes the message (without length prefix).
     *
     * @return the protobuf bytes
     */
    public byte[] encode() {
      return write(out -> {
        out.writeEnum(1, type);
        if (peer != null) {
          out.writeByteArray(2, encodePeer(peer));
        }
        if (reservation != null) {
          out.writeByteArray(3, encodeReservation(reservation));
        }
        if (limit != null) {
          out.writeByteArray(4, encodeLimit(limit));
        }
        if (status != 0) {
          out.writeEnum(5, status);
        }
      });
    }

    /**
     * Decodes a hop message.
     *
     * @param data the protobuf bytes
     * @return the message
     * @throws RelayException when malformed or beyond a limit
     */
    public static Hop decode(byte[] data) throws RelayException {
      int[] type = {-1};
      Peer[] peer = {null};
      Reservation[] res = {null};
      Limit[] limit = {null};
      int[] status = {0};
      read(data, new boolean[] {true, false, false, false, true}, (field, in) -> {
        switch (field) {
          case 1 -> type[0] = in.readEnum();
          case 2 -> peer[0] = decodePeer(in.readByteArray());
          case 3 -> res[0] = decodeReservation(in.readByteArray());
          case 4 -> limit[0] = decodeLimit(in.readByteArray());
          case 5 -> status[0] = in.readEnum();
          default -> throw new IllegalStateException("unreachable");
        }
      });
      if (type[0] < HOP_RESERVE || type[0] > HOP_STATUS) {
        throw malformed("hop message type missing or unknown", null);
      }
      return new Hop(type[0], peer[0], res[0], limit[0], status[0]);
    }
  }

  /**
   * A {@code StopMessage}.
   *
   * @param type {@link #STOP_CONNECT} or {@link #STOP_STATUS}
   * @param peer the peer, or null
   * @param limit the limit, or null when absent (no limits)
   * @param status a status code, 0 when absent
   */
  public record Stop(int type, Peer peer, Limit limit, int status) {
    /** Checks the type. */
    public Stop {
      if (type < STOP_CONNECT || type > STOP_STATUS) {
        throw new IllegalArgumentException("stop type " + type);
      }
    }

    /**
     * Encodes the message (without length prefix).
     *
     * @return the protobuf bytes
     */
    public byte[] encode() {
      return write(out -> {
        out.writeEnum(1, type);
        if (peer != null) {
          out.writeByteArray(2, encodePeer(peer));
        }
        if (limit != null) {
          out.writeByteArray(3, encodeLimit(limit));
        }
        if (status != 0) {
          out.writeEnum(4, status);
        }
      });
    }

    /**
     * Decodes a stop message.
     *
     * @param data the protobuf bytes
     * @return the message
     * @throws RelayException when malformed or beyond a limit
     */
    public static Stop decode(byte[] data) throws RelayException {
      int[] type = {-1};
      Peer[] peer = {null};
      Limit[] limit = {null};
      int[] status = {0};
      read(data, new boolean[] {true, false, false, true}, (field, in) -> {
        switch (field) {
          case 1 -> type[0] = in.readEnum();
          case 2 -> peer[0] = decodePeer(in.readByteArray());
          case 3 -> limit[0] = decodeLimit(in.readByteArray());
          case 4 -> status[0] = in.readEnum();
          default -> throw new IllegalStateException("unreachable");
        }
      });
      if (type[0] < STOP_CONNECT || type[0] > STOP_STATUS) {
        throw malformed("stop message type missing or unknown", null);
      }
      return new Stop(type[0], peer[0], limit[0], status[0]);
    }
  }

  static byte[] encodePeer(Peer p) {
    return write(out -> {
      out.writeByteArray(1, p.id);
      for (byte[] a : p.addrs) {
        out.writeByteArray(2, a);
      }
    });
  }

  static Peer decodePeer(byte[] data) throws RelayException {
    byte[][] id = {null};
    List<byte[]> addrs = new ArrayList<>();
    read(data, new boolean[] {false, false}, (field, in) -> {
      switch (field) {
        case 1 -> id[0] = bounded(in.readByteArray(), Multiaddr.MAX_PEER_ID_BYTES, "peer id");
        case 2 -> addAddr(addrs, in.readByteArray());
        default -> throw new IllegalStateException("unreachable");
      }
    });
    if (id[0] == null || id[0].length == 0) {
      throw malformed("peer without id", null);
    }
    return new Peer(id[0], addrs);
  }

  static byte[] encodeReservation(Reservation r) {
    return write(out -> {
      out.writeUInt64(1, r.expire);
      for (byte[] a : r.addrs) {
        out.writeByteArray(2, a);
      }
      if (r.voucher.length > 0) {
        out.writeByteArray(3, r.voucher);
      }
    });
  }

  static Reservation decodeReservation(byte[] data) throws RelayException {
    long[] expire = {0};
    List<byte[]> addrs = new ArrayList<>();
    byte[][] voucher = {new byte[0]};
    read(data, new boolean[] {true, false, false}, (field, in) -> {
      switch (field) {
        case 1 -> expire[0] = in.readUInt64();
        case 2 -> addAddr(addrs, in.readByteArray());
        case 3 -> voucher[0] = in.readByteArray();
        default -> throw new IllegalStateException("unreachable");
      }
    });
    return new Reservation(expire[0], addrs, voucher[0]);
  }

  static byte[] encodeLimit(Limit l) {
    return write(out -> {
      if (l.durationSeconds != 0) {
        out.writeUInt32(1, (int) l.durationSeconds);
      }
      if (l.dataBytes != 0) {
        out.writeUInt64(2, l.dataBytes);
      }
    });
  }

  static Limit decodeLimit(byte[] data) throws RelayException {
    long[] v = {0, 0};
    read(data, new boolean[] {true, true}, (field, in) -> {
      switch (field) {
        case 1 -> v[0] = Integer.toUnsignedLong(in.readUInt32());
        case 2 -> v[1] = in.readUInt64();
        default -> throw new IllegalStateException("unreachable");
      }
    });
    return new Limit(v[0], v[1]);
  }

  private static void addAddr(List<byte[]> addrs, byte[] a) throws RelayException {
    if (addrs.size() >= RelayConstants.MAX_ADDRS) {
      throw malformed("too many addresses", null);
    }
    addrs.add(bounded(a, Multiaddr.MAX_BYTES, "address"));
  }

  private static byte[] bounded(byte[] v, int max, String what) throws RelayException {
    if (v.length > max) {
      throw malformed(what + " too long", null);
    }
    return v;
  }

  /** Writes protobuf fields. */
  interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  static byte[] write(Writer w) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      w.write(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
  }

  /**
   * Reads the fields of one message with {@link ProtoFields}, at most {@link
   * RelayConstants#MAX_MESSAGE_BYTES} long.
   *
   * @throws RelayException when the bytes are malformed or too long
   */
  static void read(byte[] data, boolean[] varints, ProtoFields.FieldReader<RelayException> reader)
      throws RelayException {
    Objects.requireNonNull(data, "data");
    if (data.length > RelayConstants.MAX_MESSAGE_BYTES) {
      throw malformed("message too large", null);
    }
    ProtoFields.read(data, varints, reader, CircuitMessages::malformed);
  }

  static RelayException malformed(String message, Throwable cause) {
    return new RelayException(Status.MALFORMED_MESSAGE, message, cause);
  }
}
