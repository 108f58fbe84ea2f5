package io.spacepanda.internal.node;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Turns a transport's listen multiaddrs into the ones other nodes can dial: an address bound to the
 * unspecified host is replaced by one address per local interface address, non-loopback ones
 * first: IPv4 ones for {@code /ip4/0.0.0.0}, IPv4 and IPv6 ones for {@code /ip6/::} (a Java
 * socket bound to {@code ::} is dual-stack, and the host reports a {@code 0.0.0.0} bind as {@code
 * ::}).
 *
 * <p>Link-local IPv6 addresses are left out (they need a zone no multiaddr carries). Stateless and
 * thread-safe.
 */
final class AdvertisedAddresses {

  private static final String ANY_IP4 = "/ip4/0.0.0.0/";
  private static final String ANY_IP6 = "/ip6/::/";

  private AdvertisedAddresses() {}

  /**
   * Expands unspecified hosts with this machine's interface addresses.
   *
   * @param listen the transport's full listen multiaddrs
   * @return the dialable multiaddrs, without duplicates, in the order of {@code listen}
   */
  static List<String> expand(List<String> listen) {
    boolean any = listen.stream().anyMatch(a -> a.startsWith(ANY_IP4) || a.startsWith(ANY_IP6));
    return any ? expand(listen, interfaceAddresses()) : listen;
  }

  /**
   * Expands unspecified hosts with the given interface addresses.
   *
   * @param listen the transport's full listen multiaddrs
   * @param interfaces the local interface addresses
   * @return the dialable multiaddrs, without duplicates, in the order of {@code listen}
   */
  static List<String> expand(List<String> listen, List<InetAddress> interfaces) {
    List<InetAddress> ordered = new ArrayList<>(interfaces);
    ordered.sort(Comparator.comparing(InetAddress::isLoopbackAddress));
    List<String> out = new ArrayList<>();
    for (String a : listen) {
      boolean any4 = a.startsWith(ANY_IP4);
      if (any4 || a.startsWith(ANY_IP6)) {
        String rest = a.substring(any4 ? ANY_IP4.length() : ANY_IP6.length());
        for (InetAddress i : ordered) {
          if (i instanceof Inet4Address) {
            addOnce(out, "/ip4/" + i.getHostAddress() + "/" + rest);
          } else if (!any4 && i instanceof Inet6Address v6 && !v6.isLinkLocalAddress()) {
            addOnce(out, "/ip6/" + withoutZone(v6.getHostAddress()) + "/" + rest);
          }
        }
      } else {
        addOnce(out, a);
      }
    }
    return List.copyOf(out);
  }

  private static void addOnce(List<String> out, String a) {
    if (!out.contains(a)) {
      out.add(a);
    }
  }

  private static String withoutZone(String host) {
    int i = host.indexOf('%');
    return i < 0 ? host : host.substring(0, i);
  }

  private static List<InetAddress> interfaceAddresses() {
    List<InetAddress> out = new ArrayList<>();
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (ni.isUp()) {
          out.addAll(Collections.list(ni.getInetAddresses()));
        }
      }
    } catch (SocketException e) {
      out.add(InetAddress.getLoopbackAddress());
    }
    return out;
  }
}
