package io.zerocopy.bench.timing.peers;

import io.zerocopy.bench.Commands;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The configurations and command lines of the established peers. nginx with one worker runs as
 * one process ({@code master_process off}; nginx calls that mode unfit for production, but a
 * single worker serves the same way), with more as a master and that many workers (as root, the
 * run's directory being private); it serves the run's directory with
 * {@code sendfile on; tcp_nopush on;} and otherwise its defaults ({@code sendfile_max_chunk} 2m
 * since 1.21.4). HAProxy runs in the foreground ({@code -db}) as one process with
 * {@code nbthread} threads, {@code mode tcp}, and {@code option splice-request} and
 * {@code option splice-response} or neither; its other settings are its defaults (16 KiB
 * buffers, kernel-sized pipes).
 */
final class Configs {

    private Configs() { }

    /**
     * Writes an nginx configuration that serves {@code dir} at {@code address:port}.
     *
     * @return the configuration file
     */
    static Path nginx(Path dir, String name, String address, int port, int workers) throws IOException {
        Path conf = dir.resolve("nginx-" + name + ".conf");
        String d = dir.toString();
        Files.writeString(conf, String.join("\n",
                "daemon off;",
                workers == 1 ? "master_process off;" : "master_process on;\nuser root;",
                "worker_processes " + workers + ";",
                "error_log " + d + "/nginx-" + name + ".err warn;",
                "pid " + d + "/nginx-" + name + ".pid;",
                "events { worker_connections 256; }",
                "http {",
                "    access_log off;",
                "    sendfile on;",
                "    tcp_nopush on;",
                "    keepalive_requests 100000;",
                "    default_type application/octet-stream;",
                "    client_body_temp_path " + d + "/nginx-" + name + "-body;",
                "    proxy_temp_path " + d + "/nginx-" + name + "-proxy;",
                "    fastcgi_temp_path " + d + "/nginx-" + name + "-fastcgi;",
                "    uwsgi_temp_path " + d + "/nginx-" + name + "-uwsgi;",
                "    scgi_temp_path " + d + "/nginx-" + name + "-scgi;",
                "    server {",
                "        listen " + address + ":" + port + ";",
                "        root " + d + ";",
                "    }",
                "}",
                ""));
        return conf;
    }

    /** @return the command that runs the configuration, with its prefix and early error log in {@code dir} */
    static List<String> nginxCommand(Path dir, String name, Path conf) {
        return List.of(Commands.find("nginx").toString(), "-p", dir.toString(), "-e",
                dir.resolve("nginx-" + name + ".err").toString(), "-c", conf.toString());
    }

    /** @return why the HAProxy rows cannot run, or null */
    static String haproxyUnavailabilityCause() {
        if (Commands.find("haproxy") == null) {
            return "no haproxy found";
        }
        try {
            String vv = Commands.run("haproxy", "-vv");
            if (!vv.contains("+LINUX_SPLICE")) {
                return "haproxy -vv does not list +LINUX_SPLICE";
            }
            return null;
        } catch (IOException e) {
            return "haproxy -vv failed: " + e.getMessage();
        }
    }

    /**
     * Writes a HAProxy configuration: a TCP listener at {@code address:port} with one server,
     * the upstream.
     *
     * @return the configuration file
     */
    static Path haproxy(Path dir, String address, int port, String upAddress, int upPort, boolean splice, int threads)
            throws IOException {
        Path conf = dir.resolve("haproxy-" + (splice ? "splice" : "nosplice") + ".cfg");
        Files.writeString(conf, String.join("\n",
                "global",
                "    nbthread " + threads,
                "    maxconn 1024",
                "defaults",
                "    mode tcp",
                "    timeout connect 5s",
                "    timeout client 120s",
                "    timeout server 120s",
                splice ? "    option splice-request\n    option splice-response" : "    # no splice",
                "listen peers",
                "    bind " + address + ":" + port,
                "    server upstream " + upAddress + ":" + upPort,
                ""));
        return conf;
    }

    /** @return the command that runs the configuration in the foreground */
    static List<String> haproxyCommand(Path conf) {
        return List.of(Commands.find("haproxy").toString(), "-db", "-f", conf.toString());
    }
}
