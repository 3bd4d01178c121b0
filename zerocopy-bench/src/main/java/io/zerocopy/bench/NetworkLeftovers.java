package io.zerocopy.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the bench's veth networks share: finding a free address block for a run, and removing
 * the devices and namespaces of runs whose process no longer exists. Names carry the owning
 * process's id as their first group ({@code zcb<pid>s}, {@code zcb-<pid>-sink}), so a leftover
 * is recognised without any state kept between runs. Public for the timing programs in other
 * packages of the bench.
 */
public final class NetworkLeftovers {

    private NetworkLeftovers() { }

    /**
     * Removes the root-side devices and the namespaces of runs whose process no longer exists.
     *
     * @param device root-side device names, the process id as group 1
     * @param namespace namespace names, the process id as group 1
     * @param who names the caller in messages about what could not be listed
     * @return what was removed, or could not be, one line each
     */
    public static List<String> removeStale(Pattern device, Pattern namespace, String who) {
        List<String> done = new ArrayList<>();
        for (String name : list(Path.of("/sys/class/net"), device, who)) {
            done.add(removeIfStale(name, device, "ip", "link", "del", "dev", name));
        }
        for (String name : list(Path.of(NetNamespace.DIR), namespace, who)) {
            done.add(removeIfStale(name, namespace, "ip", "netns", "del", name));
        }
        done.removeIf(s -> s == null);
        return done;
    }

    /**
     * @param pid the run's process id: the search starts at a block derived from it, so that
     *     concurrent runs seldom meet
     * @param range the first address of the range, as an int
     * @param blocks how many blocks the range holds
     * @param blockSize addresses per block
     * @return the first block no address of which the root namespace uses
     * @throws IOException if {@code ip} fails, or every block is in use
     */
    public static int freeBlock(long pid, int range, int blocks, int blockSize) throws IOException {
        String used = Commands.runWithin(Iproute2.TIMEOUT_SECONDS, "ip", "-4", "-o", "addr", "show");
        int start = (int) (pid % blocks);
        for (int i = 0; i < blocks; i++) {
            int b = (start + i) % blocks;
            boolean free = true;
            for (int h = 0; h < blockSize && free; h++) {
                free = !used.contains(" " + dotted(range + b * blockSize + h) + "/");
            }
            if (free) {
                return b;
            }
        }
        throw new IOException("every block of " + blockSize + " addresses from " + dotted(range) + " is in use");
    }

    /** @return an IPv4 address in dotted form */
    public static String dotted(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    private static String removeIfStale(String name, Pattern p, String... command) {
        Matcher m = p.matcher(name);
        if (!m.matches() || ProcessHandle.of(Long.parseLong(m.group(1))).isPresent()) {
            return null;
        }
        try {
            Commands.runWithin(Iproute2.TIMEOUT_SECONDS, command);
            return "removed " + name + ", left by a run that no longer exists";
        } catch (IOException e) {
            return "could not remove stale " + name + ": " + e.getMessage();
        }
    }

    private static List<String> list(Path dir, Pattern p, String who) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path e : s) {
                String n = e.getFileName().toString();
                if (p.matcher(n).matches()) {
                    names.add(n);
                }
            }
        } catch (NoSuchFileException e) {
            // no namespaces named yet
        } catch (IOException e) {
            System.err.println(who + ": cannot list " + dir + ": " + e);
        }
        return names;
    }
}
