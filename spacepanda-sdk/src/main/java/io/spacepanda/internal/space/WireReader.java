package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads what {@link WireWriter} writes, strictly: every read is bounds-checked, every length is
 * checked against a limit before anything is allocated, and {@link #end()} rejects trailing bytes,
 * so each value has exactly one accepted encoding. Every failure is a {@link
 * SpaceDecodeException}. Not thread-safe; one reader per input. The input array is not copied;
 * values read are fresh arrays.
 */
final class WireReader {

  private final byte[] in;
  private int pos;

  WireReader(byte[] in) {
    this.in = in;
  }

  private void need(int n, String what) throws SpaceDecodeException {
    if (n > in.length - pos) {
      throw new SpaceDecodeException("truncated " + what + " at offset " + pos);
    }
  }

  int u8(String what) throws SpaceDecodeException {
    need(1, what);
    return in[pos++] & 0xff;
  }

  int u16(String what) throws SpaceDecodeException {
    need(2, what);
    int v = ((in[pos] & 0xff) << 8) | (in[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  long u32(String what) throws SpaceDecodeException {
    need(4, what);
    long v = 0;
    for (int i = 0; i < 4; i++) {
      v = (v << 8) | (in[pos++] & 0xff);
    }
    return v;
  }

  long u64(String what) throws SpaceDecodeException {
    need(8, what);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (in[pos++] & 0xff);
    }
    return v;
  }

  byte[] fixed(int n, String what) throws SpaceDecodeException {
    need(n, what);
    byte[] b = Arrays.copyOfRange(in, pos, pos + n);
    pos += n;
    return b;
  }

  private byte[] bounded(long n, int min, int max, String what) throws SpaceDecodeException {
    if (n < min || n > max) {
      throw new SpaceDecodeException(what + " length " + n + " is not " + min + ".." + max);
    }
    return fixed((int) n, what);
  }

  byte[] opaque8(int min, int max, String what) throws SpaceDecodeException {
    return bounded(u8(what + " length"), min, max, what);
  }

  byte[] opaque16(int min, int max, String what) throws SpaceDecodeException {
    return bounded(u16(what + " length"), min, max, what);
  }

  byte[] opaque32(int min, int max, String what) throws SpaceDecodeException {
    return bounded(u32(what + " length"), min, max, what);
  }

  /** Reads a name: 1..{@value SpaceConstants#MAX_NAME_BYTES} bytes of valid UTF-8, checked. */
  String name(String what) throws SpaceDecodeException {
    byte[] b = opaque8(1, SpaceConstants.MAX_NAME_BYTES, what);
    String s;
    try {
      s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      throw new SpaceDecodeException(what + " is not valid UTF-8");
    }
    String problem = Names.problem(s);
    if (problem != null) {
      throw new SpaceDecodeException(what + ": " + problem);
    }
    return s;
  }

  PeerId peer(String what) throws SpaceDecodeException {
    byte[] b = opaque8(2, PeerId.MAX_LENGTH, what);
    try {
      return PeerId.fromBytes(b);
    } catch (IllegalArgumentException e) {
      throw new SpaceDecodeException(what + " is not a peer id");
    }
  }

  SpaceId spaceId(String what) throws SpaceDecodeException {
    return SpaceId.of(fixed(SpaceConstants.ID_LENGTH, what));
  }

  ChannelId channelId(String what) throws SpaceDecodeException {
    return ChannelId.of(fixed(SpaceConstants.ID_LENGTH, what));
  }

  OpId opId(String what) throws SpaceDecodeException {
    return OpId.of(fixed(SpaceConstants.ID_LENGTH, what));
  }

  List<String> addresses(int maxCount, int maxBytes, String what) throws SpaceDecodeException {
    int n = u8(what + " count");
    if (n > maxCount) {
      throw new SpaceDecodeException(what + " count " + n + " exceeds " + maxCount);
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] b = opaque8(1, maxBytes, what);
      String s = new String(b, StandardCharsets.US_ASCII);
      String problem = Names.addressProblem(s, maxBytes);
      if (problem != null) {
        throw new SpaceDecodeException(what + ": " + problem);
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  int remaining() {
    return in.length - pos;
  }

  void end(String what) throws SpaceDecodeException {
    if (pos != in.length) {
      throw new SpaceDecodeException((in.length - pos) + " trailing bytes after " + what);
    }
  }
}
