package io.spacepanda.internal.net.record;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.keys.KeyDecodeException;
import io.spacepanda.internal.net.keys.Libp2pPublicKey;
import io.spacepanda.internal.net.multiaddr.UnsignedVarint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A signed envelope (libp2p/specs RFC 0002 "Signed Envelopes"): a payload, its multicodec payload
 * type, the signer's public key and a signature over the domain, type and payload.
 *
 * <p>Wire form (RFC 0002 "Wire Format"): {@code message Envelope { PublicKey public_key = 1; bytes
 * payload_type = 2; bytes payload = 3; bytes signature = 5; }}. The signed bytes are (RFC 0002
 * "Signature Production") {@code varint(len(domain)) ‖ domain ‖ varint(len(type)) ‖ type ‖
 * varint(len(payload)) ‖ payload}, so a signature made for one domain never verifies in another.
 *
 * <p>Decoder rules: at most {@link #MAX_ENVELOPE_BYTES} in total, each field at most once, unknown
 * fields skipped (protobuf forward compatibility), all four fields present, the key a valid libp2p
 * key. Instances are immutable; accessors return copies.
 */
public final class SignedEnvelope {

  /** Largest encoded envelope accepted. */
  public static final int MAX_ENVELOPE_BYTES = 8 * 1024;

  /** Largest payload type accepted (a multicodec varint is a few bytes). */
  public static final int MAX_PAYLOAD_TYPE_BYTES = 16;

  private final Libp2pPublicKey publicKey;
  private final byte[] payloadType;
  private final byte[] payload;
  private final byte[] signature;

  private SignedEnvelope(Libp2pPublicKey publicKey, byte[] payloadType, byte[] payload, byte[] signature) {
    this.publicKey = publicKey;
    this.payloadType = payloadType;
    this.payload = payload;
    this.signature = signature;
  }

  /**
   * Signs a payload.
   *
   * @param signer the identity that signs
   * @param domain the signature domain, such as {@code libp2p-peer-record}
   * @param payloadType the payload's multicodec, as its varint bytes
   * @param payload the payload bytes
   * @return the envelope
   * @throws IllegalArgumentException when the envelope would exceed {@link #MAX_ENVELOPE_BYTES}
   */
  public static SignedEnvelope seal(IdentitySigner signer, String domain, byte[] payloadType, byte[] payload) {
    Objects.requireNonNull(signer, "signer");
    byte[] type = payloadType.clone();
    byte[] body = payload.clone();
    if (type.length > MAX_PAYLOAD_TYPE_BYTES) {
      throw new IllegalArgumentException("payload type too long");
    }
    byte[] sig = signer.sign(signedBytes(domain, type, body));
    SignedEnvelope e = new SignedEnvelope(signer.publicKey(), type, body, sig);
    if (e.encode().length > MAX_ENVELOPE_BYTES) {
      throw new IllegalArgumentException("envelope exceeds " + MAX_ENVELOPE_BYTES + " bytes");
    }
    return e;
  }

  /**
   * Returns the bytes a signature covers (RFC 0002 "Signature Production").
   *
   * @param domain the signature domain
   * @param payloadType the payload type bytes
   * @param payload the payload
   * @return the concatenation of the three length-prefixed fields
   */
  static byte[] signedBytes(String domain, byte[] payloadType, byte[] payload) {
    byte[] d = domain.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(d.length + payloadType.length + payload.length + 15);
    UnsignedVarint.write(d.length, out);
    out.writeBytes(d);
    UnsignedVarint.write(payloadType.length, out);
    out.writeBytes(payloadType);
    UnsignedVarint.write(payload.length, out);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /**
   * Decodes an envelope without checking its signature; see {@link #open}.
   *
   * @param bytes the protobuf bytes
   * @return the envelope
   * @throws RecordException when the bytes are malformed, too large or lack a field
   */
  public static SignedEnvelope decode(byte[] bytes) throws RecordException {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length > MAX_ENVELOPE_BYTES) {
      throw new RecordException("envelope exceeds " + MAX_ENVELOPE_BYTES + " bytes");
    }
    byte[] key = null;
    byte[] type = null;
    byte[] payload = null;
    byte[] sig = null;
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        int field = WireFormat.getTagFieldNumber(tag);
        int wire = WireFormat.getTagWireType(tag);
        if (field >= 1 && field <= 5 && field != 4) {
          if (wire != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            throw new RecordException("envelope field has the wrong wire type");
          }
          byte[] value = in.readByteArray();
          switch (field) {
            case 1 -> key = once(key, value);
            case 2 -> type = once(type, value);
            case 3 -> payload = once(payload, value);
            default -> sig = once(sig, value);
          }
        } else if (field == 0 || !in.skipField(tag)) {
          throw new RecordException("malformed envelope field");
        }
      }
    } catch (IOException e) {
      throw new RecordException("malformed envelope", e);
    }
    if (key == null || type == null || payload == null || sig == null) {
      throw new RecordException("envelope lacks a field");
    }
    if (type.length == 0 || type.length > MAX_PAYLOAD_TYPE_BYTES) {
      throw new RecordException("envelope payload type out of range");
    }
    Libp2pPublicKey pub;
    try {
      pub = Libp2pPublicKey.decode(key);
    } catch (KeyDecodeException e) {
      throw new RecordException("envelope public key invalid", e);
    }
    return new SignedEnvelope(pub, type, payload, sig);
  }

  private static byte[] once(byte[] prior, byte[] value) throws RecordException {
    if (prior != null) {
      throw new RecordException("envelope field repeated");
    }
    return value;
  }

  /**
   * Decodes an envelope, checks its payload type and its signature under {@code domain}.
   *
   * @param bytes the protobuf bytes
   * @param domain the expected signature domain
   * @param expectedType the expected payload type
   * @return the verified envelope
   * @throws RecordException when malformed, of another type, or the signature does not verify
   */
  public static SignedEnvelope open(byte[] bytes, String domain, byte[] expectedType) throws RecordException {
    SignedEnvelope e = decode(bytes);
    if (!Arrays.equals(e.payloadType, expectedType)) {
      throw new RecordException("envelope has another payload type");
    }
    if (!e.publicKey.verify(signedBytes(domain, e.payloadType, e.payload), e.signature)) {
      throw new RecordException("envelope signature does not verify");
    }
    return e;
  }

  /**
   * Encodes the envelope.
   *
   * @return the protobuf bytes, fields in number order
   */
  public byte[] encode() {
    byte[] key = publicKey.encoded();
    int size = CodedOutputStream.computeByteArraySize(1, key)
        + CodedOutputStream.computeByteArraySize(2, payloadType)
        + CodedOutputStream.computeByteArraySize(3, payload)
        + CodedOutputStream.computeByteArraySize(5, signature);
    byte[] out = new byte[size];
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    try {
      o.writeByteArray(1, key);
      o.writeByteArray(2, payloadType);
      o.writeByteArray(3, payload);
      o.writeByteArray(5, signature);
      o.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("sized buffer", e);
    }
    return out;
  }

  /**
   * Returns the signer's key.
   *
   * @return the public key
   */
  public Libp2pPublicKey publicKey() {
    return publicKey;
  }

  /**
   * Returns the payload type.
   *
   * @return a copy of the multicodec bytes
   */
  public byte[] payloadType() {
    return payloadType.clone();
  }

  /**
   * Returns the payload.
   *
   * @return a copy
   */
  public byte[] payload() {
    return payload.clone();
  }

  /**
   * Returns the signature.
   *
   * @return a copy
   */
  public byte[] signature() {
    return signature.clone();
  }
}
