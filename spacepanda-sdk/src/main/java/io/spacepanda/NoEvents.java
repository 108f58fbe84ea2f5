package io.spacepanda;

/** The no-op {@link NodeEventListener}. */
final class NoEvents implements NodeEventListener {

  static final NoEvents INSTANCE = new NoEvents();

  private NoEvents() {}

  @Override
  public String toString() {
    return "NodeEventListener.none()";
  }
}
