package io.spacepanda.internal.net.dcutr;

import com.google.protobuf.CodedOutputStream;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.relay.ProtoFields;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The DCUtR message (libp2p/specs relay/DCUtR.md, "RPC messages"): {@code HolePunch { Type type =
 * 1; repeated bytes ObsAddrs = 2; }} with {@code CONNECT = 100} and {@code SYNC = 300}.
 *
 * <p>Decoding is bounded: {@link #MAX_MESSAGE_BYTES} (the spec's 4 KiB), {@link #MAX_ADDRS}
 * addresses of at most {@link Multiaddr#MAX_BYTES}; unknown fields are skipped; a missing or unknown
 * type or a known field of the wrong wire type fails with {@link DcutrException}. Immutable.
 *
 * @param type {@link #CONNECT} or {@link #SYNC}
 * @param obsAddrs binary multiaddrs
 */
public record HolePunchMessage(int type, List<byte[]> obsAddrs) {

  /** Protocol id. */
  public static final String PROTOCOL_ID = "/libp2p/dcutr";
  /** Largest message accepted. */
  public static final int MAX_MESSAGE_BYTES = 4096;
  /** Most addresses accepted. */
  public static final int MAX_ADDRS = 32;
  /** {@code Type.CONNECT}. */
  public static final int CONNECT = 100;
  /** {@code Type.SYNC}. */
  public static final int SYNC = 300;

  /** Copies the addresses. */
  public HolePunchMessage {
    obsAddrs = obsAddrs.stream().map(byte[]::clone).toList();
  }

  /**
   * Encodes the message.
   *
   * @return the protobuf bytes
   */
  public byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeEnum(1, type);
      for (byte[] a : obsAddrs) {
        out.writeByteArray(2, a);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
  }

  /**
   * Decodes a message.
   *
   * @param data the protobuf bytes
   * @return the message
   * @throws DcutrException when malformed or beyond a limit
   */
  public static HolePunchMessage decode(byte[] data) throws DcutrException {
    if (data.length > MAX_MESSAGE_BYTES) {
      throw new DcutrException("hole punch message too large");
    }
    int[] type = {-1};
    List<byte[]> addrs = new ArrayList<>();
    ProtoFields.<DcutrException>read(data, new boolean[] {true, false}, (field, in) -> {
      if (field == 1) {
        type[0] = in.readEnum();
      } else {
        byte[] a = in.readByteArray();
        if (addrs.size() >= MAX_ADDRS || a.length > Multiaddr.MAX_BYTES) {
          throw new DcutrException("too many or too long addresses");
        }
        addrs.add(a);
      }
    }, (message, cause) -> new DcutrException("malformed hole punch message: " + message, cause));
    if (type[0] != CONNECT && type[0] != SYNC) {
      throw new DcutrException("hole punch type missing or unknown");
    }
    return new HolePunchMessage(type[0], addrs);
  }
}
