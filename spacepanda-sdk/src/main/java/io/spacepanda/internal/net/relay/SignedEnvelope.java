package io.spacepanda.internal.net.relay;

import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.keys.KeyDecodeException;
import io.spacepanda.internal.net.keys.Libp2pPublicKey;
import io.spacepanda.internal.net.relay.RelayException.Status;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * A minimal libp2p signed envelope (libp2p/specs RFC/0002-signed-envelopes.md): {@code Envelope {
 * PublicKey public_key = 1; bytes payload_type = 2; bytes payload = 3; bytes signature = 5; }},
 * the signature covering {@code varint(len(domain)) || domain || varint(len(type)) || type ||
 * varint(len(payload)) || payload}.
 *
 * <p>Only what reservation vouchers need; the general codec for signed peer records lives with
 * the DHT work and should replace this one. Decoding is bounded by {@link
 * RelayConstants#MAX_MESSAGE_BYTES}. Immutable.
 *
 * @param publicKey the signer's key
 * @param payloadType the multicodec of the payload
 * @param payload the payload bytes
 * @param signature the signature
 */
public record SignedEnvelope(Libp2pPublicKey publicKey, byte[] payloadType, byte[] payload, byte[] signature) {

  /** Copies the arrays. */
  public SignedEnvelope {
    Objects.requireNonNull(publicKey, "publicKey");
    payloadType = payloadType.clone();
    payload = payload.clone();
    signature = signature.clone();
  }

  @Override
  public byte[] payloadType() {
    return payloadType.clone();
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /**
   * Signs a payload.
   *
   * @param signer the identity that signs
   * @param domain the signature domain, such as {@link RelayConstants#VOUCHER_DOMAIN}
   * @param payloadType the payload's multicodec
   * @param payload the payload
   * @return the envelope
   */
  public static SignedEnvelope sign(IdentitySigner signer, String domain, byte[] payloadType, byte[] payload) {
    byte[] sig = signer.sign(signedBytes(domain, payloadType, payload));
    return new SignedEnvelope(signer.publicKey(), payloadType, payload, sig);
  }

  /**
   * Checks the signature under {@code domain} and the payload type.
   *
   * @param domain the expected domain
   * @param expectedType the expected payload type
   * @return whether both match
   */
  public boolean verify(String domain, byte[] expectedType) {
    return Arrays.equals(payloadType, expectedType)
        && publicKey.verify(signedBytes(domain, payloadType, payload), signature);
  }

  /**
   * Encodes the envelope.
   *
   * @return the protobuf bytes
   */
  public byte[] encode() {
    return CircuitMessages.write(out -> {
      out.writeByteArray(1, publicKey.encoded());
      out.writeByteArray(2, payloadType);
      out.writeByteArray(3, payload);
      out.writeByteArray(5, signature);
    });
  }

  /**
   * Decodes an envelope without checking its signature.
   *
   * @param data the protobuf bytes
   * @return the envelope
   * @throws RelayException when malformed, too long, or the key is invalid
   */
  public static SignedEnvelope decode(byte[] data) throws RelayException {
    byte[][] f = new byte[5][];
    CircuitMessages.read(data, new boolean[] {false, false, false, false, false}, (field, in) -> f[field - 1] = in.readByteArray());
    if (f[0] == null || f[1] == null || f[2] == null || f[4] == null) {
      throw CircuitMessages.malformed("envelope lacks a field", null);
    }
    try {
      return new SignedEnvelope(Libp2pPublicKey.decode(f[0]), f[1], f[2], f[4]);
    } catch (KeyDecodeException e) {
      throw new RelayException(Status.MALFORMED_MESSAGE, "envelope key invalid", e);
    }
  }

  static byte[] signedBytes(String domain, byte[] type, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] d = domain.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (byte[] part : new byte[][] {d, type, payload}) {
      writeVarint(out, part.length);
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedEnvelope e && Arrays.equals(e.encode(), encode());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encode());
  }

  @Override
  public String toString() {
    return "SignedEnvelope{" + publicKey + ", payload " + payload.length + " bytes}";
  }
}
