package io.spacepanda.internal.net.autonat;

import com.google.protobuf.CodedOutputStream;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.relay.ProtoFields;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The AutoNAT v1 protobuf (libp2p/specs autonat/autonat-v1.md, "Protocol"): {@code Message {
 * MessageType type = 1; Dial dial = 2; DialResponse dialResponse = 3; }} with {@code Dial { PeerInfo
 * peer = 1; }}, {@code PeerInfo { bytes id = 1; repeated bytes addrs = 2; }} and {@code
 * DialResponse { ResponseStatus status = 1; string statusText = 2; bytes addr = 3; }}.
 *
 * <p>Decoding is bounded: {@link #MAX_MESSAGE_BYTES} per message, {@link #MAX_ADDRS} addresses,
 * {@link Multiaddr#MAX_BYTES} per address; unknown fields are skipped; a known field of the wrong
 * wire type or a missing type is refused with {@link AutonatException}. Immutable.
 *
 * @param type {@link #DIAL} or {@link #DIAL_RESPONSE}
 * @param peerId the dial request's peer id, empty when absent
 * @param addrs the dial request's binary multiaddrs
 * @param status the response status ({@link #OK}, {@link #E_DIAL_ERROR} …), -1 when absent
 * @param statusText the response text, empty when absent
 * @param addr the response's dialed address, empty when absent
 */
public record AutonatMessage(int type, byte[] peerId, List<byte[]> addrs, int status, String statusText, byte[] addr) {

  /** Protocol id. */
  public static final String PROTOCOL_ID = "/libp2p/autonat/1.0.0";
  /** Largest message accepted (go-libp2p: 4 KiB). */
  public static final int MAX_MESSAGE_BYTES = 4096;
  /** Most addresses accepted in a dial request. */
  public static final int MAX_ADDRS = 32;
  /** {@code MessageType.DIAL}. */
  public static final int DIAL = 0;
  /** {@code MessageType.DIAL_RESPONSE}. */
  public static final int DIAL_RESPONSE = 1;
  /** {@code ResponseStatus.OK}: the dial-back succeeded. */
  public static final int OK = 0;
  /** {@code E_DIAL_ERROR}: every dial-back failed. */
  public static final int E_DIAL_ERROR = 100;
  /** {@code E_DIAL_REFUSED}: the server would not dial (no address of the observed IP, or busy). */
  public static final int E_DIAL_REFUSED = 101;
  /** {@code E_BAD_REQUEST}. */
  public static final int E_BAD_REQUEST = 200;
  /** {@code E_INTERNAL_ERROR}. */
  public static final int E_INTERNAL_ERROR = 300;

  /** Copies the arrays. */
  public AutonatMessage {
    peerId = peerId.clone();
    addrs = addrs.stream().map(byte[]::clone).toList();
    addr = addr.clone();
  }

  @Override
  public byte[] peerId() {
    return peerId.clone();
  }

  @Override
  public byte[] addr() {
    return addr.clone();
  }

  /**
   * Returns a dial request.
   *
   * @param peerId the requester's peer id
   * @param addrs its addresses to dial back
   * @return the message
   */
  public static AutonatMessage dial(byte[] peerId, List<byte[]> addrs) {
    return new AutonatMessage(DIAL, peerId, addrs, -1, "", new byte[0]);
  }

  /**
   * Returns a dial response.
   *
   * @param status the status
   * @param text a short explanation
   * @param addr the address dialed, or empty
   * @return the message
   */
  public static AutonatMessage response(int status, String text, byte[] addr) {
    return new AutonatMessage(DIAL_RESPONSE, new byte[0], List.of(), status, text, addr);
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
      if (type == DIAL) {
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        CodedOutputStream i = CodedOutputStream.newInstance(info);
        if (peerId.length > 0) {
          i.writeByteArray(1, peerId);
        }
        for (byte[] a : addrs) {
          i.writeByteArray(2, a);
        }
        i.flush();
        ByteArrayOutputStream dial = new ByteArrayOutputStream();
        CodedOutputStream d = CodedOutputStream.newInstance(dial);
        d.writeByteArray(1, info.toByteArray());
        d.flush();
        out.writeByteArray(2, dial.toByteArray());
      } else {
        ByteArrayOutputStream resp = new ByteArrayOutputStream();
        CodedOutputStream r = CodedOutputStream.newInstance(resp);
        if (status >= 0) {
          r.writeEnum(1, status);
        }
        if (!statusText.isEmpty()) {
          r.writeString(2, statusText);
        }
        if (addr.length > 0) {
          r.writeByteArray(3, addr);
        }
        r.flush();
        out.writeByteArray(3, resp.toByteArray());
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
   * @throws AutonatException when malformed or beyond a limit
   */
  public static AutonatMessage decode(byte[] data) throws AutonatException {
    if (data.length > MAX_MESSAGE_BYTES) {
      throw new AutonatException("autonat message too large");
    }
    int[] type = {-1};
    byte[][] peer = {new byte[0]};
    List<byte[]> addrs = new ArrayList<>();
    int[] status = {-1};
    String[] text = {""};
    byte[][] addr = {new byte[0]};
    fields(data, new boolean[] {true, false, false}, (f, in) -> {
      if (f == 1) {
        type[0] = in.readEnum();
      } else if (f == 2) {
        fields(in.readByteArray(), new boolean[] {false}, (f2, in2) ->
            fields(in2.readByteArray(), new boolean[] {false, false}, (f3, in3) -> {
              byte[] v = in3.readByteArray();
              if (f3 == 1) {
                if (v.length > Multiaddr.MAX_PEER_ID_BYTES) {
                  throw new AutonatException("peer id too long");
                }
                peer[0] = v;
              } else {
                if (addrs.size() >= MAX_ADDRS || v.length > Multiaddr.MAX_BYTES) {
                  throw new AutonatException("too many or too long addresses");
                }
                addrs.add(v);
              }
            }));
      } else {
        fields(in.readByteArray(), new boolean[] {true, false, false}, (f2, in2) -> {
          if (f2 == 1) {
            status[0] = in2.readEnum();
          } else if (f2 == 2) {
            text[0] = in2.readStringRequireUtf8();
          } else {
            byte[] v = in2.readByteArray();
            if (v.length > Multiaddr.MAX_BYTES) {
              throw new AutonatException("address too long");
            }
            addr[0] = v;
          }
        });
      }
    });
    if (type[0] != DIAL && type[0] != DIAL_RESPONSE) {
      throw new AutonatException("autonat message type missing or unknown");
    }
    return new AutonatMessage(type[0], peer[0], addrs, status[0], text[0], addr[0]);
  }

  private static void fields(byte[] data, boolean[] varints, ProtoFields.FieldReader<AutonatException> reader)
      throws AutonatException {
    ProtoFields.read(data, varints, reader,
        (message, cause) -> new AutonatException("malformed autonat message: " + message, cause));
  }
}
