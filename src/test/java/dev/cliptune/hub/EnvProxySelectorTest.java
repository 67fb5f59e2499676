package dev.cliptune.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The proxy variables as Python's httpx reads them (huggingface_hub's transport). */
class EnvProxySelectorTest {
  static List<Proxy> select(Map<String, String> env, String url) {
    return new EnvProxySelector(env, null).select(URI.create(url));
  }

  static Proxy http(String host, int port) {
    return new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(host, port));
  }

  @Test
  void requestsGoThroughTheProxy() throws Exception {
    HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    List<String> seen = new CopyOnWriteArrayList<>();
    proxy.createContext("/", ex -> {
      seen.add(ex.getRequestMethod() + " " + ex.getRequestURI());
      byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    proxy.start();
    try {
      HubConfig cfg = HubConfig.fromEnvironment(Map.of(), "unused").withProgress(false);
      Transfer t = new Transfer(cfg, Map.of("HTTP_PROXY", "http://localhost:" + proxy.getAddress().getPort()));
      Transfer.Small r = t.get(URI.create("http://hub.invalid/api/models/a/b/revision/main"), Map.of());
      assertThat(r.status()).isEqualTo(200);
      assertThat(seen).containsExactly("GET http://hub.invalid/api/models/a/b/revision/main");
    } finally {
      proxy.stop(0);
    }
  }

  @Test
  void schemeVariablesThenAllProxyThenDirect() {
    Map<String, String> env = Map.of("HTTPS_PROXY", "http://proxy.corp:3128", "http_proxy", "plain.corp:8080");
    assertThat(select(env, "https://huggingface.co/api/models/x/y")).containsExactly(http("proxy.corp", 3128));
    assertThat(select(env, "http://mirror.local/x")).containsExactly(http("plain.corp", 8080));
    assertThat(select(Map.of("ALL_PROXY", "http://all.corp"), "https://cdn.example/x"))
        .containsExactly(http("all.corp", 80));
    assertThat(select(Map.of(), "https://huggingface.co/")).containsExactly(Proxy.NO_PROXY);
  }

  @Test
  void noProxyAndLoopbackGoDirect() {
    Map<String, String> env = Map.of("https_proxy", "http://proxy.corp:3128", "NO_PROXY", "internal.corp, .lan,"
        + "mirror.example:443");
    assertThat(select(env, "https://hub.internal.corp/x")).containsExactly(Proxy.NO_PROXY);
    assertThat(select(env, "https://internal.corp/x")).containsExactly(Proxy.NO_PROXY);
    assertThat(select(env, "https://box.lan/x")).containsExactly(Proxy.NO_PROXY);
    assertThat(select(env, "https://mirror.example/x")).containsExactly(Proxy.NO_PROXY);
    assertThat(select(env, "https://notinternal.corp/x")).containsExactly(http("proxy.corp", 3128));
    assertThat(select(env, "https://127.0.0.1:8443/x")).containsExactly(Proxy.NO_PROXY);
    assertThat(select(Map.of("https_proxy", "p:1", "no_proxy", "*"), "https://a.b/")).containsExactly(Proxy.NO_PROXY);
  }
}
