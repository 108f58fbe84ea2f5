package io.spacepanda.examples;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * Where the chat reads its commands and writes its lines: a terminal with line editing and
 * history (JLine), or plain standard input and output for pipes and scripts.
 *
 * <p>{@link #readLine} is called by one thread, the command loop; {@link #println} by any thread.
 * On a terminal, lines printed while the user types appear above the prompt, which is redrawn
 * with what was typed so far.
 */
abstract class ChatConsole implements AutoCloseable {

  /**
   * Opens JLine on a real terminal ({@code System.console() != null}), plain streams otherwise.
   *
   * @return the console
   * @throws IOException if the terminal cannot be opened
   */
  static ChatConsole open() throws IOException {
    if (System.console() != null) {
      return new Interactive();
    }
    return new Plain(System.in, new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8));
  }

  /**
   * Reads the next line.
   *
   * @param prompt shown before the input on a terminal, ignored otherwise
   * @return the line without its terminator, or null at the end of input (or Ctrl-C / Ctrl-D)
   * @throws IOException if reading fails
   */
  abstract String readLine(String prompt) throws IOException;

  /** Prints one line (or several, separated by {@code \n}) and flushes. */
  abstract void println(String line);

  @Override
  public abstract void close();

  /** Standard input and output, for pipes: no prompt, one flushed line per event. */
  static final class Plain extends ChatConsole {
    private final BufferedReader in;
    private final PrintStream out;

    Plain(InputStream in, PrintStream out) {
      this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      this.out = out;
    }

    @Override
    String readLine(String prompt) throws IOException {
      return in.readLine();
    }

    @Override
    void println(String line) {
      synchronized (out) {
        out.println(line);
        out.flush();
      }
    }

    @Override
    public void close() {
      out.flush();
    }
  }

  /** A terminal through JLine 3: line editing, in-memory history, output above the prompt. */
  static final class Interactive extends ChatConsole {
    private final Terminal terminal;
    private final LineReader reader;

    Interactive() throws IOException {
      terminal = TerminalBuilder.builder().system(true).build();
      // History stays in memory: writing typed messages to a file would leave them in cleartext
      // next to a data directory that may be encrypted.
      reader = LineReaderBuilder.builder().terminal(terminal).appName("spacepanda-chat").build();
    }

    @Override
    String readLine(String prompt) {
      try {
        return reader.readLine(prompt);
      } catch (EndOfFileException | UserInterruptException e) {
        return null;
      }
    }

    @Override
    void println(String line) {
      reader.printAbove(line);
    }

    @Override
    public void close() {
      try {
        terminal.close();
      } catch (IOException e) {
        System.err.println("could not restore the terminal: " + e.getMessage());
      }
    }
  }
}
