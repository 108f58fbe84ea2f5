package io.spacepanda.internal.net.multistream;

import io.netty.buffer.ByteBuf;
import io.spacepanda.internal.net.multiaddr.MultiaddrException;
import io.spacepanda.internal.net.multiaddr.UnsignedVarint;
import io.spacepanda.internal.net.multistream.MultistreamException.Kind;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One side of a multistream-select 1.0 negotiation, as a state machine over bytes so that it runs
 * the same over a raw TCP channel and over a muxed stream.
 *
 * <p>Design (multiformats/multistream-select README): every message is an unsigned varint length,
 * then UTF-8 text, then {@code '\n'}. Both sides send {@code /multistream/1.0.0}; the initiator
 * proposes protocols one at a time and the responder echoes an accepted one or answers {@code na}.
 * The initiator pipelines its header with its first proposal in one flush. {@code ls} is answered
 * {@code na}: the responder does not list its protocols. Messages are bounded by {@link
 * MultistreamConstants#MAX_MESSAGE_BYTES} and proposals by a maximum number of attempts.
 *
 * <p>Usage: write {@link #start(ByteBuf)}'s output, then call {@link #receive(ByteBuf, ByteBuf)}
 * with each batch of inbound bytes and write whatever it appended to {@code out}, until it returns
 * {@code true}; {@link #selected()} then names the protocol, and any bytes after the last
 * negotiation message stay unread in the input buffer for the next protocol.
 *
 * <p>Not thread-safe: drive one instance from one thread (a channel's event loop).
 */
public final class MultistreamSelect {

  private enum State { NEW, AWAIT_HEADER, AWAIT_RESPONSE, AWAIT_PROPOSAL, DONE, FAILED }

  private final boolean initiator;
  private final List<String> proposals;
  private final Predicate<String> supported;
  private final int maxAttempts;
  private State state = State.NEW;
  private int next;
  private int attempts;
  private String selected;

  private MultistreamSelect(
      boolean initiator, List<String> proposals, Predicate<String> supported, int maxAttempts) {
    this.initiator = initiator;
    this.proposals = proposals;
    this.supported = supported;
    this.maxAttempts = maxAttempts;
  }

  /**
   * Creates the dialing side, which proposes {@code protocols} in order.
   *
   * @param protocols protocol ids in order of preference, at least one
   * @return the negotiation
   */
  public static MultistreamSelect initiator(List<String> protocols) {
    List<String> copy = List.copyOf(protocols);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("at least one protocol must be proposed");
    }
    for (String p : copy) {
      checkOutgoing(p);
    }
    return new MultistreamSelect(true, copy, p -> false, copy.size());
  }

  /**
   * Creates the listening side, which accepts the first proposal {@code supported} accepts.
   *
   * @param supported decides whether a proposed protocol id is served; must not block
   * @param maxAttempts the number of proposals answered before failing
   * @return the negotiation
   */
  public static MultistreamSelect responder(Predicate<String> supported, int maxAttempts) {
    Objects.requireNonNull(supported, "supported");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be positive: " + maxAttempts);
    }
    return new MultistreamSelect(false, List.of(), supported, maxAttempts);
  }

  private static void checkOutgoing(String protocol) {
    int len = protocol.getBytes(StandardCharsets.UTF_8).length + 1;
    if (protocol.isEmpty() || len > MultistreamConstants.MAX_MESSAGE_BYTES || protocol.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("invalid protocol id: " + protocol);
    }
  }

  /**
   * Writes the opening messages: the header, and for the initiator also its first proposal.
   *
   * @param out receives the bytes to send in one flush
   */
  public void start(ByteBuf out) {
    if (state != State.NEW) {
      throw new IllegalStateException("already started");
    }
    writeMessage(MultistreamConstants.PROTOCOL_ID, out);
    if (initiator) {
      writeMessage(proposals.get(next), out);
    }
    state = State.AWAIT_HEADER;
  }

  /**
   * Consumes negotiation messages from {@code in}, appending replies to {@code out}.
   *
   * <p>Only whole messages are consumed; bytes of an incomplete message and bytes after the
   * negotiation's last message are left in {@code in}.
   *
   * @param in inbound bytes; the reader index advances past consumed messages
   * @param out receives bytes to send
   * @return {@code true} once a protocol is selected
   * @throws MultistreamException if the peer broke the protocol or no protocol was agreed
   */
  public boolean receive(ByteBuf in, ByteBuf out) throws MultistreamException {
    if (state == State.NEW) {
      throw new IllegalStateException("start() first");
    }
    if (state == State.FAILED) {
      throw new IllegalStateException("negotiation already failed");
    }
    try {
      while (state != State.DONE) {
        String msg = readMessage(in);
        if (msg == null) {
          return false;
        }
        handle(msg, out);
      }
      return true;
    } catch (MultistreamException e) {
      state = State.FAILED;
      throw e;
    }
  }

  private void handle(String msg, ByteBuf out) throws MultistreamException {
    switch (state) {
      case AWAIT_HEADER:
        if (!MultistreamConstants.PROTOCOL_ID.equals(msg)) {
          throw new MultistreamException(Kind.PROTOCOL_VIOLATION, "unexpected multistream header");
        }
        state = initiator ? State.AWAIT_RESPONSE : State.AWAIT_PROPOSAL;
        break;
      case AWAIT_RESPONSE:
        if (msg.equals(proposals.get(next))) {
          selected = msg;
          state = State.DONE;
        } else if (MultistreamConstants.NA.equals(msg)) {
          next++;
          if (next >= proposals.size()) {
            throw new MultistreamException(Kind.NO_COMMON_PROTOCOL, "peer supports none of the proposed protocols");
          }
          writeMessage(proposals.get(next), out);
        } else {
          throw new MultistreamException(Kind.PROTOCOL_VIOLATION, "unexpected multistream response");
        }
        break;
      case AWAIT_PROPOSAL:
        if (++attempts > maxAttempts) {
          throw new MultistreamException(Kind.TOO_MANY_ATTEMPTS, "too many multistream proposals");
        }
        if (!MultistreamConstants.LS.equals(msg)
            && !MultistreamConstants.NA.equals(msg)
            && !MultistreamConstants.PROTOCOL_ID.equals(msg)
            && supported.test(msg)) {
          writeMessage(msg, out);
          selected = msg;
          state = State.DONE;
        } else {
          writeMessage(MultistreamConstants.NA, out);
        }
        break;
      default:
        throw new IllegalStateException("state " + state);
    }
  }

  /**
   * Returns the agreed protocol id.
   *
   * @return the protocol
   * @throws IllegalStateException before negotiation completed
   */
  public String selected() {
    if (state != State.DONE) {
      throw new IllegalStateException("negotiation not complete");
    }
    return selected;
  }

  /**
   * Returns whether this side is the initiator.
   *
   * @return {@code true} for the dialing side
   */
  public boolean isInitiator() {
    return initiator;
  }

  /**
   * Appends one multistream message ({@code varint(len) text '\n'}).
   *
   * @param text the message text without newline
   * @param out the destination
   */
  public static void writeMessage(String text, ByteBuf out) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    UnsignedVarint.write(b.length + 1L, out);
    out.writeBytes(b);
    out.writeByte('\n');
  }

  /**
   * Reads one whole message from {@code in}, or returns null without consuming when incomplete.
   *
   * @param in the input
   * @return the message text without newline, or null
   * @throws MultistreamException if the message is oversized, empty, lacks its newline or is not UTF-8
   */
  static String readMessage(ByteBuf in) throws MultistreamException {
    long len;
    try {
      len = UnsignedVarint.peek(in, MultistreamConstants.MAX_MESSAGE_BYTES);
    } catch (MultiaddrException e) {
      throw new MultistreamException(Kind.PROTOCOL_VIOLATION, "invalid multistream message length");
    }
    if (len == UnsignedVarint.INCOMPLETE) {
      return null;
    }
    if (len == 0) {
      throw new MultistreamException(Kind.PROTOCOL_VIOLATION, "empty multistream message");
    }
    int prefix = UnsignedVarint.size(len);
    if (in.readableBytes() < prefix + len) {
      return null;
    }
    int start = in.readerIndex() + prefix;
    if (in.getByte(start + (int) len - 1) != '\n') {
      throw new MultistreamException(Kind.PROTOCOL_VIOLATION, "multistream message lacks newline");
    }
    ByteBuffer body = in.nioBuffer(start, (int) len - 1);
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(body)
              .toString();
    } catch (CharacterCodingException e) {
      throw new MultistreamException(Kind.PROTOCOL_VIOLATION, "multistream message is not UTF-8");
    }
    in.skipBytes(prefix + (int) len);
    return text;
  }

  /**
   * Returns the protocols proposed by an initiator, in order.
   *
   * @return the proposals (empty for a responder)
   */
  public List<String> proposals() {
    return new ArrayList<>(proposals);
  }
}
