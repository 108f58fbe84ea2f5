package io.spacepanda.internal.net.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * Encodes and decodes the two messages of {@code /spacepanda/envelope/1.0.0}, each sent as one
 * unsigned-varint length-prefixed protobuf message:
 *
 * <pre>
 * message Envelope { bytes payload = 1; }   // sender to receiver, once per stream
 * message Ack { uint32 status = 1; }        // receiver to sender, once stored (0) or refused
 * </pre>
 *
 * <p>Decoding follows proto3: unknown fields are skipped, a repeated scalar field keeps its last
 * value, an absent field has its default. Every decoder is bounded by its caller's size limit and
 * turns malformed input into an {@link EnvelopeFrameException}. Stateless and thread-safe.
 */
public final class EnvelopeCodec {

  private static final int FIELD_PAYLOAD = 1;
  private static final int FIELD_STATUS = 1;

  private EnvelopeCodec() {}

  /**
   * Encodes an {@code Envelope} message with its length prefix.
   *
   * @param payload the envelope bytes, not modified
   * @return the frame, a new array
   */
  public static byte[] encodeEnvelope(byte[] payload) {
    int messageSize = CodedOutputStream.computeByteArraySize(FIELD_PAYLOAD, payload);
    return frame(messageSize, out -> out.writeByteArray(FIELD_PAYLOAD, payload));
  }

  /**
   * Encodes an {@code Ack} message with its length prefix.
   *
   * @param status {@link EnvelopeProtocolConstants#STATUS_OK} or a refusal code, not negative
   * @return the frame, a new array
   */
  public static byte[] encodeAck(int status) {
    if (status < 0) {
      throw new IllegalArgumentException("status must not be negative: " + status);
    }
    // proto3: a field equal to its default is not written.
    int messageSize = status == 0 ? 0 : CodedOutputStream.computeUInt32Size(FIELD_STATUS, status);
    return frame(messageSize, out -> {
      if (status != 0) {
        out.writeUInt32(FIELD_STATUS, status);
      }
    });
  }

  /**
   * Decodes the body of an {@code Envelope} message (without its length prefix).
   *
   * @param message the message bytes, not modified
   * @return the payload, a new array (empty when the field is absent)
   * @throws EnvelopeFrameException if the bytes are not a valid protobuf message or field 1 is
   *     not length-delimited
   */
  public static byte[] decodeEnvelope(byte[] message) throws EnvelopeFrameException {
    byte[] payload = new byte[0];
    try {
      CodedInputStream in = CodedInputStream.newInstance(message);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (WireFormat.getTagFieldNumber(tag) == FIELD_PAYLOAD) {
          if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            throw new EnvelopeFrameException("envelope payload has the wrong wire type");
          }
          payload = in.readByteArray();
        } else if (!in.skipField(tag)) {
          throw new EnvelopeFrameException("unexpected end-group tag in envelope");
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new EnvelopeFrameException("malformed envelope message", e);
    } catch (IOException e) {
      throw new EnvelopeFrameException("malformed envelope message", e);
    }
    return payload;
  }

  /**
   * Decodes the body of an {@code Ack} message (without its length prefix).
   *
   * @param message the message bytes, not modified
   * @return the status, 0 when the field is absent
   * @throws EnvelopeFrameException if the bytes are not a valid protobuf message or field 1 is
   *     not a varint
   */
  public static int decodeAck(byte[] message) throws EnvelopeFrameException {
    int status = 0;
    try {
      CodedInputStream in = CodedInputStream.newInstance(message);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (WireFormat.getTagFieldNumber(tag) == FIELD_STATUS) {
          if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_VARINT) {
            throw new EnvelopeFrameException("ack status has the wrong wire type");
          }
          status = in.readUInt32();
        } else if (!in.skipField(tag)) {
          throw new EnvelopeFrameException("unexpected end-group tag in ack");
        }
      }
    } catch (IOException e) {
      throw new EnvelopeFrameException("malformed ack message", e);
    }
    return status;
  }

  /**
   * Returns the largest message body a receiver accepts for envelopes of up to {@code
   * maxEnvelopeBytes}.
   *
   * @param maxEnvelopeBytes the payload limit
   * @return the message limit, payload plus {@link EnvelopeProtocolConstants#MESSAGE_SLACK_BYTES}
   */
  public static int maxEnvelopeMessageBytes(int maxEnvelopeBytes) {
    return maxEnvelopeBytes + EnvelopeProtocolConstants.MESSAGE_SLACK_BYTES;
  }

  private interface Body {
    void writeTo(CodedOutputStream out) throws IOException;
  }

  private static byte[] frame(int messageSize, Body body) {
    int prefix = CodedOutputStream.computeUInt32SizeNoTag(messageSize);
    byte[] out = new byte[prefix + messageSize];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      cos.writeUInt32NoTag(messageSize);
      body.writeTo(cos);
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("frame size computed wrongly", e);
    }
    return out;
  }
}
