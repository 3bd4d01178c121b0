package io.zerocopy.bench.timing.proxy;

import static io.zerocopy.bench.timing.proxy.Sockets.closeQuietly;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.management.OperatingSystemMXBean;

/** One row: upstream, proxy, idle connections, N clients and the probes, within a deadline. */
final class Row {

    private Row() { }

    /** Runs one row with a deadline and closes everything it opened, whatever happened. */
    static Result run(Config c, FileChannel data, long size, int idle, int probes, int timeoutSeconds,
            OperatingSystemMXBean os) throws IOException, InterruptedException {
        Result r = new Result();
        Map<String, Long> tcp0 = Proc.tcpCounters();
        r.expected = size * c.conns;
        r.probesTotal = probes;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        int backlog = c.conns + idle + probes + 64;
        Upstream upstream = new Upstream(data, size, backlog);
        Proxy proxy = null;
        Clients clients = null;
        Probes prober = null;
        ThreadSampler sampler = null;
        List<SocketChannel> idleClients = new ArrayList<>();
        try {
            proxy = new Proxy(c.kind.factory, c.engine(), upstream, backlog);
            clients = new Clients(c.conns, size);
            for (int i = 0; i < idle; i++) {
                idleClients.add(Sockets.connect(proxy.idleAddress()));
            }
            long idleWait = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
            while (upstream.idleAccepted.get() < idle && System.nanoTime() < idleWait) {
                Thread.sleep(1);
            }
            r.idleUp = upstream.idleAccepted.get();
            Thread.sleep(50); // the idle connections' proxy threads enter their wait
            sampler = new ThreadSampler(proxy.handlersAlive::get);
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            for (int i = 0; i < c.conns; i++) {
                clients.add(Sockets.connect(proxy.bulkAddress()));
            }
            prober = new Probes(proxy.probeAddress(), probes, deadline, clients.done);
            boolean finished = clients.done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            long cpu1 = os.getProcessCpuTime();
            prober.await();
            sampler.close();
            r.finished = finished;
            r.bytes = clients.bytes.get();
            r.shortConnections = clients.shortConnections.get();
            r.wallSeconds = ((finished ? clients.lastByteNanos : System.nanoTime()) - t0) / 1e9;
            r.cpuSeconds = (cpu1 - cpu0) / 1e9;
        } catch (IOException e) {
            r.bytes = clients == null ? 0 : clients.bytes.get();
            r.rowError = e.toString();
        } finally {
            if (sampler != null) {
                sampler.close();
                r.threadsAtStart = sampler.usedAtStart();
                r.threadsUsedPeak = sampler.usedPeak();
                r.threadsLivePeak = sampler.livePeak();
                r.handlersPeak = sampler.handlersPeak();
                r.tasksPeak = sampler.tasksPeak();
                r.iouPeak = sampler.iouPeak();
            }
            if (prober != null) {
                prober.close();
                r.probesOk = prober.ok();
                r.probesInLoad = prober.inLoad();
                r.ttfbP50 = prober.percentile(0.50);
                r.ttfbP99 = prober.percentile(0.99);
            }
            closeQuietly(clients);
            for (SocketChannel ch : idleClients) {
                closeQuietly(ch);
            }
            if (proxy != null) {
                r.finishedBy = proxy.finishedBy();
                r.threadsLeft = proxy.shutdown();
                r.handlerErrors = proxy.errors.get();
                r.firstError = proxy.firstError.get() == null ? "" : proxy.firstError.get();
            }
            closeQuietly(upstream);
            r.fdsAfter = Proc.openFiles();
            Map<String, Long> tcp1 = Proc.tcpCounters();
            r.tcpTimeouts = Proc.delta(tcp0, tcp1, "TCPTimeouts");
            r.tcpMemoryPressures = Proc.delta(tcp0, tcp1, "TCPMemoryPressures");
            r.tcpRcvQDrops = Proc.delta(tcp0, tcp1, "TCPRcvQDrop");
        }
        return r;
    }
}
