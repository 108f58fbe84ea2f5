package io.spacepanda.internal.net.record;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.spacepanda.InvalidPeerIdException;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A peer record (libp2p/specs RFC 0003 "Routing Records"): a peer's id, a sequence number that
 * grows with every new record, and the multiaddrs it can be reached at, carried in a {@link
 * SignedEnvelope} under the domain {@value #DOMAIN} with payload type {@code 0x0301}
 * ({@code libp2p-peer-record}).
 *
 * <p>Wire form (RFC 0003 "Address Record Format"): {@code message PeerRecord { message AddressInfo
 * { bytes multiaddr = 1; } bytes peer_id = 1; uint64 seq = 2; repeated AddressInfo addresses = 3;
 * }}. Decoder rules: at most {@link #MAX_ADDRESSES} addresses of at most {@link
 * #MAX_ADDRESS_BYTES} bytes each, each a valid multiaddr, {@code peer_id} a valid peer id,
 * singular fields at most once, unknown fields skipped. {@link #verify} additionally requires
 * that the peer id is the one of the key that signed the envelope (RFC 0003 "Validation").
 *
 * <p>Usage: {@code byte[] signed = PeerRecord.now(peer, addrs, clock).sign(signer)} to publish,
 * {@code PeerRecord r = PeerRecord.verify(bytes)} to accept; of two verified records of one peer,
 * keep the one with the larger {@link #seq()}.
 *
 * @param peerId the peer the addresses belong to
 * @param seq the sequence number; newer records have larger numbers
 * @param addresses the peer's multiaddrs (without {@code /p2p/}, as go and js send them)
 */
public record PeerRecord(PeerId peerId, long seq, List<Multiaddr> addresses) {

  /** Signature domain of peer records (RFC 0003). */
  public static final String DOMAIN = "libp2p-peer-record";

  /** Multicodec {@code libp2p-peer-record} (0x0301) as its varint bytes. */
  private static final byte[] PAYLOAD_TYPE = {0x03, 0x01};

  /** Most addresses a record may carry. */
  public static final int MAX_ADDRESSES = 32;

  /** Largest binary multiaddr accepted in a record. */
  public static final int MAX_ADDRESS_BYTES = 256;

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException when there are more than {@link #MAX_ADDRESSES} addresses or
   *     one is longer than {@link #MAX_ADDRESS_BYTES}
   */
  public PeerRecord {
    Objects.requireNonNull(peerId, "peerId");
    addresses = List.copyOf(addresses);
    if (addresses.size() > MAX_ADDRESSES) {
      throw new IllegalArgumentException("more than " + MAX_ADDRESSES + " addresses");
    }
    for (Multiaddr m : addresses) {
      if (m.toBytes().length > MAX_ADDRESS_BYTES) {
        throw new IllegalArgumentException("address longer than " + MAX_ADDRESS_BYTES + " bytes");
      }
    }
  }

  /**
   * Returns the payload type of peer records.
   *
   * @return a copy of {@code 0x03 0x01}
   */
  public static byte[] payloadType() {
    return PAYLOAD_TYPE.clone();
  }

  /**
   * Creates a record whose sequence number is the current time in microseconds, so that a later
   * record of the same peer (even after a restart) supersedes an earlier one.
   *
   * @param peerId the peer
   * @param addresses its addresses; a trailing {@code /p2p/} component is removed
   * @param clock the time source
   * @return the record
   */
  public static PeerRecord now(PeerId peerId, List<Multiaddr> addresses, Clock clock) {
    Instant t = clock.instant();
    long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    List<Multiaddr> bare = new ArrayList<>();
    for (Multiaddr m : addresses) {
      bare.add(m.withoutPeerId());
    }
    return new PeerRecord(peerId, micros, bare);
  }

  /**
   * Encodes the record payload (without envelope).
   *
   * @return the protobuf bytes
   */
  public byte[] encode() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(buf);
    try {
      o.writeByteArray(1, peerId.bytes());
      if (seq != 0) {
        o.writeUInt64(2, seq);
      }
      for (Multiaddr m : addresses) {
        byte[] a = m.toBytes();
        o.writeTag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(CodedOutputStream.computeByteArraySize(1, a));
        o.writeByteArray(1, a);
      }
      o.flush();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory stream", e);
    }
    return buf.toByteArray();
  }

  /**
   * Decodes a record payload (without checking any signature).
   *
   * @param bytes the protobuf bytes
   * @return the record
   * @throws RecordException when malformed or beyond a limit
   */
  public static PeerRecord decode(byte[] bytes) throws RecordException {
    if (bytes.length > SignedEnvelope.MAX_ENVELOPE_BYTES) {
      throw new RecordException("peer record too large");
    }
    byte[] id = null;
    Long seq = null;
    List<Multiaddr> addrs = new ArrayList<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        int field = WireFormat.getTagFieldNumber(tag);
        int wire = WireFormat.getTagWireType(tag);
        if (field == 1 && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          if (id != null) {
            throw new RecordException("peer record peer_id repeated");
          }
          id = in.readByteArray();
        } else if (field == 2 && wire == WireFormat.WIRETYPE_VARINT) {
          if (seq != null) {
            throw new RecordException("peer record seq repeated");
          }
          seq = in.readUInt64();
        } else if (field == 3 && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          if (addrs.size() == MAX_ADDRESSES) {
            throw new RecordException("peer record has more than " + MAX_ADDRESSES + " addresses");
          }
          addrs.add(addressInfo(in.readByteArray()));
        } else if (field >= 1 && field <= 3) {
          throw new RecordException("peer record field has the wrong wire type");
        } else if (field == 0 || !in.skipField(tag)) {
          throw new RecordException("malformed peer record field");
        }
      }
    } catch (IOException e) {
      throw new RecordException("malformed peer record", e);
    }
    if (id == null) {
      throw new RecordException("peer record lacks peer_id");
    }
    PeerId peer;
    try {
      peer = PeerId.fromBytes(id);
    } catch (InvalidPeerIdException e) {
      throw new RecordException("peer record peer_id invalid", e);
    }
    return new PeerRecord(peer, seq == null ? 0 : seq, addrs);
  }

  private static Multiaddr addressInfo(byte[] bytes) throws RecordException, IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    byte[] addr = null;
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      if (tag == (1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        if (addr != null) {
          throw new RecordException("address info multiaddr repeated");
        }
        addr = in.readByteArray();
      } else if (WireFormat.getTagFieldNumber(tag) == 0 || !in.skipField(tag)) {
        throw new RecordException("malformed address info");
      }
    }
    if (addr == null || addr.length > MAX_ADDRESS_BYTES) {
      throw new RecordException("address info multiaddr missing or too long");
    }
    try {
      return Multiaddr.fromBytes(addr);
    } catch (MultiaddrException e) {
      throw new RecordException("address info multiaddr invalid", e);
    }
  }

  /**
   * Signs this record with the peer's identity.
   *
   * @param signer the identity of {@link #peerId()}
   * @return the encoded {@link SignedEnvelope}
   * @throws IllegalArgumentException when the signer is not this record's peer
   */
  public byte[] sign(IdentitySigner signer) {
    if (!Arrays.equals(signer.publicKey().peerIdMultihash(), peerId.bytes())) {
      throw new IllegalArgumentException("signer is not the record's peer");
    }
    return SignedEnvelope.seal(signer, DOMAIN, PAYLOAD_TYPE, encode()).encode();
  }

  /**
   * Opens a signed peer record: decodes the envelope, checks type, signature and that the
   * record's peer id is the signer's.
   *
   * @param envelope the encoded envelope
   * @return the verified record
   * @throws RecordException when anything does not check out
   */
  public static PeerRecord verify(byte[] envelope) throws RecordException {
    SignedEnvelope e = SignedEnvelope.open(envelope, DOMAIN, PAYLOAD_TYPE);
    PeerRecord r = decode(e.payload());
    if (!Arrays.equals(e.publicKey().peerIdMultihash(), r.peerId.bytes())) {
      throw new RecordException("peer record names another peer than its signer");
    }
    return r;
  }
}
