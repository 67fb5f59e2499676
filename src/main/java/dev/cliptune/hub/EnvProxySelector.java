package dev.cliptune.hub;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The proxy variables Python's HTTP clients honour ({@code huggingface_hub} uses httpx with {@code trust_env}):
 * {@code https_proxy} / {@code HTTPS_PROXY} for https URLs, {@code http_proxy} / {@code HTTP_PROXY} for http ones,
 * {@code all_proxy} / {@code ALL_PROXY} for both, and {@code no_proxy} / {@code NO_PROXY} (comma-separated hosts or
 * domain suffixes, {@code *} for all) to go direct. Loopback addresses always go direct. Without any of them the
 * JVM's own setting ({@code -Dhttps.proxyHost}, ...) applies. Proxy credentials in the URL are not supported.
 */
final class EnvProxySelector extends ProxySelector {
  private final Map<String, String> env;
  private final ProxySelector fallback;

  EnvProxySelector(Map<String, String> env, ProxySelector fallback) {
    this.env = env;
    this.fallback = fallback;
  }

  @Override
  public List<Proxy> select(URI uri) {
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    if (host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]")
        || bypassed(host)) {
      return List.of(Proxy.NO_PROXY);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String proxy = first(scheme + "_proxy", "all_proxy");
    if (proxy == null) {
      return fallback != null ? fallback.select(uri) : List.of(Proxy.NO_PROXY);
    }
    URI p = URI.create(proxy.contains("://") ? proxy : "http://" + proxy);
    int port = p.getPort() >= 0 ? p.getPort() : "https".equalsIgnoreCase(p.getScheme()) ? 443 : 80;
    return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(p.getHost(), port)));
  }

  private String first(String... names) {
    for (String n : names) {
      for (String v : new String[] {env.get(n), env.get(n.toUpperCase(Locale.ROOT))}) {
        if (v != null && !v.isBlank()) {
          return v.strip();
        }
      }
    }
    return null;
  }

  private boolean bypassed(String host) {
    String list = first("no_proxy");
    if (list == null) {
      return false;
    }
    for (String entry : list.split(",")) {
      String e = entry.strip().toLowerCase(Locale.ROOT);
      int colon = e.lastIndexOf(':');
      if (colon > 0 && e.indexOf(':') == colon) {
        e = e.substring(0, colon); // host:port: the port is not compared
      }
      if (e.equals("*")) {
        return true;
      }
      if (e.startsWith("*.")) {
        e = e.substring(1);
      }
      if (!e.isEmpty() && (host.equals(e.startsWith(".") ? e.substring(1) : e) || host.endsWith(e.startsWith(".") ? e
          : "." + e))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
    // nothing to learn: the request fails with its own error
  }
}
