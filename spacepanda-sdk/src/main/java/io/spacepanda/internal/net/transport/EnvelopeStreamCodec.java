package io.spacepanda.internal.net.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.netty.buffer.ByteBuf;
import java.io.IOException;

/**
 * The messages of {@code /spacepanda/envelope-stream/1.0.0}: many envelopes on one long-lived
 * stream per peer, each acknowledged by its number.
 *
 * <h2>Specification</h2>
 *
 * <p>The stream is opened by the sender with multistream-select on a Yamux stream, like any libp2p
 * protocol; it is not opened per envelope. Each direction is a sequence of frames, each frame an
 * unsigned-varint length (multiformats unsigned-varint, minimal, at most {@value
 * EnvelopeProtocolConstants#MAX_PREFIX_BYTES} bytes) followed by that many bytes of one protobuf
 * (proto3) message:
 *
 * <pre>
 * sender to receiver:  message Envelope  { bytes payload = 1; }                      // as in 1.0.0
 * receiver to sender:  message StreamAck { uint64 sequence = 1; uint32 status = 2; }
 * </pre>
 *
 * <ol>
 *   <li>Envelopes are numbered implicitly: the first {@code Envelope} on a stream is sequence 0,
 *       the next 1, and so on; no number travels in the sender's direction, so a sender cannot
 *       repeat or skip one.
 *   <li>The receiver answers every envelope with one {@code StreamAck} naming its sequence once
 *       its listener stored it (status 0) or refused it (status 1), in the order the listener
 *       finished, not necessarily the order of arrival. Several acks may share one write.
 *   <li>A sender keeps at most a window of envelopes unacknowledged (its {@code
 *       maxInboundStreamsPerConnection}); a receiver takes new envelopes off the stream only while
 *       fewer than its own limit are unacknowledged and otherwise stops reading, so the muxer's
 *       flow control pushes back on the sender. An envelope larger than the receiver's limit, a
 *       malformed frame, an envelope started but not finished within the receive timeout, or an
 *       ack naming a sequence that was never sent resets the stream; the envelopes it carried
 *       that were not acknowledged count as failed on the sender, which resends them (receivers
 *       drop duplicates above the transport).
 *   <li>Either side may half-close: a sender that has nothing in flight closes its write side
 *       after being idle, the receiver half-closes once every envelope it read is acknowledged,
 *       and the sender opens a new stream for the next envelope.
 * </ol>
 *
 * <p>Compared with {@code /spacepanda/envelope/1.0.0} (one stream per envelope, see {@link
 * EnvelopeCodec}), this saves per envelope a Yamux stream open and close, a multistream-select
 * round trip, and their Noise frames. Senders offer this protocol first and {@code 1.0.0} second,
 * so a peer that only knows {@code 1.0.0} still receives (one stream per envelope); receivers serve
 * both.
 *
 * <p>Stateless and thread-safe; malformed input is an {@link EnvelopeFrameException}.
 */
public final class EnvelopeStreamCodec {

  private static final int FIELD_SEQUENCE = 1;
  private static final int FIELD_STATUS = 2;
  private static final int TAG_SEQUENCE = FIELD_SEQUENCE << 3 | WireFormat.WIRETYPE_VARINT; // 0x08
  private static final int TAG_STATUS = FIELD_STATUS << 3 | WireFormat.WIRETYPE_VARINT; // 0x10
  private static final int TAG_PAYLOAD = 1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED; // 0x0a

  /** Largest encoded {@code StreamAck} message: two tags, a 10-byte and a 5-byte varint, slack. */
  public static final int MAX_ACK_MESSAGE_BYTES = 32;

  private EnvelopeStreamCodec() {}

  /** A decoded {@code StreamAck}. */
  public record Ack(long sequence, int status) {}

  /**
   * Appends one {@code StreamAck} frame (length prefix and message) to {@code out}.
   *
   * @param sequence the envelope's number on its stream, not negative
   * @param status {@link EnvelopeProtocolConstants#STATUS_OK} or a refusal code, not negative
   * @param out where the frame is written
   */
  public static void writeAck(long sequence, int status, ByteBuf out) {
    if (sequence < 0 || status < 0) {
      throw new IllegalArgumentException("sequence and status must not be negative");
    }
    // proto3: a field equal to its default is not written.
    int size = (sequence == 0 ? 0 : 1 + CodedOutputStream.computeUInt64SizeNoTag(sequence))
        + (status == 0 ? 0 : 1 + CodedOutputStream.computeUInt32SizeNoTag(status));
    writeVarint(out, size);
    if (sequence != 0) {
      out.writeByte(TAG_SEQUENCE);
      writeVarint(out, sequence);
    }
    if (status != 0) {
      out.writeByte(TAG_STATUS);
      writeVarint(out, status);
    }
  }

  /**
   * Decodes the body of a {@code StreamAck} (without its length prefix).
   *
   * @param message the message bytes, not modified
   * @return the ack; absent fields are 0
   * @throws EnvelopeFrameException if the bytes are not a valid protobuf message, a field has the
   *     wrong wire type, or the sequence does not fit in 63 bits
   */
  public static Ack decodeAck(byte[] message) throws EnvelopeFrameException {
    long sequence = 0;
    int status = 0;
    try {
      CodedInputStream in = CodedInputStream.newInstance(message);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        int field = WireFormat.getTagFieldNumber(tag);
        if (field == FIELD_SEQUENCE || field == FIELD_STATUS) {
          if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_VARINT) {
            throw new EnvelopeFrameException("stream ack field has the wrong wire type");
          }
          if (field == FIELD_SEQUENCE) {
            sequence = in.readUInt64();
          } else {
            status = in.readUInt32();
          }
        } else if (!in.skipField(tag)) {
          throw new EnvelopeFrameException("unexpected end-group tag in stream ack");
        }
      }
    } catch (IOException e) {
      throw new EnvelopeFrameException("malformed stream ack", e);
    }
    if (sequence < 0 || status < 0) {
      throw new EnvelopeFrameException("stream ack value out of range");
    }
    return new Ack(sequence, status);
  }

  /**
   * Appends an {@code Envelope} frame (the 1.0.0 encoding) to {@code out}.
   *
   * @param payload the envelope bytes, not modified
   * @param out where the frame is written
   */
  public static void writeEnvelope(byte[] payload, ByteBuf out) {
    int messageSize = 1 + CodedOutputStream.computeUInt32SizeNoTag(payload.length) + payload.length;
    writeVarint(out, messageSize);
    out.writeByte(TAG_PAYLOAD);
    writeVarint(out, payload.length);
    out.writeBytes(payload);
  }

  /**
   * Returns the size of the frame {@link #writeEnvelope} writes.
   *
   * @param payloadLength the envelope's length
   * @return prefix plus message bytes
   */
  public static int envelopeFrameSize(int payloadLength) {
    int messageSize = 1 + CodedOutputStream.computeUInt32SizeNoTag(payloadLength) + payloadLength;
    return CodedOutputStream.computeUInt32SizeNoTag(messageSize) + messageSize;
  }

  private static void writeVarint(ByteBuf out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }
}
