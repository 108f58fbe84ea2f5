package io.spacepanda.internal.net.noise;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.spacepanda.internal.net.noise.NoiseException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The libp2p Noise handshake payload (libp2p/specs noise/README.md, "The libp2p Handshake
 * Payload"): {@code NoiseHandshakePayload {bytes identity_key = 1; bytes identity_sig = 2;
 * NoiseExtensions extensions = 4;}} with {@code NoiseExtensions {repeated bytes
 * webtransport_certhashes = 1; repeated string stream_muxers = 2;}}.
 *
 * <p>Decoding follows proto3: fields in any order, unknown fields skipped, the last value of a
 * scalar field wins; certificate hashes are skipped (they concern WebTransport only), and the
 * muxer list is bounded by {@link NoiseConstants#MAX_MUXERS}. Immutable.
 */
final class HandshakePayload {

  private static final int IDENTITY_KEY = 1;
  private static final int IDENTITY_SIG = 2;
  private static final int EXTENSIONS = 4;
  private static final int EXT_STREAM_MUXERS = 2;

  private final byte[] identityKey;
  private final byte[] identitySig;
  private final List<String> streamMuxers;

  HandshakePayload(byte[] identityKey, byte[] identitySig, List<String> streamMuxers) {
    this.identityKey = Objects.requireNonNull(identityKey);
    this.identitySig = Objects.requireNonNull(identitySig);
    this.streamMuxers = List.copyOf(streamMuxers);
  }

  byte[] identityKey() {
    return identityKey.clone();
  }

  byte[] identitySig() {
    return identitySig.clone();
  }

  List<String> streamMuxers() {
    return streamMuxers;
  }

  byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeByteArray(IDENTITY_KEY, identityKey);
      out.writeByteArray(IDENTITY_SIG, identitySig);
      if (!streamMuxers.isEmpty()) {
        ByteArrayOutputStream extBytes = new ByteArrayOutputStream();
        CodedOutputStream ext = CodedOutputStream.newInstance(extBytes);
        for (String m : streamMuxers) {
          ext.writeString(EXT_STREAM_MUXERS, m);
        }
        ext.flush();
        out.writeByteArray(EXTENSIONS, extBytes.toByteArray());
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory protobuf write failed", e);
    }
  }

  static HandshakePayload decode(byte[] bytes) throws NoiseException {
    byte[] key = null;
    byte[] sig = null;
    List<String> muxers = new ArrayList<>();
    try {
      CodedInputStream in = CodedInputStream.newInstance(bytes);
      while (true) {
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        int field = tag >>> 3;
        int wire = tag & 7;
        if (field == IDENTITY_KEY && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          key = in.readByteArray();
        } else if (field == IDENTITY_SIG && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          sig = in.readByteArray();
        } else if (field == EXTENSIONS && wire == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          decodeExtensions(in.readByteArray(), muxers);
        } else if (!in.skipField(tag)) {
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new NoiseException(Kind.BAD_PAYLOAD, "malformed handshake payload", e);
    }
    if (key == null || sig == null) {
      throw new NoiseException(Kind.BAD_PAYLOAD, "handshake payload lacks identity");
    }
    return new HandshakePayload(key, sig, muxers);
  }

  private static void decodeExtensions(byte[] bytes, List<String> muxers)
      throws IOException, NoiseException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        return;
      }
      if ((tag >>> 3) == EXT_STREAM_MUXERS && (tag & 7) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        byte[] m = in.readByteArray();
        if (muxers.size() >= NoiseConstants.MAX_MUXERS || m.length > NoiseConstants.MAX_MUXER_ID_BYTES) {
          throw new NoiseException(Kind.BAD_PAYLOAD, "too many or too long stream muxers");
        }
        muxers.add(new String(m, StandardCharsets.UTF_8));
      } else if (!in.skipField(tag)) { // certificate hashes (field 1) and unknown fields
        return;
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof HandshakePayload)) {
      return false;
    }
    HandshakePayload p = (HandshakePayload) o;
    return Arrays.equals(identityKey, p.identityKey)
        && Arrays.equals(identitySig, p.identitySig)
        && streamMuxers.equals(p.streamMuxers);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(identityKey) * 31 + streamMuxers.hashCode();
  }
}
