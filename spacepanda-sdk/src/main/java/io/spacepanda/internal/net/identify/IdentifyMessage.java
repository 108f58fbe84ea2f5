package io.spacepanda.internal.net.identify;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The identify protobuf message (libp2p/specs identify: {@code message Identify}); multiaddrs are
 * kept in their binary form, the public key in its libp2p protobuf encoding.
 *
 * <p>Absent optional fields are empty arrays or strings; {@link #decode} merges repeated
 * messages as protobuf does, because go-libp2p may split a large identify into several.
 * Instances are immutable; accessors return copies.
 */
public final class IdentifyMessage {

  private final String protocolVersion;
  private final String agentVersion;
  private final byte[] publicKey;
  private final List<byte[]> listenAddrs;
  private final byte[] observedAddr;
  private final List<String> protocols;
  private final byte[] signedPeerRecord;

  /**
   * Creates a message.
   *
   * @param protocolVersion for example {@code ipfs/0.1.0}, empty when absent
   * @param agentVersion the implementation name and version, empty when absent
   * @param publicKey the sender's libp2p protobuf {@code PublicKey}, empty when absent
   * @param listenAddrs binary multiaddrs the sender listens on
   * @param observedAddr binary multiaddr the sender sees the receiver at, empty when absent
   * @param protocols protocol ids the sender serves
   * @param signedPeerRecord the sender's signed peer record envelope, empty when absent
   */
  public IdentifyMessage(String protocolVersion, String agentVersion, byte[] publicKey,
      List<byte[]> listenAddrs, byte[] observedAddr, List<String> protocols,
      byte[] signedPeerRecord) {
    this.protocolVersion = Objects.requireNonNull(protocolVersion, "protocolVersion");
    this.agentVersion = Objects.requireNonNull(agentVersion, "agentVersion");
    this.publicKey = publicKey.clone();
    this.listenAddrs = listenAddrs.stream().map(byte[]::clone).toList();
    this.observedAddr = observedAddr.clone();
    this.protocols = List.copyOf(protocols);
    this.signedPeerRecord = signedPeerRecord.clone();
  }

  /**
   * Returns the protocol version.
   *
   * @return for example {@code ipfs/0.1.0}, empty when absent
   */
  public String protocolVersion() {
    return protocolVersion;
  }

  /**
   * Returns the agent version.
   *
   * @return for example {@code js-libp2p/3.3.11}, empty when absent
   */
  public String agentVersion() {
    return agentVersion;
  }

  /**
   * Returns the sender's public key in libp2p protobuf form.
   *
   * @return a copy, empty when absent
   */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * Returns the binary multiaddrs the sender listens on.
   *
   * @return copies, in order
   */
  public List<byte[]> listenAddrs() {
    return listenAddrs.stream().map(byte[]::clone).toList();
  }

  /**
   * Returns the binary multiaddr the sender observed the receiver at.
   *
   * @return the address, or empty when absent
   */
  public Optional<byte[]> observedAddr() {
    return observedAddr.length == 0 ? Optional.empty() : Optional.of(observedAddr.clone());
  }

  /**
   * Returns the protocol ids the sender serves.
   *
   * @return the ids, in order
   */
  public List<String> protocols() {
    return protocols;
  }

  /**
   * Returns the sender's signed peer record envelope.
   *
   * @return a copy, empty when absent
   */
  public byte[] signedPeerRecord() {
    return signedPeerRecord.clone();
  }

  /**
   * Encodes the message as protobuf, leaving out empty optional fields.
   *
   * @return the protobuf bytes (without length prefix)
   */
  public byte[] encode() {
    try {
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      if (publicKey.length > 0) {
        out.writeByteArray(IdentifyConstants.FIELD_PUBLIC_KEY, publicKey);
      }
      for (byte[] addr : listenAddrs) {
        out.writeByteArray(IdentifyConstants.FIELD_LISTEN_ADDRS, addr);
      }
      for (String protocol : protocols) {
        out.writeString(IdentifyConstants.FIELD_PROTOCOLS, protocol);
      }
      if (observedAddr.length > 0) {
        out.writeByteArray(IdentifyConstants.FIELD_OBSERVED_ADDR, observedAddr);
      }
      if (!protocolVersion.isEmpty()) {
        out.writeString(IdentifyConstants.FIELD_PROTOCOL_VERSION, protocolVersion);
      }
      if (!agentVersion.isEmpty()) {
        out.writeString(IdentifyConstants.FIELD_AGENT_VERSION, agentVersion);
      }
      if (signedPeerRecord.length > 0) {
        out.writeByteArray(IdentifyConstants.FIELD_SIGNED_PEER_RECORD, signedPeerRecord);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory cannot fail", e);
    }
  }

  /**
   * Decodes one or more concatenated identify messages, merging them as protobuf does.
   *
   * <p>Unknown fields are skipped; more than {@link IdentifyConstants#MAX_MESSAGE_BYTES} bytes or
   * {@link IdentifyConstants#MAX_LIST_ENTRIES} addresses or protocols are refused.
   *
   * @param data the protobuf bytes
   * @return the merged message
   * @throws IdentifyException when the bytes are not a valid identify message or exceed a limit
   */
  public static IdentifyMessage decode(byte[] data) throws IdentifyException {
    if (data.length > IdentifyConstants.MAX_MESSAGE_BYTES) {
      throw new IdentifyException("identify message too large");
    }
    String protocolVersion = "";
    String agentVersion = "";
    byte[] publicKey = new byte[0];
    byte[] observedAddr = new byte[0];
    byte[] signedPeerRecord = new byte[0];
    List<byte[]> listenAddrs = new ArrayList<>();
    List<String> protocols = new ArrayList<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(data);
      in.setSizeLimit(data.length);
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        int field = WireFormat.getTagFieldNumber(tag);
        boolean lengthDelimited =
            WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
        if (!lengthDelimited || field < 1 || field > IdentifyConstants.FIELD_SIGNED_PEER_RECORD
            || field == 7) {
          if (!in.skipField(tag)) {
            break;
          }
          continue;
        }
        switch (field) {
          case IdentifyConstants.FIELD_PUBLIC_KEY -> publicKey = in.readByteArray();
          case IdentifyConstants.FIELD_LISTEN_ADDRS -> listenAddrs.add(in.readByteArray());
          case IdentifyConstants.FIELD_PROTOCOLS -> protocols.add(in.readStringRequireUtf8());
          case IdentifyConstants.FIELD_OBSERVED_ADDR -> observedAddr = in.readByteArray();
          case IdentifyConstants.FIELD_PROTOCOL_VERSION ->
              protocolVersion = in.readStringRequireUtf8();
          case IdentifyConstants.FIELD_AGENT_VERSION -> agentVersion = in.readStringRequireUtf8();
          default -> signedPeerRecord = in.readByteArray();
        }
        if (listenAddrs.size() > IdentifyConstants.MAX_LIST_ENTRIES
            || protocols.size() > IdentifyConstants.MAX_LIST_ENTRIES) {
          throw new IdentifyException("identify message lists too many entries");
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IdentifyException("malformed identify message", e);
    }
    return new IdentifyMessage(protocolVersion, agentVersion, publicKey, listenAddrs,
        observedAddr, protocols, signedPeerRecord);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof IdentifyMessage other)) {
      return false;
    }
    return protocolVersion.equals(other.protocolVersion)
        && agentVersion.equals(other.agentVersion)
        && Arrays.equals(publicKey, other.publicKey)
        && sameBytes(listenAddrs, other.listenAddrs)
        && Arrays.equals(observedAddr, other.observedAddr)
        && protocols.equals(other.protocols)
        && Arrays.equals(signedPeerRecord, other.signedPeerRecord);
  }

  private static boolean sameBytes(List<byte[]> a, List<byte[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(protocolVersion, agentVersion, Arrays.hashCode(publicKey), protocols);
  }

  @Override
  public String toString() {
    return "IdentifyMessage{protocolVersion=" + protocolVersion + ", agentVersion=" + agentVersion
        + ", listenAddrs=" + listenAddrs.size() + ", protocols=" + protocols + "}";
  }
}
